import path from 'node:path';

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
  /** External PostgreSQL; when absent the gateway runs an embedded PostgreSQL. */
  readonly databaseUrl: Secret | undefined;
  /** Where the embedded PostgreSQL keeps its data between runs. */
  readonly dataDir: string;
  /** Port of the embedded PostgreSQL (0 picks a free one). */
  readonly embeddedPostgresPort: number;
  readonly logLevel: LogLevel;
  /** `production` hides development conveniences. */
  readonly nodeEnv: string;
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
  return {
    port: port(env, 'PORT', 4000),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: databaseUrl === undefined ? undefined : new Secret(databaseUrl),
    dataDir: dataDir === undefined ? defaultDataDir() : path.resolve(dataDir),
    embeddedPostgresPort: port(env, 'LEADGRAPH_EMBEDDED_PG_PORT', 0),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    nodeEnv: optional(env, 'NODE_ENV') ?? 'development',
  };
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
