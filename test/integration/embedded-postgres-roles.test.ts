import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { credentialsFile, readCredentials } from '../../src/db/embedded/credentials.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/** Runs `sql` on a fresh connection to `url` and answers the error PostgreSQL gives, or `undefined` if none. */
async function refusal(url: string, sql: string): Promise<{ code: string; message: string } | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL at `url` (its role and password replaced) lets that login in. */
async function loginAs(url: string, role: string, password: string): Promise<string> {
  const as = new URL(url);
  as.username = role;
  as.password = password;
  const client = new pg.Client({ connectionString: as.toString() });
  try {
    await client.connect();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the embedded PostgreSQL gives the gateway a role that cannot reach past its database', () => {
  let dir: string;
  let db: EmbeddedDatabase;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-roles-'));
    await fs.chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach it
    db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 0, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await db?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('connects the gateway as "leadgraph", the owner of its database and no superuser', async () => {
    const url = new URL(db.url);
    expect(url.username).toBe('leadgraph');
    expect(url.pathname).toBe('/leadgraph');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<Record<string, unknown>>(
        `SELECT current_user AS "user", r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
                pg_get_userbyid(d.datdba) AS "databaseOwner",
                (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships
           FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
      );
      expect(rows[0]).toEqual({
        user: 'leadgraph',
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        databaseOwner: 'leadgraph',
        memberships: 0,
      });
    } finally {
      await client.end();
    }
  });

  it('refuses the gateway’s connection programs on the server, new roles and the password hashes', async () => {
    const notAllowed = { code: '42501', message: 'permission denied to COPY to or from an external program' };
    expect(await refusal(db.url, `COPY (SELECT 1) TO PROGRAM 'id'`)).toEqual(notAllowed);
    expect(await refusal(db.url, `CREATE TEMP TABLE out (line text); COPY out FROM PROGRAM 'id'`)).toEqual(notAllowed);
    expect(await refusal(db.url, 'CREATE ROLE intruder LOGIN SUPERUSER')).toEqual({ code: '42501', message: expect.stringContaining('permission denied to create role') });
    expect(await refusal(db.url, 'SELECT rolname, rolpassword FROM pg_authid')).toEqual({ code: '42501', message: 'permission denied for table pg_authid' });
    // The statements themselves are sound: the superuser, kept for setting up, may run them.
    expect(await refusal(db.adminUrl, `CREATE TEMP TABLE out (line text); COPY out FROM PROGRAM 'id'`)).toBeUndefined();
  });

  it('refuses the former fixed password, for the superuser and the gateway’s role alike', async () => {
    expect(await loginAs(db.url, 'postgres', 'leadgraph')).toBe('28P01');
    expect(await loginAs(db.url, 'leadgraph', 'leadgraph')).toBe('28P01');
  });

  it('keeps random passwords of its own per data directory in a file only this user may read', async () => {
    const file = credentialsFile(db.dataDir);
    const stat = await fs.stat(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.uid).toBe(process.getuid?.());
    const kept = await readCredentials(db.dataDir);
    expect(kept?.owner.password).toMatch(/^[\w-]{43}$/); // 32 random bytes, base64url
    expect(kept?.superuser.password).toMatch(/^[\w-]{43}$/);
    expect(kept?.superuser.password).not.toBe(kept?.owner.password);
    expect(decodeURIComponent(new URL(db.url).password)).toBe(kept?.owner.password);

    const other = await startEmbeddedPostgres({ dataDir: path.join(dir, 'other'), port: 0, logger: createLogger('silent') });
    try {
      const otherKept = await readCredentials(other.dataDir);
      expect(otherKept?.superuser.password).not.toBe(kept?.superuser.password);
      expect(otherKept?.owner.password).not.toBe(kept?.owner.password);
    } finally {
      await other.stop();
    }
  });

  it('lets the gateway’s role apply every migration, and owns what they create', async () => {
    const dataSource = createDataSource({ url: db.url, poolSize: 1 });
    await dataSource.initialize();
    try {
      expect((await runMigrations(dataSource)).length).toBeGreaterThan(0);
      const owners = await dataSource.query<Array<{ owner: string }>>(
        `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
      );
      expect(owners).toEqual([{ owner: 'leadgraph' }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
