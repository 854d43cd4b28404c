import { isIP } from 'node:net';
import path from 'node:path';
import { SAMPLE_SANDBOX_RECORDS, type SandboxRecords } from './providers/sandbox/sandbox-records.js';

/** Log levels pino understands, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The gateway's whole configuration, read once from the environment.
 * Values that are secrets are wrapped in {@link Secret} so that they never print.
 */
export interface Config {
  /** TCP port of the HTTP server (0 picks a free one). */
  readonly port: number;
  /** Interface the HTTP server binds to. */
  readonly host: string;
  /**
   * Where providers reach this gateway from outside (`PUBLIC_URL`), for the callback
   * URLs it issues; unset, its own listening address (enough for local sandboxes).
   */
  readonly publicUrl: URL | undefined;
  /** External PostgreSQL; when absent the gateway runs an embedded PostgreSQL. */
  readonly databaseUrl: Secret | undefined;
  /** Bounds on every wait for the database, so a hung server cannot hang the gateway. */
  readonly dbTimeouts: DatabaseTimeouts;
  /** Where the embedded PostgreSQL keeps its data between runs. */
  readonly dataDir: string;
  /** Port of the embedded PostgreSQL (0 picks a free one). */
  readonly embeddedPostgresPort: number;
  /** `EMBEDDED_DATABASE_IN_PRODUCTION=allow`: a production start may use the embedded PostgreSQL (it refuses otherwise). */
  readonly embeddedDatabaseInProduction: boolean;
  readonly logLevel: LogLevel;
  /** `production` hides development conveniences (introspection, field suggestions, the bootstrap key). */
  readonly nodeEnv: string;
  readonly auth: AuthConfig;
  readonly limits: LimitsConfig;
  readonly providers: ProvidersConfig;
  readonly dispatch: DispatchConfig;
  readonly webhooks: WebhooksConfig;
  /** `auto`: a demo data set when the database is empty, sandboxes are in use and not in production. */
  readonly demoData: 'auto' | 'off';
  /** Browser origins (scheme://host[:port]) allowed to call /graphql over HTTP and open its WebSocket. */
  readonly corsOrigins: readonly string[];
  /** Proxies (addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`) whose `X-Forwarded-For` names the client. */
  readonly trustedProxies: readonly string[];
  /** The only credential `/metrics` answers to; unset: `/metrics` is off. Never a tenant's. */
  readonly metricsToken: Secret | undefined;
}

/** The origins of the usual local development servers (Vite, Next and Create React App), allowed outside production by default. */
export const DEVELOPMENT_ORIGINS: readonly string[] = [
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:3000',
  'http://127.0.0.1:3000',
];

/** How providers' webhooks are checked, and whose records they are. */
export interface WebhooksConfig {
  /** Verifies `Lead-Signature`; unset with a live Lead Bank: /webhooks/leadbank is off. With the sandbox, one is made up. */
  readonly leadBankSecret: Secret | undefined;
  /** Signatures older (or newer) than this are refused as replays. */
  readonly leadBankToleranceMs: number;
  /** Expected in a Tecalis callback's metadata; same rules as the Lead Bank secret. */
  readonly tecalisToken: Secret | undefined;
}

/** How long the gateway waits for its database before it answers 503 (see the README's "Operating it"). */
export interface DatabaseTimeouts {
  /** A new connection, and a free one from a full pool (pg's `connectionTimeoutMillis`). */
  readonly connectTimeoutMs: number;
  /**
   * The server cancels a statement running longer (`statement_timeout`); the client
   * gives up on an answer 1 s later and discards the connection (a server that is
   * stopped cannot cancel anything).
   */
  readonly statementTimeoutMs: number;
  /** The server ends a session left inside a transaction this long (`idle_in_transaction_session_timeout`). */
  readonly idleInTransactionTimeoutMs: number;
}

/** How the outbox sends: waits, retries, leases, the circuit breaker. */
export interface DispatchConfig {
  /** How long a mutation waits for its first attempt before answering PENDING. */
  readonly waitMs: number;
  /** Attempts before a dispatch that keeps failing transiently is FAILED. */
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt, with jitter, up to `backoffMaxMs`. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How often each instance looks for due dispatches. */
  readonly pollMs: number;
  /** How long a claim holds a dispatch; past it, another instance may send it again (same key). */
  readonly leaseMs: number;
  /** Due dispatches one instance sends at once. */
  readonly concurrency: number;
  readonly breakerFailureThreshold: number;
  readonly breakerCooldownMs: number;
}

