import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relocatedDataDir, ROOT_RUNTIME_DIR } from '../../src/db/embedded/placement.js';
import { queryData } from '../support/graphql-client.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';
import { runFailingFixture } from '../support/runner-fixture.js';

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname;

/**
 * A fresh cloud machine or a container: root, with the clone in root's home, which
 * only root may enter. PostgreSQL refuses to run as root, and the `postgres` user it
 * runs as instead can reach neither the binaries in node_modules nor the data
 * directory beside them.
 */
describe.runIf(process.getuid?.() === 0)('the first run as root, in a clone inside a private (0700) directory', () => {
  let home: string;
  let checkout: string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-root-home-'));
    await fs.chmod(home, 0o700);
    checkout = path.join(home, 'leadgraph');
    // The working tree as a clone holds it (tracked and new files, nothing ignored)...
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, maxBuffer: 64 << 20 });
    for (const file of stdout.split('\0').filter(Boolean)) {
      const from = path.join(REPO, file);
      if (!(await fs.stat(from).catch(() => undefined))?.isFile()) continue; // deleted but not yet staged
      await fs.mkdir(path.dirname(path.join(checkout, file)), { recursive: true });
      await fs.copyFile(from, path.join(checkout, file));
    }
    // ...and its installed packages inside it, so the PostgreSQL binaries are behind the 0700 directory too.
    await run('cp', ['-al', path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules')]).catch(() =>
      run('cp', ['-a', path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules')]),
    );
  });
  afterAll(async () => {
    await killLeftoverGateways();
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(relocatedDataDir(path.join(checkout, '.leadgraph', 'postgres'), ROOT_RUNTIME_DIR), { recursive: true, force: true });
  });

  it('`npm start` starts, answers a query with the printed key, says where its data went, and stops cleanly', async () => {
    const gateway = runGateway('npm', ['start', '--silent'], { PORT: '0', LOG_LEVEL: 'info' }, checkout);
    const url = await gateway.ready;
    const key = /Development admin key \(tenant "default"\), shown only this once:\n\s+(lgk_[\w-]{43})\n/.exec(gateway.output())?.[1];
    expect(key, gateway.output()).toBeDefined();
    const data = await queryData<{ leads: { totalCount: number } }>({ url, token: key! }, '{ leads(first: 1) { totalCount } }');
    expect(data.leads.totalCount).toBeGreaterThan(0); // the demo data set, written through the embedded database

    const moved = relocatedDataDir(path.join(checkout, '.leadgraph', 'postgres'), ROOT_RUNTIME_DIR);
    expect(gateway.output()).toContain(`the embedded PostgreSQL keeps its data in ${moved}: the \\"postgres\\" user cannot enter ${home}`);
    expect(gateway.output()).toContain('run from a copy the \\"postgres\\" user can reach');

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('"msg":"stopped"');
    expect(gateway.output()).not.toMatch(/"level":(50|60)/);
  });

  it('the test runner starts its embedded PostgreSQL there, and a failing test fails the run', async () => {
    const result = await runFailingFixture(checkout);
    expect(result.output).toMatch(/^tests: 1 passed, 1 failed, 0 skipped$/m);
    expect(result.code, result.output).toBe(1);
  });
});
