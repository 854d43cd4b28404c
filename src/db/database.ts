import { type Config, ConfigError } from '../config.js';
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
 * a gateway already running on the same directory. In production the embedded server
 * is refused unless `EMBEDDED_DATABASE_IN_PRODUCTION=allow`: it lives on one machine's
 * disk, with no backup, replica or tuning, which a production deployment should not
 * get by forgetting a variable.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  whenInUse: 'own' | 'share' = 'own',
): Promise<DatabaseHandle> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl.reveal(), embedded: false, stop: () => Promise.resolve() };
  }
  if (config.nodeEnv === 'production') {
    if (!config.embeddedDatabaseInProduction) {
      throw new ConfigError(
        'DATABASE_URL',
        'an external PostgreSQL in production (the embedded one is for development; EMBEDDED_DATABASE_IN_PRODUCTION=allow uses it anyway)',
        'nothing',
      );
    }
    logger.warn('production on the embedded PostgreSQL (EMBEDDED_DATABASE_IN_PRODUCTION=allow): its data lives only in LEADGRAPH_DATA_DIR on this machine');
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