/**
 * The four upstream providers. A provider whose base URL is set is live (and its
 * credentials are required); one whose base URL is unset uses its built-in sandbox.
 */
export interface ProvidersConfig {
  /** Bound on every provider call, connection included. */
  readonly timeoutMs: number;
  readonly techea: { readonly baseUrl: URL; readonly apiKey: Secret } | undefined;
  readonly leadBank:
    | { readonly baseUrl: URL; readonly clientId: string; readonly clientSecret: Secret; readonly scope: string | undefined }
    | undefined;
  readonly tecalis: { readonly baseUrl: URL; readonly apiKey: Secret } | undefined;
  readonly decisionCloud: { readonly baseUrl: URL; readonly clientId: string; readonly clientSecret: Secret } | undefined;
  /** What the built-in sandboxes hold from the start (providers that are live ignore it). */
  readonly sandboxRecords: SandboxRecords;
}

/** How callers prove who they are, besides API keys. */
export interface AuthConfig {
  /** Verifies HS256 JWTs with this shared secret. */
  readonly jwtSecret: Secret | undefined;
  /** Verifies JWTs against the keys published at this JWKS URL. */
  readonly jwtJwksUrl: URL | undefined;
  /** Required `iss` claim, when set. */
  readonly jwtIssuer: string | undefined;
  /** Required `aud` claim, when set. */
  readonly jwtAudience: string | undefined;
  /** Claim holding the tenant id. */
  readonly jwtTenantClaim: string;
  /** Claim holding the role (`viewer`, `operator` or `admin`). */
  readonly jwtRoleClaim: string;
  /** When set, the `typ` header every JWT must carry (e.g. `at+jwt`, RFC 9068's access tokens), so an ID token or another kind of JWT from the same issuer is refused. */
  readonly jwtType: string | undefined;
  /** Longest a JWT may live (`exp` − `iat`, and `exp` − now): a token minted for a century is refused. */
  readonly jwtMaxLifetimeSeconds: number;
  /** Clock difference tolerated with the issuer, for `exp`, `nbf` and `iat`. */
  readonly jwtClockSkewSeconds: number;
  /** Longest lifetime of an API key created by a JWT caller (who cannot create keys without an expiry). */
  readonly apiKeyFromJwtMaxDays: number;
}

/**
 * Abuse limits. Rate limits are per credential (API key or JWT subject) or per client
 * address, and held for the fleet (every instance counts in one store) unless
 * `rateLimitStore` is `memory`.
 */
export interface LimitsConfig {
  /** Largest accepted HTTP body, in bytes. */
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
  readonly maxCost: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxDirectives: number;
  /** GraphQL queries and mutations per second per credential, over HTTP and WebSocket together. */
  readonly requestsPerSecond: number;
  /** Subscriptions started over WebSocket per minute per credential. */
  readonly subscriptionStartsPerMinute: number;
  /** How often open WebSockets' API keys are checked for revocation: the bound within which another instance's revocation ends them. */
  readonly socketCredentialCheckSeconds: number;
  /** Operations open at once on one WebSocket connection. */
  readonly subscriptionsPerConnection: number;
  /** WebSockets one credential may hold open at once on one instance; past it, `connection_init` is closed with 4429. */
  readonly socketsPerCredential: number;
  /** WebSockets one client address may hold on one instance before their `connection_init` succeeds; past it, the upgrade is refused (429). */
  readonly pendingSocketsPerAddress: number;
  /** Status changes a subscriber may fall behind before its connection is closed (4410). */
  readonly subscriptionBuffer: number;
  /** Failed authentications per minute per client address before it is made to wait. */
  readonly authFailuresPerMinute: number;
  /**
   * Where the rate limits count (`RATE_LIMIT_STORE`): `postgres`, one count for every
   * instance on the database (falling back to this instance's memory while it cannot
   * be reached); `memory`, each instance on its own (tests, benchmarks, a single instance).
   */
  readonly rateLimitStore: 'postgres' | 'memory';
  /** Longest wait for a request's headers, from its first byte. */
  readonly httpHeadersTimeoutMs: number;
  /** Longest wait for a whole request (headers and body); a slow body is cut at this. */
  readonly httpRequestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  readonly httpKeepAliveTimeoutMs: number;
  /** Open connections (WebSockets included) one instance accepts; more are dropped. */
  readonly httpMaxConnections: number;
}

