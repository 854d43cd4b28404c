/**
 * The pieces every part of the configuration reads the environment with: one line per
 * problem, naming the variable. Apart from `config.ts` so that provider descriptors
 * can declare and read their own variables without importing the whole configuration.
 */

/** The environment, as read. */
export type Env = Readonly<Record<string, string | undefined>>;

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


/** An explicit opt-in: `allow`, or unset. Anything else is refused, so a typo never passes for consent. */
export function allowed(env: Env, name: string): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return false;
  if (raw !== 'allow') throw new ConfigError(name, '"allow" or nothing', JSON.stringify(raw));
  return true;
}

/** A secret that may be unset; when set, at least 16 characters (a short one is guessable). */
export function optionalSecret(env: Env, name: string): Secret | undefined {
  const value = optional(env, name);
  if (value !== undefined && value.length < 16) throw new ConfigError(name, 'at least 16 characters', `${value.length} characters`);
  return value === undefined ? undefined : new Secret(value);
}

export function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw new ConfigError(name, 'a whole number above 0', JSON.stringify(raw));
  return Number(raw);
}

export function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^(0|[1-9]\d{0,9})$/.test(raw)) throw new ConfigError(name, 'a whole number, 0 or more', JSON.stringify(raw));
  return Number(raw);
}

export function httpUrl(name: string, raw: string): URL {
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

export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function port(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new ConfigError(name, 'a port number from 0 to 65535', JSON.stringify(raw));
  }
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `one of ${allowed.join(', ')}`, JSON.stringify(raw));
  }
  return raw as T;
}
