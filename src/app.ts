import { type AddressInfo } from 'node:net';
import { type DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { type ApiKeyService } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { createRateLimits } from './auth/rate-limit-store.js';
import { JwtVerifier } from './auth/jwt.js';
import { type Config } from './config.js';
import { ConfigError } from './config-env.js';
import { AccountApplications } from './connections/application-readers.js';
import { ConnectionAdapters } from './connections/connection-adapters.js';
import { ConnectionStore, UnopenableConnections } from './connections/connection-store.js';
import { ConnectionWebhooks } from './connections/connection-webhooks.js';
import { SealedBox } from './connections/sealed-box.js';
import { createDataSource, runMigrations } from './db/data-source.js';
import { openDatabase } from './db/database.js';
import { createServices } from './services/services.js';
import { LeadCursors } from './graphql/cursor.js';
import { gatewaySecret } from './db/gateway-secrets.js';
import { buildGatewaySchema } from './graphql/schema.js';
import { createHttpServer } from './http/server.js';
import { DEFAULT_TENANT } from './domain/roles.js';
import { type Logger } from './logger.js';
import { type ProviderRuntime, startProviders } from './providers/index.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { StatusChangeHub } from './events/change-hub.js';
import { GatewayMetrics } from './observability/metrics.js';
import { VerificationCallbacks } from './services/verification-callbacks.js';
import { WebhookIntake } from './services/webhook-intake.js';
import { seedDemoLeads } from './demo/demo-leads.js';
import { mirrorStoredRecords } from './demo/sandbox-sync.js';

/** A running gateway. */
export interface Gateway {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  readonly port: number;
  readonly db: DataSource;
  /**
   * The admin key created on this start for a development database that had none
   * (see {@link startGateway}); shown once, never logged.
   */
  readonly bootstrapKey: string | undefined;
  /** The provider adapters, and the built-in sandboxes of providers not configured. */
  readonly providers: ProviderRuntime;
  /** The outbox dispatcher of this instance. */
  readonly dispatcher: Dispatcher;
  /** Graceful stop: stop accepting, finish in-flight requests, close the pool, stop an embedded database. */
  close(): Promise<void>;
}

/** Extra wiring, for tests and tools. */
export interface GatewayOptions {
  /** Receives every SQL statement (tests count them). */
  readonly sqlLogger?: TypeOrmLogger;
  /** How queries and mutations run (see `HttpServerDeps.execution`); compiled unless a test asks otherwise. */
  readonly execution?: 'compiled' | 'graphql-js';
  /** The clock remembered API key checks age by (tests move it instead of waiting). */
  readonly apiKeyClock?: () => number;
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
    // Migrations first, on a connection of their own: a migration may rightly run longer
    // than the statement bound every request gets.
    const applied = await migrateWith(database.url, { connectTimeoutMs: config.dbTimeouts.connectTimeoutMs });
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
    const db = createDataSource({ url: database.url, timeouts: config.dbTimeouts, ...(options.sqlLogger && { logger: options.sqlLogger }) });
    await db.initialize();
    cleanups.push(['connection pool', () => db.destroy()]);

    const providers = await startProviders(config.providers, logger);
    cleanups.push(['provider sandboxes', () => providers.stop()]);
    await loadDemoAndMirror(config, db, providers, logger);
    // This instance's metrics, in a registry of its own (several instances can share a process).
    const metrics = new GatewayMetrics({ providers: providers.registry });
    const connections = await openConnections(config, db, providers, logger);
    const dispatcher = new Dispatcher({ db, providers: { ...providers, connections: connections.adapters }, config: config.dispatch, logger, metrics });
    const changes = new StatusChangeHub(
      db,
      database.url,
      { subscriberBuffer: config.limits.subscriptionBuffer, safetyPollMs: 5_000, connectTimeoutMs: config.dbTimeouts.connectTimeoutMs },
      logger,
    );
    metrics.readAtScrape({ db, outbox: dispatcher.outbox, breakers: dispatcher, changes, logger });
    await changes.start();
    cleanups.push(['status-change feed', () => changes.stop()]);
    // The gateway's own address is known once it listens (PORT=0 picks one).
    const listening: { baseUrl?: URL } = {};
    const callbacks = new VerificationCallbacks(db, {
      publicUrl: () => {
        const base = config.publicUrl ?? listening.baseUrl;
        if (base === undefined) throw new Error('a callback URL was asked for before the gateway listens');
        return base;
      },
      // A built-in Tecalis sandbox is handed the URLs, as whoever creates a process hands them to Tecalis.
      onIssued: (issued) =>
        providers.callbacksIssued({ authUuid: issued.authUuid, callback: issued.callbackUrl, callbackKo: issued.callbackKoUrl }),
    });
    if (config.publicUrl === undefined && providers.sandboxes.TECALIS === undefined) {
      logger.warn('PUBLIC_URL is not set: Tecalis callback URLs are issued on the gateway\'s own address, which a live Tecalis may not reach');
    }
    const services = createServices(
      db,
      dispatcher,
      config.dispatch.maxAttempts,
      changes,
      callbacks,
      { fromJwtMaxDays: config.auth.apiKeyFromJwtMaxDays },
      new LeadCursors(await gatewaySecret(db, 'lead-cursor')),
      // A key revoked elsewhere stops working here within the bound its open sockets are checked by.
      { trustForMs: config.limits.socketCredentialCheckSeconds * 1000, ...(options.apiKeyClock && { now: options.apiKeyClock }) },
    );
    const bootstrapKey = await createBootstrapKey(config, database.embedded, services.apiKeys, logger);
    // Counted in the database every instance shares (RATE_LIMIT_STORE), so the limits hold for the fleet.
    const rateLimits = createRateLimits(config.limits, database.url, logger);
    cleanups.push(['rate-limit store', () => rateLimits.close()]);
    const http = await createHttpServer({
      schema: await buildGatewaySchema(),
      services,
      db,
      authenticator: new Authenticator(services.apiKeys, JwtVerifier.fromConfig(config.auth)),
      limits: config.limits,
      rateLimits,
      production: config.nodeEnv === 'production',
      corsOrigins: config.corsOrigins,
      trustedProxies: config.trustedProxies,
      metricsToken: config.metricsToken,
      admin: { token: config.adminToken, connections: connections.store, canSeal: config.connectionsKeys !== undefined },
      webhooks: { providers: providers.webhooks, records: new WebhookIntake(db, callbacks, new AccountApplications(providers.registry, providers.adapters, connections.adapters)), connections: connections.webhooks },
      logger,
      observability: { metrics, changes, breakers: dispatcher },
      ...(options.execution && { execution: options.execution }),
    });
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(config.port, config.host, resolve);
    });
    dispatcher.start();
    // Cleanups run last first: on a stop, the HTTP side goes first (stop accepting, finish
    // in-flight requests, close WebSockets with 1001), then the dispatcher stops claiming
    // and waits for its calls in flight; what is left PENDING is for other instances.
    cleanups.push(['dispatcher', () => dispatcher.stop()]);
    cleanups.push(['http server', () => http.stop()]);

    const { port } = http.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    listening.baseUrl = new URL(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`);
    providers.connectWebhooks(listening.baseUrl);
    return { url: `http://${host}:${port}/graphql`, port, db, bootstrapKey, providers, dispatcher, close: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Tenants' own provider connections. A database that holds some needs the key they
 * were sealed with: without it, or when one of them opens with none of the keys given,
 * the start stops, rather than fail those tenants' calls one by one later.
 */
async function openConnections(
  config: Config,
  db: DataSource,
  providers: ProviderRuntime,
  logger: Logger,
): Promise<{ readonly store: ConnectionStore; readonly adapters: ConnectionAdapters; readonly webhooks: ConnectionWebhooks }> {
  const store = new ConnectionStore(db, providers.registry, config.connectionsKeys && new SealedBox(config.connectionsKeys));
  if (config.connectionsKeys === undefined) {
    if ((await store.count()) > 0) {
      throw new ConfigError('CONNECTIONS_KEY', 'the key the stored provider connections were sealed with (leadgraph connections list shows them)', 'nothing');
    }
  } else {
    try {
      await store.assertAllOpen();
    } catch (error) {
      if (!(error instanceof UnopenableConnections)) throw error;
      throw new ConfigError('CONNECTIONS_KEY', 'the key the stored provider connections were sealed with, or the one it replaces in CONNECTIONS_KEY_PREVIOUS', error.message);
    }
  }
  return {
    store,
    adapters: new ConnectionAdapters(store, { timeoutMs: config.providers.timeoutMs, logger }),
    webhooks: new ConnectionWebhooks(store, providers.registry),
  };
}

/**
 * The first five minutes: on an empty database with the built-in sandboxes (and not in
 * production), a demo data set; and whatever the database holds is put into the
 * sandboxes, which start empty at every start.
 */
async function loadDemoAndMirror(config: Config, db: DataSource, providers: ProviderRuntime, logger: Logger): Promise<void> {
  const mirror = providers.sandboxMirror;
  if (!mirror.any) return;
  const empty = (await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM lead`))[0]?.n === 0;
  if (empty && config.demoData === 'auto' && config.nodeEnv !== 'production') {
    const leads = await seedDemoLeads(db, mirror);
    logger.info({ leads }, 'loaded the demo data set (set DEMO_DATA=off to start empty)');
    return; // seeding mirrored as it went
  }
  await mirrorStoredRecords(db, mirror);
}

/**
 * The two-command Quick start must give a usable gateway, and every request needs a
 * key. So a development start on the embedded database, with no key at all yet,
 * creates an admin key for the default tenant. Never in production, never on an
 * external database (create keys there with `leadgraph keys create`).
 */
async function createBootstrapKey(
  config: Config,
  embedded: boolean,
  apiKeys: ApiKeyService,
  logger: Logger,
): Promise<string | undefined> {
  if (!embedded || config.nodeEnv === 'production' || !(await apiKeys.isEmpty())) return undefined;
  const { entity, key } = await apiKeys.create(DEFAULT_TENANT, 'admin', { label: 'development key created at first start', createdBy: 'startup' });
  logger.warn({ keyId: entity.id, tenant: DEFAULT_TENANT }, 'created a development admin key (printed once below)');
  return key;
}

/** Applies pending migrations and stops: `leadgraph migrate`. */
export async function migrateOnly(config: Config, logger: Logger): Promise<string[]> {
  const database = await openDatabase(config, logger, 'share');
  try {
    return await migrateWith(database.url, { connectTimeoutMs: config.dbTimeouts.connectTimeoutMs });
  } finally {
    await database.stop();
  }
}

/** Applies pending migrations over one connection of their own, bounded only in its connect. */
async function migrateWith(url: string, timeouts: { connectTimeoutMs: number }): Promise<string[]> {
  const db = createDataSource({ url, poolSize: 1, timeouts });
  await db.initialize();
  try {
    return await runMigrations(db);
  } finally {
    await db.destroy();
  }
}
