import { isIP } from 'node:net';
import path from 'node:path';
import { allowed, ConfigError, type Env, httpUrl, nonNegativeInt, oneOf, optional, port, positiveInt, Secret } from './config-env.js';
import { DEFAULT_PROVIDERS } from './providers/default-providers.js';
import { type ConnectionsKeys, connectionsKeys } from './connections/sealed-box.js';
import { type AnyProviderDescriptor } from './providers/descriptor.js';
import { loadProviders, type ProvidersConfig } from './providers/provider-settings.js';
import { loadSandboxRecords as loadRecords, type SandboxRecords } from './providers/sandbox/sandbox-records.js';

import { LOG_LEVELS, type LogLevel } from './logger.js';

export { ConfigError, LOG_LEVELS, Secret, type LogLevel };
export type { ProvidersConfig };

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
  /** `auto`: a demo data set when the database is empty, sandboxes are in use and not in production. */
  readonly demoData: 'auto' | 'off';
  /** Browser origins (scheme://host[:port]) allowed to call /graphql over HTTP and open its WebSocket. */
  readonly corsOrigins: readonly string[];
  /** Proxies (addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`) whose `X-Forwarded-For` names the client. */
  readonly trustedProxies: readonly string[];
  /** The only credential `/metrics` answers to; unset: `/metrics` is off. Never a tenant's. */
  readonly metricsToken: Secret | undefined;
  /** The only credential `/admin` answers to (tenants' provider connections); unset: `/admin` is off. Never a tenant's. */
  readonly adminToken: Secret | undefined;
  /** Seal tenants' provider connections at rest (`CONNECTIONS_KEY`, and `CONNECTIONS_KEY_PREVIOUS` while replacing it); unset: no connection can be set or used. */
  readonly connectionsKeys: ConnectionsKeys | undefined;
}

/** The origins of the usual local development servers (Vite, Next and Create React App), allowed outside production by default. */
export const DEVELOPMENT_ORIGINS: readonly string[] = [
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:3000',
  'http://127.0.0.1:3000',
];

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


/** The default place of the embedded database: inside the project, next to the code that uses it. */
export function defaultDataDir(cwd: string = process.cwd()): string {
  return path.join(cwd, '.leadgraph', 'postgres');
}

/**
 * Reads and validates the configuration. Every problem stops the start with one line
 * naming the variable and what was expected.
 */
export function loadConfig(env: Env = process.env, options: { readonly providers?: readonly AnyProviderDescriptor[] } = {}): Config {
  const production = (optional(env, 'NODE_ENV') ?? 'development') === 'production';
  // Bounds every provider call, and (through the default lease) the dispatcher's claims.
  const providerTimeoutMs = positiveInt(env, 'PROVIDER_TIMEOUT_MS', 10_000);
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
    providers: loadProviders(env, { production, timeoutMs: providerTimeoutMs, providers: options.providers ?? DEFAULT_PROVIDERS }),
    dispatch: loadDispatch(env, providerTimeoutMs),
    demoData: oneOf(env, 'DEMO_DATA', ['auto', 'off'] as const, 'auto'),
    corsOrigins: corsOrigins(env, production),
    metricsToken: operatorToken(env, 'METRICS_TOKEN'),
    adminToken: operatorToken(env, 'ADMIN_TOKEN'),
    connectionsKeys: connectionsKeys(env),
    trustedProxies: trustedProxies(env),
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
/** A token of the operator's own routes (`METRICS_TOKEN`, `ADMIN_TOKEN`): 32 characters or more, or unset (the route is off). */
function operatorToken(env: Env, name: string): Secret | undefined {
  const token = optional(env, name);
  if (token !== undefined && token.length < 32) throw new ConfigError(name, 'at least 32 characters', `${token.length} characters`);
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

/**
 * The built-in sandboxes' records (see `sandbox-records.ts`): also read by
 * `leadgraph sandbox`, which needs no other configuration.
 */
export function loadSandboxRecords(env: Env = process.env, providers: readonly AnyProviderDescriptor[] = DEFAULT_PROVIDERS): SandboxRecords {
  return loadRecords(env, providers);
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

function loadDispatch(env: Env, providerTimeout: number): DispatchConfig {
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
