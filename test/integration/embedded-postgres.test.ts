import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/** Every process event a library might hook to change how the process ends. */
const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message', 'uncaughtException', 'unhandledRejection'] as const;
const listenerCounts = () => Object.fromEntries(EXIT_EVENTS.map((event) => [event, process.listenerCount(event)])) as Record<(typeof EXIT_EVENTS)[number], number>;
const asRoot = process.getuid?.() === 0;

describe('the embedded PostgreSQL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-embedded-'));
    await fs.chmod(dir, 0o755);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('starts, serves, stops, and leaves no process handler behind (the exit code stays the runner’s)', async () => {
    const logger = createLogger('silent'); // a pino destination registers its own flush on exit
    const before = listenerCounts();
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 0, database: 'probe', logger });
    // While it runs, one 'exit' handler stops the server if the process ends without stopping it.
    expect(listenerCounts()).toEqual({ ...before, exit: before.exit + 1 });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ db: string; version: string }>('SELECT current_database() AS db, current_setting($1) AS version', ['server_version_num']);
    await client.end();
    expect(rows[0]?.db).toBe('probe');
    expect(Number(rows[0]?.version)).toBeGreaterThanOrEqual(180000);

    await db.stop();
    expect(listenerCounts()).toEqual(before);
    await expect(fs.stat(path.join(dir, 'pg', 'postmaster.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(asRoot)('as root, says in one line what to do when its data cannot be put where the postgres user reaches it', async () => {
    const privateDir = await fs.mkdtemp(path.join(dir, 'private-'));
    await fs.chmod(privateDir, 0o700);
    const blockedRuntime = path.join(dir, 'a-file');
    await fs.writeFile(blockedRuntime, '');
    const started = startEmbeddedPostgres({
      dataDir: path.join(privateDir, 'pg'),
      port: 0,
      rootRuntimeDir: path.join(blockedRuntime, 'leadgraph'),
      logger: createLogger('silent'),
    });
    await expect(started).rejects.toBeInstanceOf(EmbeddedPostgresError);
    const message = await started.catch((error: Error) => error.message);
    expect(message).toContain(`the "postgres" user, which cannot enter ${privateDir}`);
    expect(message).toContain('Set DATABASE_URL to an external PostgreSQL, set LEADGRAPH_DATA_DIR to a directory the postgres user can reach, or run leadgraph as a user other than root.');
    expect(message).not.toContain('\n');
  });
});
