import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const REPO = new URL('../..', import.meta.url).pathname;

/** How a child `vitest run` of the runner-can-fail fixture ended. */
export interface FixtureRun {
  readonly code: number | null;
  /** stdout and stderr together. */
  readonly output: string;
}

/**
 * Runs the real runner, `vitest run`, on the fixture that must fail
 * (test/fixtures/runner-can-fail), in `checkout`, without DATABASE_URL: the global
 * setup starts an embedded PostgreSQL as in `npm test`.
 */
export async function runFailingFixture(checkout: string = REPO): Promise<FixtureRun> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [path.join(checkout, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/runner-can-fail/vitest.config.ts'],
    { cwd: checkout, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}
