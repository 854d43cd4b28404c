import { describe, expect, it } from 'vitest';
import { runFailingFixture } from '../support/runner-fixture.js';

describe('the test runner', () => {
  it('exits non-zero when a test fails, with the embedded PostgreSQL started by the global setup', async () => {
    const run = await runFailingFixture();
    expect(run.output).toContain('reaches the database the global setup started');
    expect(run.output).toMatch(/^tests: 1 passed, 1 failed, 0 skipped$/m);
    expect(run.code, run.output).toBe(1);
  });
});
