import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/** The PostgreSQL server a run uses, and how to let go of it. */
export interface BenchServer {
  /** A URL to a maintenance database, for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** A fresh, migrated database of one run. */
export interface BenchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * `DATABASE_URL`'s server when it is set, otherwise an embedded PostgreSQL in a temporary
 * directory (as `npm start` and `npm test` do): the benchmark needs nothing installed.
 */
export async function openBenchServer(): Promise<BenchServer> {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    const url = new URL(external);
    return { adminUrl: external, description: `DATABASE_URL (${url.host})`, stop: () => Promise.resolve() };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-bench-'));
  await fs.chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach the directory
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 0, logger: createLogger('silent') });
  return {
    adminUrl: db.adminUrl,
    description: 'embedded PostgreSQL (embedded-postgres)',
    async stop() {
      await db.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database on `server` and applies the gateway's migrations to it. */
export async function createBenchDatabase(server: BenchServer): Promise<BenchDatabase> {
  const name = `leadgraph_bench_${randomBytes(5).toString('hex')}`;
  await withClient(server.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  const db = createDataSource({ url: url.toString(), poolSize: 1 });
  await db.initialize();
  try {
    await runMigrations(db);
  } finally {
    await db.destroy();
  }
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await withClient(server.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Runs `work` on one short-lived connection to `url`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
