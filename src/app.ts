import { type AddressInfo } from 'node:net';
import { type DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { type Config } from './config.js';
import { createDataSource, runMigrations } from './db/data-source.js';
import { openDatabase } from './db/database.js';
import { createServices } from './graphql/context.js';
import { buildGatewaySchema } from './graphql/schema.js';
import { createHttpServer } from './http/server.js';
import { type Logger } from './logger.js';

/** A running gateway. */
export interface Gateway {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  readonly port: number;
  readonly db: DataSource;
  /** Graceful stop: stop accepting, finish in-flight requests, close the pool, stop an embedded database. */
  close(): Promise<void>;
}

/** Extra wiring, for tests and tools. */
export interface GatewayOptions {
  /** Receives every SQL statement (tests count them). */
  readonly sqlLogger?: TypeOrmLogger;
}

/** Wires database, schema and HTTP server together and starts listening. */
export async function startGateway(config: Config, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const database = await openDatabase(config, logger);
  const cleanups: Array<[string, () => Promise<void>]> = [['database', () => database.stop()]];
  const cleanUp = async () => {
    for (const [name, cleanup] of cleanups.splice(0).reverse()) {
      logger.debug({ part: name }, 'stopping');
      await cleanup().catch((error: unknown) => logger.error({ err: error, part: name }, 'error while shutting down'));
    }
  };
  try {
    const db = createDataSource({ url: database.url, ...(options.sqlLogger && { logger: options.sqlLogger }) });
    await db.initialize();
    cleanups.push(['connection pool', () => db.destroy()]);
    const applied = await runMigrations(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');

    const http = await createHttpServer({
      schema: await buildGatewaySchema(),
      services: createServices(db),
      db,
      logger,
    });
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(config.port, config.host, resolve);
    });
    cleanups.push(['http server', () => http.stop()]);

    const { port } = http.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { url: `http://${host}:${port}/graphql`, port, db, close: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Applies pending migrations and stops: `leadgraph migrate`. */
export async function migrateOnly(config: Config, logger: Logger): Promise<string[]> {
  const database = await openDatabase(config, logger);
  try {
    const db = createDataSource({ url: database.url, poolSize: 1 });
    await db.initialize();
    try {
      return await runMigrations(db);
    } finally {
      await db.destroy();
    }
  } finally {
    await database.stop();
  }
}
