import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { type DatabaseTimeouts } from '../config.js';
import { BoundedClient } from './bounded-client.js';
import { withMigrationLock } from './migration-lock.js';
import { ENTITIES } from './entities/index.js';

/** Options for {@link createDataSource}. */
export interface DataSourceOptions {
  /** A postgres:// URL. */
  readonly url: string;
  /** Largest number of pooled connections. */
  readonly poolSize?: number;
  /** Receives every SQL statement; tests use it to count queries. */
  readonly logger?: TypeOrmLogger;
  /**
   * Bounds on every wait for the database; each one left out is not bounded. Without
   * them a hung server hangs every caller: the gateway sets all three, migrations only
   * the connect (a migration may rightly run long).
   */
  readonly timeouts?: Partial<DatabaseTimeouts>;
}

/**
 * How much longer than the server's `statement_timeout` the client waits for an answer:
 * the server's own cancel, which keeps the connection, normally comes first; the
 * client's bound is for a server that cannot answer at all.
 */
export const READ_TIMEOUT_GRACE_MS = 1_000;

/** A TypeORM data source over `pg`. The schema comes only from migrations, never `synchronize`. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: options.poolSize ?? 10,
    logger: options.logger ?? silentTypeOrmLogger,
    applicationName: 'leadgraph',
    ...(options.timeouts !== undefined && boundedPool(options.timeouts)),
  });
}

/**
 * pg-pool's `connectionTimeoutMillis` bounds both a new connection and the wait for a
 * free one in a full pool; the two session settings are sent at connect; the client
 * bounds each statement's answer (see `bounded-client.ts`).
 */
function boundedPool(timeouts: Partial<DatabaseTimeouts>) {
  const { connectTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = timeouts;
  return {
    ...(connectTimeoutMs !== undefined && { connectTimeoutMS: connectTimeoutMs }),
    extra: {
      ...(statementTimeoutMs !== undefined && {
        Client: BoundedClient,
        readTimeoutMs: statementTimeoutMs + READ_TIMEOUT_GRACE_MS,
        statement_timeout: statementTimeoutMs,
      }),
      ...(idleInTransactionTimeoutMs !== undefined && { idle_in_transaction_session_timeout: idleInTransactionTimeoutMs }),
    },
  };
}

/** Applies every pending migration; returns the names of those applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const { url, connectTimeoutMS } = dataSource.options as { url: string; connectTimeoutMS?: number };
  const applied = await withMigrationLock(url, connectTimeoutMS, () => dataSource.runMigrations({ transaction: 'each' }));
  return applied.map((m) => m.name);
}

/** Whether the code knows migrations the database has not applied yet. */
export function hasPendingMigrations(dataSource: DataSource): Promise<boolean> {
  return dataSource.showMigrations();
}

const silentTypeOrmLogger: TypeOrmLogger = {
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};
