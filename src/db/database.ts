import { type Config } from '../config.js';
import { type Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Where the gateway's PostgreSQL is, and how to let go of it. */
export interface DatabaseHandle {
  readonly url: string;
  /** True when this process started the database itself. */
  readonly embedded: boolean;
  /** Stops the embedded database; a no-op for an external one. */
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise an embedded PostgreSQL in `LEADGRAPH_DATA_DIR`.
 * A gateway owns its embedded server; a one-off command (`share`) uses the server of
 * a gateway already running on the same directory.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  whenInUse: 'own' | 'share' = 'own',
): Promise<DatabaseHandle> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl.reveal(), embedded: false, stop: () => Promise.resolve() };
  }
  const db = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    whenInUse,
    logger,
  });
  logger.info({ dataDir: db.dataDir, port: db.port }, 'embedded PostgreSQL started');
  return { url: db.url, embedded: true, stop: () => db.stop() };
}
