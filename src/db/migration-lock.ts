import pg from 'pg';

/**
 * The advisory lock key every gateway takes while it migrates: the ASCII of "leadgrap"
 * shifted into a positive bigint, an arbitrary constant unlikely to meet another
 * application's key on a shared server.
 */
export const MIGRATION_LOCK_KEY = '3905378106302083256';

/**
 * Runs `work` holding the fleet's migration lock. Instances of a fleet start together
 * (a compose file's replicas, a deploy rolling several at once); on a fresh database
 * each would find every migration pending and race to create the same tables, and all
 * but one would fail to start. With the lock, the first migrates and the others wait,
 * then find nothing left to do.
 *
 * The lock lives on a connection of its own, outside the data source's pool: the pool
 * may hold a single connection, which the migrations need. A session-level lock is
 * released by the server if this process dies, so a crash never leaves it held.
 */
export async function withMigrationLock<T>(url: string, connectTimeoutMs: number | undefined, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'leadgraph migrations',
    ...(connectTimeoutMs !== undefined && { connectionTimeoutMillis: connectTimeoutMs }),
  });
  // An error on the idle lock connection (the server restarting) must not crash the process;
  // the migrations' own connection reports the failure.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await client.end().catch(() => undefined); // ending the session releases the lock
  }
}