/** A configuration value that must not appear in logs, errors or responses. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The raw value, for the one place that needs it (a driver, an Authorization header). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

/** Thrown for a configuration value that cannot be used; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    got: string,
  ) {
    super(`${variable}: expected ${expected}, but got ${got}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The default place of the embedded database: inside the project, next to the code that uses it. */
export function defaultDataDir(cwd: string = process.cwd()): string {
  return path.join(cwd, '.leadgraph', 'postgres');
}

/**
 * Reads and validates the configuration. Every problem stops the start with one line
 * naming the variable and what was expected.
 */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl);
  const dataDir = optional(env, 'LEADGRAPH_DATA_DIR');
  refuseRetired(env, 'WEBHOOK_TENANT', 'a webhook about a record no tenant holds is kept until a tenant adopts the record');
  return {
    port: port(env, 'PORT', 4000),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    publicUrl: publicUrl(env),
    databaseUrl: databaseUrl === undefined ? undefined : new Secret(databaseUrl),
    dbTimeouts: {
      connectTimeoutMs: positiveInt(env, 'DB_CONNECT_TIMEOUT_MS', 5_000),
      statementTimeoutMs: positiveInt(env, 'DB_STATEMENT_TIMEOUT_MS', 10_000),
      idleInTransactionTimeoutMs: positiveInt(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000),
    },
    dataDir: dataDir === undefined ? defaultDataDir() : path.resolve(dataDir),
    embeddedPostgresPort: port(env, 'LEADGRAPH_EMBEDDED_PG_PORT', 0),
    embeddedDatabaseInProduction: allowed(env, 'EMBEDDED_DATABASE_IN_PRODUCTION'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    nodeEnv: optional(env, 'NODE_ENV') ?? 'development',
    auth: loadAuth(env),
    providers: loadProviders(env, (optional(env, 'NODE_ENV') ?? 'development') === 'production'),
    dispatch: loadDispatch(env),
    demoData: oneOf(env, 'DEMO_DATA', ['auto', 'off'] as const, 'auto'),
    corsOrigins: corsOrigins(env, (optional(env, 'NODE_ENV') ?? 'development') === 'production'),
    metricsToken: metricsToken(env),
    trustedProxies: trustedProxies(env),
    webhooks: {
      leadBankSecret: secretOf(env, 'LEADBANK_WEBHOOK_SECRET'),
      leadBankToleranceMs: positiveInt(env, 'LEADBANK_WEBHOOK_TOLERANCE_SECONDS', 300) * 1000,
      tecalisToken: secretOf(env, 'TECALIS_WEBHOOK_TOKEN'),
    },
    limits: {
      maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES', 1_048_576),
      maxDepth: positiveInt(env, 'GRAPHQL_MAX_DEPTH', 10),
      // GraphQL Armor's static cost: the contract's full `leads` read (every nested field) scores
      // about 25,000, so the default leaves room for it twice and refuses alias-multiplied copies.
      maxCost: positiveInt(env, 'GRAPHQL_MAX_COST', 50_000),
      maxAliases: positiveInt(env, 'GRAPHQL_MAX_ALIASES', 15),
      maxTokens: positiveInt(env, 'GRAPHQL_MAX_TOKENS', 2_000),
      maxDirectives: positiveInt(env, 'GRAPHQL_MAX_DIRECTIVES', 20),
      requestsPerSecond: positiveInt(env, 'RATE_LIMIT_PER_SECOND', 100),
      subscriptionStartsPerMinute: positiveInt(env, 'SUBSCRIPTION_STARTS_PER_MINUTE', 120),
      subscriptionsPerConnection: positiveInt(env, 'MAX_SUBSCRIPTIONS_PER_CONNECTION', 50),
      socketCredentialCheckSeconds: positiveInt(env, 'WS_CREDENTIAL_CHECK_SECONDS', 5),
      socketsPerCredential: positiveInt(env, 'WS_MAX_CONNECTIONS_PER_CREDENTIAL', 100),
      pendingSocketsPerAddress: positiveInt(env, 'WS_MAX_PENDING_PER_ADDRESS', 20),
      subscriptionBuffer: positiveInt(env, 'SUBSCRIPTION_BUFFER', 1_000),
      authFailuresPerMinute: positiveInt(env, 'AUTH_FAILURES_PER_MINUTE', 60),
      rateLimitStore: oneOf(env, 'RATE_LIMIT_STORE', ['postgres', 'memory'] as const, 'postgres'),
      httpHeadersTimeoutMs: positiveInt(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000),
      httpRequestTimeoutMs: positiveInt(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000),
      httpKeepAliveTimeoutMs: positiveInt(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000),
      httpMaxConnections: positiveInt(env, 'HTTP_MAX_CONNECTIONS', 10_000),
    },
  };
}

