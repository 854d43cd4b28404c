import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { credentialsFile, generateCredentials, readCredentials, writeCredentials } from '../../src/db/embedded/credentials.js';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';
import { makeFormerCluster } from '../support/former-cluster.js';
import { captureLogs } from '../support/log-capture.js';

const FORMER_LINE = /still had the former fixed password/;

async function canLogIn(url: string, role: string, password: string): Promise<boolean> {
  const as = new URL(url);
  as.username = role;
  as.password = password;
  const client = new pg.Client({ connectionString: as.toString() });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('a data directory made with the former fixed password', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-former-'));
    await fs.chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach it
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('gets random passwords and a non-superuser owner at its first start, says so once, and keeps its data', async () => {
    const dataDir = path.join(dir, 'upgraded');
    const { leadId } = await makeFormerCluster(dataDir);
    const logs = captureLogs('info');
    const db = await startEmbeddedPostgres({ dataDir, port: 0, logger: logs.logger });
    try {
      expect(logs.entries().filter((entry) => FORMER_LINE.test(entry.msg ?? ''))).toHaveLength(1);
      expect((await fs.stat(credentialsFile(dataDir))).mode & 0o777).toBe(0o600);
      expect(await canLogIn(db.url, 'postgres', 'leadgraph')).toBe(false);

      const dataSource = createDataSource({ url: db.url, poolSize: 1 });
      await dataSource.initialize();
      try {
        const [me] = await dataSource.query<Array<{ user: string; super: boolean }>>(`SELECT current_user AS "user", usesuper AS super FROM pg_user WHERE usename = current_user`);
        expect(me).toEqual({ user: 'leadgraph', super: false });
        expect(await dataSource.query(`SELECT advertiser_ref FROM lead WHERE id = $1`, [leadId])).toEqual([{ advertiser_ref: 'FORMER-1' }]);
        // Every table the superuser's migrations made, and their identity sequences, now belong to the gateway's role...
        const owners = await dataSource.query<Array<{ owner: string }>>(
          `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
        );
        expect(owners).toEqual([{ owner: 'leadgraph' }]);
        // ...so the next migrations, run as that role, can change them: the last one, undone and applied again.
        await dataSource.undoLastMigration({ transaction: 'each' });
        expect(await runMigrations(dataSource)).toHaveLength(1);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      await db.stop();
    }

    const kept = await fs.readFile(credentialsFile(dataDir), 'utf8');
    const again = captureLogs('info');
    const restarted = await startEmbeddedPostgres({ dataDir, port: 0, logger: again.logger });
    await restarted.stop();
    expect(again.entries().filter((entry) => FORMER_LINE.test(entry.msg ?? ''))).toEqual([]);
    expect(await fs.readFile(credentialsFile(dataDir), 'utf8')).toBe(kept);
  });

  it('is finished by the next start when a start died after writing the new passwords but before setting them', async () => {
    const dataDir = path.join(dir, 'interrupted');
    await makeFormerCluster(dataDir);
    const written = generateCredentials();
    await writeCredentials(dataDir, written); // what the interrupted start left behind
    const logs = captureLogs('info');
    const db = await startEmbeddedPostgres({ dataDir, port: 0, logger: logs.logger });
    try {
      expect(logs.entries().filter((entry) => FORMER_LINE.test(entry.msg ?? ''))).toHaveLength(1);
      expect(await readCredentials(dataDir)).toEqual(written);
      expect(await canLogIn(db.adminUrl, 'postgres', written.superuser.password)).toBe(true);
      expect(await canLogIn(db.url, 'leadgraph', written.owner.password)).toBe(true);
      expect(await canLogIn(db.url, 'postgres', 'leadgraph')).toBe(false);
    } finally {
      await db.stop();
    }
  });

  it('stops with one line, and its server stopped, when neither the kept nor the former password is accepted', async () => {
    const dataDir = path.join(dir, 'foreign-file');
    const first = await startEmbeddedPostgres({ dataDir, port: 0, logger: createLogger('silent') });
    await first.stop();
    await writeCredentials(dataDir, generateCredentials()); // a file from another data directory

    const started = startEmbeddedPostgres({ dataDir, port: 0, logger: createLogger('silent') });
    const error = await started.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    expect((error as Error).message).toBe(
      `The embedded PostgreSQL cannot be used: the PostgreSQL in ${dataDir} refuses the superuser password kept in ${credentialsFile(dataDir)}; ` +
        'restore the file made with this data directory, or set LEADGRAPH_DATA_DIR to a fresh directory.',
    );
    await expect(fs.stat(path.join(dataDir, 'postmaster.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
