import { type Logger as TypeOrmLogger } from 'typeorm';
import { type Gateway, startGateway } from '../../src/app.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { ConnectionStore } from '../../src/connections/connection-store.js';
import { SealedBox } from '../../src/connections/sealed-box.js';
import { type AnyProviderDescriptor } from '../../src/providers/index.js';
import { type RunningSandbox } from '../../src/providers/sandbox/running-sandbox.js';
import { type SandboxBehavior } from '../../src/providers/sandbox/sandbox-server.js';
import { DEFAULT_TENANT, type Role } from '../../src/domain/roles.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { type Target } from './graphql-client.js';

/** The scraper's token every test gateway is started with (`METRICS_TOKEN`). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/**
 * The key every test gateway seals provider connections with (`CONNECTIONS_KEY`): one
 * value, so that a second instance a test starts on the same database opens them too.
 */
export const TEST_CONNECTIONS_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * The environment of a second instance on `gateway`'s database, as a fleet runs them:
 * its database, a free port, no demo data, and the key its provider connections are
 * sealed with. `extra` adds the test's own settings.
 */
export function secondInstanceEnv(gateway: Pick<Gateway, 'db'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONNECTIONS_KEY: TEST_CONNECTIONS_KEY,
    DATABASE_URL: (gateway.db.options as { url: string }).url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'off',
    ...extra,
  };
}

/** The tenant that {@link TestGateway.other} belongs to. */
export const OTHER_TENANT = 'other-tenant';

/** A gateway on a fresh database of its own, listening on a free port, with a key per role. */
export interface TestGateway extends Gateway {
  /** Admin of the default tenant: what most tests act as. */
  readonly api: Target;
  /** A caller of the default tenant with the given role. */
  as(role: Role): Target;
  /** An admin of another tenant, which has accounts of its own at every provider (see {@link otherAccounts}). */
  readonly other: Target;
  /** {@link OTHER_TENANT}'s own accounts: a sandbox per provider, by provider id, connected at start (none on a shared database). */
  readonly otherAccounts: Record<string, RunningSandbox<SandboxBehavior, unknown>>;
  /** The token `/metrics` answers to. */
  readonly metricsToken: string;
  /** Its database (another gateway may share it, see {@link TestGatewayOptions.database}). */
  readonly database: TestDatabase;
  /** Creates one more key. */
  createKey(tenantId: string, role: Role): Promise<{ id: string; key: string }>;
  /** Tenants' provider connections, sealed with this gateway's `CONNECTIONS_KEY`. */
  readonly connections: ConnectionStore;
  /**
   * Gives `tenantId` an account of its own at each provider (all by default): a sandbox
   * per connection, started here and stopped with the gateway. Answers them by provider id.
   */
  connectSandboxes(tenantId: string, providers?: readonly string[]): Promise<Record<string, RunningSandbox<SandboxBehavior, unknown>>>;
  /** Closes the gateway and drops its database. */
  stop(): Promise<void>;
}

/** Options for {@link startTestGateway}. */
export interface TestGatewayOptions {
  readonly sqlLogger?: TypeOrmLogger;
  /** Extra environment, e.g. limits or JWT settings. */
  readonly env?: Record<string, string>;
  readonly logger?: Logger;
  /** How the gateway reaches its database, e.g. through a proxy a test can break (`tcp-proxy.ts`); directly by default. */
  readonly databaseVia?: (url: string) => string;
  /** Another gateway's database, shared (its records, keys, outbox): this gateway's stop leaves it. A fresh one by default. */
  readonly database?: TestDatabase;
  /** How queries and mutations run (`GatewayOptions.execution`); compiled by default. */
  readonly execution?: 'compiled' | 'graphql-js';
  /** The clock remembered API key checks age by; a test moves it past WS_CREDENTIAL_CHECK_SECONDS instead of waiting. */
  readonly apiKeyClock?: () => number;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: options.databaseVia?.(database.url) ?? database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // Tests fire requests far faster than a person; the limits have tests of their own.
    RATE_LIMIT_PER_SECOND: '100000',
    SUBSCRIPTION_STARTS_PER_MINUTE: '100000',
    AUTH_FAILURES_PER_MINUTE: '100000',
    // Every test client shares one address and few keys: the WebSocket caps have tests of their own.
    WS_MAX_PENDING_PER_ADDRESS: '100000',
    WS_MAX_CONNECTIONS_PER_CREDENTIAL: '100000',
    // Tests start from an empty database and seed what they need.
    DEMO_DATA: 'off',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    CONNECTIONS_KEY: TEST_CONNECTIONS_KEY,
    ...options.env,
  });
  const gateway = await startGateway(config, options.logger ?? createLogger('silent'), {
    ...(options.sqlLogger && { sqlLogger: options.sqlLogger }),
    ...(options.execution && { execution: options.execution }),
    ...(options.apiKeyClock && { apiKeyClock: options.apiKeyClock }),
  });
  const apiKeys = new ApiKeyService(gateway.db);
  const createKey = async (tenantId: string, role: Role) => {
    const { entity, key } = await apiKeys.create(tenantId, role, { createdBy: 'test' });
    return { id: entity.id, key };
  };
  const keys = {
    viewer: (await createKey(DEFAULT_TENANT, 'viewer')).key,
    operator: (await createKey(DEFAULT_TENANT, 'operator')).key,
    admin: (await createKey(DEFAULT_TENANT, 'admin')).key,
  };
  const other = (await createKey(OTHER_TENANT, 'admin')).key;
  const connections = new ConnectionStore(gateway.db, gateway.providers.registry, config.connectionsKeys && new SealedBox(config.connectionsKeys));
  const started: Array<RunningSandbox<SandboxBehavior, unknown>> = [];
  const connectSandboxes = async (tenantId: string, providers: readonly string[] = gateway.providers.registry.ids) => {
    const accounts: Record<string, RunningSandbox<SandboxBehavior, unknown>> = {};
    for (const id of providers) {
      const provider: AnyProviderDescriptor = gateway.providers.registry.descriptorOf(id);
      const running = await provider.sandbox.start({ ids: [], port: 0 });
      started.push(running);
      await connections.set(tenantId, id, provider.settings.env(running.connection));
      accounts[id] = running;
    }
    return accounts;
  };
  // A second lender: its own account at every provider, as issue #22 has it (on a shared
  // database, the first gateway's: connecting again would rotate them to this one's).
  const otherAccounts = options.database === undefined ? await connectSandboxes(OTHER_TENANT) : {};
  return {
    ...gateway,
    otherAccounts,
    api: { url: gateway.url, token: keys.admin },
    as: (role) => ({ url: gateway.url, token: keys[role] }),
    other: { url: gateway.url, token: other },
    metricsToken: options.env?.METRICS_TOKEN ?? TEST_METRICS_TOKEN,
    database,
    createKey,
    connections,
    connectSandboxes,
    async stop() {
      await gateway.close();
      await Promise.all(started.map((sandbox) => sandbox.stop()));
      if (options.database === undefined) await database.drop();
    },
  };
}