/** The scraper's token: long enough that it cannot be guessed, like the JWT secret. */
function metricsToken(env: Env): Secret | undefined {
  const token = optional(env, 'METRICS_TOKEN');
  if (token !== undefined && token.length < 32) throw new ConfigError('METRICS_TOKEN', 'at least 32 characters', `${token.length} characters`);
  return token === undefined ? undefined : new Secret(token);
}

function loadAuth(env: Env): AuthConfig {
  const secret = optional(env, 'AUTH_JWT_SECRET');
  const jwks = optional(env, 'AUTH_JWT_JWKS_URL');
  if (secret !== undefined && jwks !== undefined) {
    throw new ConfigError('AUTH_JWT_JWKS_URL', 'to be unset when AUTH_JWT_SECRET is set (one JWT verifier)', 'both set');
  }
  if (secret !== undefined && secret.length < 32) {
    // HS256 with a short secret can be brute-forced offline from any one token.
    throw new ConfigError('AUTH_JWT_SECRET', 'at least 32 characters', `${secret.length} characters`);
  }
  return {
    jwtSecret: secret === undefined ? undefined : new Secret(secret),
    jwtJwksUrl: jwks === undefined ? undefined : httpUrl('AUTH_JWT_JWKS_URL', jwks),
    jwtIssuer: optional(env, 'AUTH_JWT_ISSUER'),
    jwtAudience: optional(env, 'AUTH_JWT_AUDIENCE'),
    jwtTenantClaim: optional(env, 'AUTH_JWT_TENANT_CLAIM') ?? 'tenant',
    jwtRoleClaim: optional(env, 'AUTH_JWT_ROLE_CLAIM') ?? 'role',
    jwtType: optional(env, 'AUTH_JWT_TYPE'),
    jwtMaxLifetimeSeconds: positiveInt(env, 'AUTH_JWT_MAX_LIFETIME_SECONDS', 86_400),
    jwtClockSkewSeconds: nonNegativeInt(env, 'AUTH_JWT_CLOCK_SKEW_SECONDS', 60),
    apiKeyFromJwtMaxDays: positiveInt(env, 'API_KEY_FROM_JWT_MAX_DAYS', 90),
  };
}

const SANDBOX_RECORD_IDS = {
  SANDBOX_TECHEA_LEADS: { key: 'techeaLeadIds', expected: 'UUIDs', pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i },
  SANDBOX_LEADBANK_APPLICATIONS: { key: 'leadBankApplicationIds', expected: 'ids matching ^application_\\w+$', pattern: /^application_\w+$/ },
  SANDBOX_TECALIS_PROCESSES: { key: 'tecalisAuthUuids', expected: 'UUIDs', pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i },
  SANDBOX_DECISIONCLOUD_CUSTOMERS: { key: 'decisionCloudCustomerIds', expected: 'ids of 1 to 255 characters', pattern: /^[^\s,](?:[^,]{0,253}[^\s,])?$/ },
} as const;

/**
 * The built-in sandboxes' records: each `SANDBOX_*` variable, a comma-separated list of
 * ids (empty: none), replaces that provider's sample records. Also read by
 * `leadgraph sandbox`, which needs no other configuration.
 */
