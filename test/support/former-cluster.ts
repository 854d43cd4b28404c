import pg from 'pg';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { locateBinaries } from '../../src/db/embedded/binaries.js';
import { placeForServerUser, ROOT_RUNTIME_DIR } from '../../src/db/embedded/placement.js';
import { initCluster, startServer } from '../../src/db/embedded/postgres-process.js';
import { serverUserForRoot } from '../../src/db/embedded/server-user.js';
import { FORMER_FIXED_PASSWORD } from '../../src/db/embedded/superuser-login.js';
import { freePort } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

/**
 * Makes `dataDir` what leadgraph made before data directories had credentials: the
 * superuser `postgres` with the fixed password, no other role, the `leadgraph` database
 * migrated by that superuser (so it owns every table), and one lead in it. The server
 * is stopped again; `dataDir` must be reachable by the `postgres` user when run as root.
 */
export async function makeFormerCluster(dataDir: string): Promise<{ leadId: string }> {
  const logger = createLogger('silent');
  const runAs = await serverUserForRoot();
  const binaries = locateBinaries();
  const placed =
    runAs === undefined ? binaries : (await placeForServerUser({ binaries, dataDir, user: runAs, runtimeDir: ROOT_RUNTIME_DIR, logger })).binaries;
  const cluster = { binaries: placed, dataDir, runAs, logger };
  await initCluster({ ...cluster, superuser: 'postgres', password: FORMER_FIXED_PASSWORD });
  const port = await freePort();
  const server = await startServer({ ...cluster, port });
  try {
    const url = (database: string) => `postgres://postgres:${FORMER_FIXED_PASSWORD}@127.0.0.1:${port}/${database}`;
    const admin = new pg.Client({ connectionString: url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE leadgraph');
    await admin.end();
    const dataSource = createDataSource({ url: url('leadgraph'), poolSize: 1 });
    await dataSource.initialize();
    try {
      await runMigrations(dataSource);
      const [lead] = await dataSource.query<Array<{ id: string }>>(`INSERT INTO lead (tenant_id, advertiser_ref) VALUES ('default', 'FORMER-1') RETURNING id`);
      return { leadId: lead!.id };
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await server.stop();
  }
}
