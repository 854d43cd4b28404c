import { ConfigError, type Env, httpUrl, optional, Secret } from '../config-env.js';
import { type DefaultProvider } from './default-providers.js';
import { type AnyProviderDescriptor, type ProviderEnv, type ProviderId } from './descriptor.js';
import { loadSandboxRecords, type SandboxRecords } from './sandbox/sandbox-records.js';

/** A default provider's live settings (undefined: its built-in sandbox), by key, each typed as its descriptor reads it. */
type DefaultProviderSettings = { readonly [D in DefaultProvider as D['key']]: ReturnType<D['settings']['read']> | undefined };

/**
 * The upstream providers. A provider whose base URL is set is live (and its credentials
 * are required); one whose base URL is unset uses its built-in sandbox. Each
 * provider's live settings are its key's member (`providers.leadBank`), as its
 * descriptor read them.
 */
export type ProvidersConfig = DefaultProviderSettings & {
  /** Bound on every provider call, connection included (`PROVIDER_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** What the built-in sandboxes hold from the start (providers that are live ignore it). */
  readonly sandboxRecords: SandboxRecords;
  /** The webhook settings of each provider that calls the gateway, by provider id, as its `webhooks.read` read them. */
  readonly webhooks: Readonly<Record<ProviderId, unknown>>;
  /** The providers this configuration was read for, in order: the ones the gateway runs with. */
  readonly descriptors: readonly AnyProviderDescriptor[];
  readonly [key: string]: unknown;
};

/** A provider's live settings in `config`, or undefined when it runs on its built-in sandbox. */
export function liveSettingsOf(config: ProvidersConfig, provider: AnyProviderDescriptor): unknown {
  return config[provider.key];
}

/** Reads every provider's settings, as its descriptor declares them. */
export function loadProviders(env: Env, options: { production: boolean; timeoutMs: number; providers: readonly AnyProviderDescriptor[] }): ProvidersConfig {
  const live = Object.fromEntries(options.providers.map((provider) => [provider.key, liveSettings(env, provider, options.production)]));
  return {
    ...live,
    timeoutMs: options.timeoutMs,
    sandboxRecords: loadSandboxRecords(env, options.providers),
    webhooks: Object.fromEntries(options.providers.flatMap((provider) => (provider.webhooks ? [[provider.id, provider.webhooks.read(env)]] : []))),
    descriptors: options.providers,
  } as ProvidersConfig;
}

/** The provider's settings when its base URL is set (then each credential is required); undefined (sandbox) otherwise. */
function liveSettings(env: Env, provider: AnyProviderDescriptor, production: boolean): unknown {
  const { envPrefix: prefix, credentials } = provider.settings;
  const base = optional(env, `${prefix}_BASE_URL`);
  if (base === undefined) {
    const stray = credentials.find((name) => optional(env, name) !== undefined);
    if (stray !== undefined) {
      throw new ConfigError(`${prefix}_BASE_URL`, `a URL, because ${stray} is set (unset ${stray} to use the built-in sandbox)`, 'nothing');
    }
    if (production) throw new ConfigError(`${prefix}_BASE_URL`, 'the live provider URL in production (sandboxes are for development)', 'nothing');
    return undefined;
  }
  return settingsAt(env, provider, base);
}

/**
 * A connection's settings, from the provider's own variables (`LEADBANK_BASE_URL`,
 * `LEADBANK_CLIENT_ID`, …) as a tenant's stored connection holds them: the base URL
 * and every credential are required. A problem is a `ConfigError` naming the variable.
 */
export function connectionSettings(variables: Env, provider: AnyProviderDescriptor): unknown {
  const name = `${provider.settings.envPrefix}_BASE_URL`;
  const base = optional(variables, name);
  if (base === undefined) throw new ConfigError(name, `the URL of the ${provider.title} account`, 'nothing');
  return settingsAt(variables, provider, base);
}

/** The variables of `provider` in `env`: the ones named with its prefix (`LEADBANK_…`), which is all its descriptor reads. */
export function providerVariables(env: Env, provider: AnyProviderDescriptor): Record<string, string> {
  const prefix = `${provider.settings.envPrefix}_`;
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => (name.startsWith(prefix) && value !== undefined && value.trim() !== '' ? [[name, value.trim()]] : [])),
  );
}

function settingsAt(env: Env, provider: AnyProviderDescriptor, base: string): unknown {
  const prefix = provider.settings.envPrefix;
  const required = (name: string) => {
    const value = optional(env, name);
    if (value === undefined) throw new ConfigError(name, `a value, because ${prefix}_BASE_URL is set`, 'nothing');
    return value;
  };
  const reader: ProviderEnv = { required, optional: (name) => optional(env, name), secret: (name) => new Secret(required(name)) };
  return provider.settings.read(httpUrl(`${prefix}_BASE_URL`, base), reader);
}

/** A base URL as logs and listings show it: without any credentials it may carry. */
export function withoutCredentials(url: URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