export function loadSandboxRecords(env: Env = process.env): SandboxRecords {
  const records: Record<string, readonly string[]> = { ...SAMPLE_SANDBOX_RECORDS };
  for (const [name, { key, expected, pattern }] of Object.entries(SANDBOX_RECORD_IDS)) {
    const value = env[name];
    if (value === undefined) continue;
    const ids = value.split(',').map((id) => id.trim()).filter((id) => id !== '');
    const bad = ids.find((id) => !pattern.test(id));
    if (bad !== undefined) throw new ConfigError(name, `a comma-separated list of ${expected}`, JSON.stringify(bad));
    records[key] = key === 'techeaLeadIds' || key === 'tecalisAuthUuids' ? ids.map((id) => id.toLowerCase()) : ids;
  }
  return records as unknown as SandboxRecords;
}

function loadProviders(env: Env, production: boolean): ProvidersConfig {
  /** The base URL when set (and then each credential, required); undefined (sandbox) otherwise. */
  const live = <T>(prefix: string, credentials: readonly string[], build: (baseUrl: URL, get: (name: string) => string) => T): T | undefined => {
    const base = optional(env, `${prefix}_BASE_URL`);
    if (base === undefined) {
      const stray = credentials.find((name) => optional(env, name) !== undefined);
      if (stray !== undefined) {
        throw new ConfigError(`${prefix}_BASE_URL`, `a URL, because ${stray} is set (unset ${stray} to use the built-in sandbox)`, 'nothing');
      }
      if (production) {
        throw new ConfigError(`${prefix}_BASE_URL`, 'the live provider URL in production (sandboxes are for development)', 'nothing');
      }
      return undefined;
    }
    const get = (name: string) => {
      const value = optional(env, name);
      if (value === undefined) throw new ConfigError(name, `a value, because ${prefix}_BASE_URL is set`, 'nothing');
      return value;
    };
    return build(httpUrl(`${prefix}_BASE_URL`, base), get);
  };
  return {
    timeoutMs: positiveInt(env, 'PROVIDER_TIMEOUT_MS', 10_000),
    techea: live('TECHEA', ['TECHEA_API_KEY'], (baseUrl, get) => ({ baseUrl, apiKey: new Secret(get('TECHEA_API_KEY')) })),
    leadBank: live('LEADBANK', ['LEADBANK_CLIENT_ID', 'LEADBANK_CLIENT_SECRET'], (baseUrl, get) => ({
      baseUrl,
      clientId: get('LEADBANK_CLIENT_ID'),
      clientSecret: new Secret(get('LEADBANK_CLIENT_SECRET')),
      scope: optional(env, 'LEADBANK_SCOPE'),
    })),
    tecalis: live('TECALIS', ['TECALIS_API_KEY'], (baseUrl, get) => ({ baseUrl, apiKey: new Secret(get('TECALIS_API_KEY')) })),
    decisionCloud: live('DECISIONCLOUD', ['DECISIONCLOUD_CLIENT_ID', 'DECISIONCLOUD_CLIENT_SECRET'], (baseUrl, get) => ({
      baseUrl,
      clientId: get('DECISIONCLOUD_CLIENT_ID'),
      clientSecret: new Secret(get('DECISIONCLOUD_CLIENT_SECRET')),
    })),
    sandboxRecords: loadSandboxRecords(env),
  };
}

function secretOf(env: Env, name: string): Secret | undefined {
  const value = optional(env, name);
  if (value !== undefined && value.length < 16) throw new ConfigError(name, 'at least 16 characters', `${value.length} characters`);
  return value === undefined ? undefined : new Secret(value);
}

/**
 * `CORS_ORIGINS`: exact origins, comma-separated (empty: none). Unset: none in
 * production, the local development servers' origins otherwise. A wildcard is refused:
 * the gateway's callers send credentials.
 */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `TRUST_PROXY`: the load balancers in front of the gateway, whose `X-Forwarded-For` is believed. */
function trustedProxies(env: Env): readonly string[] {
  const value = optional(env, 'TRUST_PROXY');
  if (value === undefined) return [];
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!PROXY_NAMES.has(entry) && (family === 0 || !validBits || rest.length > 0)) {
      throw new ConfigError('TRUST_PROXY', 'a comma-separated list of proxy addresses or CIDR ranges (10.0.0.0/8), or loopback, linklocal, uniquelocal', JSON.stringify(entry));
    }
  }
  return entries;
}

