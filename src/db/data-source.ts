import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities/index.js';

/** Options for {@link createDataSource}. */
export interface DataSourceOptions {
  /** A postgres:// URL. */
  readonly url: string;
  /** Largest number of pooled connections. */
  readonly poolSize?: number;
  /** Receives every SQL statement; tests use it to count queries. */
  readonly logger?: TypeOrmLogger;
}

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
  });
}

/** Applies every pending migration; returns the names of those applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
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
