import { type Logger as TypeOrmLogger } from 'typeorm';
import { type Gateway, startGateway } from '../../src/app.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_TENANT, type Role } from '../../src/domain/roles.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createTestDatabase } from './database.js';
import { type Target } from './graphql-client.js';

/** The scraper's token every test gateway is started with (`METRICS_TOKEN`). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/** The tenant that {@link TestGateway.other} belongs to. */
export const OTHER_TENANT = 'other-tenant';

/** A gateway on a fresh database of its own, listening on a free port, with a key per role. */
export interface TestGateway extends Gateway {
  /** Admin of the default tenant: what most tests act as. */
  readonly api: Target;
  /** A caller of the default tenant with the given role. */
  as(role: Role): Target;
  /** An admin of another tenant. */
  readonly other: Target;
  /** The token `/metrics` answers to. */
  readonly metricsToken: string;
  /** Creates one more key. */
  createKey(tenantId: string, role: Role): Promise<{ id: string; key: string }>;
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
  /** The clock remembered API key checks age by; a test moves it past WS_CREDENTIAL_CHECK_SECONDS instead of waiting. */
  readonly apiKeyClock?: () => number;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = await createTestDatabase();
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
    ...options.env,
  });
  const gateway = await startGateway(config, options.logger ?? createLogger('silent'), {
    ...(options.sqlLogger && { sqlLogger: options.sqlLogger }),
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
  return {
    ...gateway,
    api: { url: gateway.url, token: keys.admin },
    as: (role) => ({ url: gateway.url, token: keys[role] }),
    other: { url: gateway.url, token: other },
    metricsToken: options.env?.METRICS_TOKEN ?? TEST_METRICS_TOKEN,
    createKey,
    async stop() {
      await gateway.close();
      await database.drop();
    },
  };
}