function corsOrigins(env: Env, production: boolean): readonly string[] {
  const value = env.CORS_ORIGINS;
  if (value === undefined) return production ? [] : DEVELOPMENT_ORIGINS;
  const origins = value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', 'a comma-separated list of exact origins like https://app.example.com (no path, no wildcard)', JSON.stringify(origin));
    }
  }
  return origins;
}

/**
 * `PUBLIC_URL`: an http(s) base URL, a path allowed (behind a proxy that serves the
 * gateway under one), nothing that would not survive having a path appended to it.
 */
function publicUrl(env: Env): URL | undefined {
  const raw = optional(env, 'PUBLIC_URL');
  if (raw === undefined) return undefined;
  const expected = 'an http:// or https:// base URL without credentials, query or fragment, e.g. https://gateway.example.com';
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  // Never echo credentials: they would be printed with the error.
  if (url !== undefined && (url.username !== '' || url.password !== '')) throw new ConfigError('PUBLIC_URL', expected, 'a URL with credentials');
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || raw.includes('?') || raw.includes('#')) {
    throw new ConfigError('PUBLIC_URL', expected, JSON.stringify(raw));
  }
  return url;
}

/**
 * A variable that no longer does anything is refused rather than ignored: whoever set
 * it expects a behaviour the gateway no longer has.
 */
function refuseRetired(env: Env, name: string, instead: string): void {
  if (optional(env, name) !== undefined) throw new ConfigError(name, `it unset (${instead})`, 'a value');
}

function loadDispatch(env: Env): DispatchConfig {
  const providerTimeout = positiveInt(env, 'PROVIDER_TIMEOUT_MS', 10_000);
  return {
    waitMs: positiveInt(env, 'DISPATCH_WAIT_MS', 5_000),
    maxAttempts: positiveInt(env, 'DISPATCH_MAX_ATTEMPTS', 8),
    backoffBaseMs: positiveInt(env, 'DISPATCH_BACKOFF_BASE_MS', 1_000),
    backoffMaxMs: positiveInt(env, 'DISPATCH_BACKOFF_MAX_MS', 300_000),
    pollMs: positiveInt(env, 'DISPATCH_POLL_MS', 500),
    leaseMs: positiveInt(env, 'DISPATCH_LEASE_MS', defaultLeaseMs(providerTimeout)),
    concurrency: positiveInt(env, 'DISPATCH_CONCURRENCY', 16),
    breakerFailureThreshold: positiveInt(env, 'BREAKER_FAILURE_THRESHOLD', 5),
    breakerCooldownMs: positiveInt(env, 'BREAKER_COOLDOWN_MS', 30_000),
  };
}

/**
 * `DISPATCH_LEASE_MS` when unset: 4 × `PROVIDER_TIMEOUT_MS` + 5000 (45 s by default).
 * Longer than any attempt can take (a token request, the call, and once more both
 * after a 401, each bounded by the provider timeout), so a live claim never expires
 * under its holder. The README states this formula; keep the two alike.
 */
export function defaultLeaseMs(providerTimeoutMs: number): number {
  return providerTimeoutMs * 4 + 5_000;
}

/** An explicit opt-in: `allow`, or unset. Anything else is refused, so a typo never passes for consent. */
function allowed(env: Env, name: string): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return false;
  if (raw !== 'allow') throw new ConfigError(name, '"allow" or nothing', JSON.stringify(raw));
  return true;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw new ConfigError(name, 'a whole number above 0', JSON.stringify(raw));
  return Number(raw);
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^(0|[1-9]\d{0,9})$/.test(raw)) throw new ConfigError(name, 'a whole number, 0 or more', JSON.stringify(raw));
  return Number(raw);
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'an http:// or https:// URL', JSON.stringify(raw));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'an http:// or https:// URL', JSON.stringify(raw));
  }
  return url;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new ConfigError(name, 'a port number from 0 to 65535', JSON.stringify(raw));
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `one of ${allowed.join(', ')}`, JSON.stringify(raw));
  }
  return raw as T;
}

function parseDatabaseUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it usually carries a password.
    throw new ConfigError('DATABASE_URL', 'a postgres:// or postgresql:// URL', 'a value that is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', 'a postgres:// or postgresql:// URL', `a ${url.protocol}// URL`);
  }
}
