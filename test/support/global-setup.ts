import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where each test file may create its own database. */
    adminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole run: the one `DATABASE_URL` names when it is
 * set, otherwise an embedded one in a temporary directory, so `npm test` needs
 * nothing installed. Each test file then creates a database of its own on it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return () => Promise.resolve();
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-test-'));
  // As root, PostgreSQL runs as the `postgres` user: open the directory to it, or the
  // data would be moved under /var/lib/leadgraph (see src/db/embedded/placement.ts).
  await fs.chmod(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 0, logger: createLogger('silent') });
  // The superuser, as with DATABASE_URL: each test file creates (and drops) a database of its own.
  project.provide('adminDatabaseUrl', db.adminUrl);
  return async () => {
    await db.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
