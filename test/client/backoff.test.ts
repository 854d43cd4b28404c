import { cappedBackoff } from 'leadgraph/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../src/client/backoff.js';

describe('the resumable client\'s backoff', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('doubles from the base, keeps at least half of each step, and stops growing at the cap', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10, 5_000].map((retries) => backoffDelay(retries, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect([0, 1, 2, 3, 4, 10, 5_000].map((retries) => backoffDelay(retries, options, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('defaults to 0.5 s doubling up to 30 s', () => {
    expect(backoffDelay(0, {}, () => 1)).toBe(500);
    expect(backoffDelay(20, {}, () => 1)).toBe(30_000);
  });

  it('waits that long as a graphql-ws retryWait', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    let waited = false;
    const waiting = cappedBackoff({ baseMs: 100, maxMs: 1_000 })(2).then(() => (waited = true));
    await vi.advanceTimersByTimeAsync(399);
    expect(waited).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(waited).toBe(true);
  });
});
