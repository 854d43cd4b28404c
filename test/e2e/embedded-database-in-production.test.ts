import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';

describe('a production start without DATABASE_URL', () => {
  let home: string;
  let providers: Awaited<ReturnType<typeof startLiveSandboxes>>;
  /** Production with every provider live: only the database is left to decide. */
  let production: Record<string, string>;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-production-'));
    await fs.chmod(home, 0o755); // as root, the embedded PostgreSQL runs as `postgres` and must reach it
    providers = await startLiveSandboxes();
    production = { NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'info', ...providers.env };
  });
  afterAll(async () => {
    await killLeftoverGateways();
    await providers?.stop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('refuses the embedded PostgreSQL with one line naming DATABASE_URL and the override, and starts nothing', async () => {
    const dataDir = path.join(home, 'refused');
    for (const command of ['start', 'migrate']) {
      const gateway = runGateway('node', ['bin/leadgraph.js', command], { ...production, LEADGRAPH_DATA_DIR: dataDir });
      expect(await gateway.exited).toBe(2);
      expect(gateway.output().trim()).toBe(
        'leadgraph: DATABASE_URL: expected an external PostgreSQL in production (the embedded one is for development; ' +
          'EMBEDDED_DATABASE_IN_PRODUCTION=allow uses it anyway), but got nothing',
      );
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('takes nothing but "allow" as the override', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], {
      ...production,
      LEADGRAPH_DATA_DIR: path.join(home, 'typo'),
      EMBEDDED_DATABASE_IN_PRODUCTION: 'yes',
    });
    expect(await gateway.exited).toBe(2);
    expect(gateway.output().trim()).toBe('leadgraph: EMBEDDED_DATABASE_IN_PRODUCTION: expected "allow" or nothing, but got "yes"');
  });

  it('uses the embedded PostgreSQL with EMBEDDED_DATABASE_IN_PRODUCTION=allow, and says so in the log', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], {
      ...production,
      LEADGRAPH_DATA_DIR: path.join(home, 'allowed'),
      EMBEDDED_DATABASE_IN_PRODUCTION: 'allow',
    });
    await gateway.ready;
    expect(gateway.output()).toMatch(/"level":40,[^\n]*"msg":"production on the embedded PostgreSQL \(EMBEDDED_DATABASE_IN_PRODUCTION=allow\)/);
    expect(gateway.output()).not.toContain('Development admin key'); // production makes none
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });
});
