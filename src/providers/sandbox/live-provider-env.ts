import { DEFAULT_PROVIDERS, type DefaultProvider } from '../default-providers.js';
import { type AnyProviderDescriptor } from '../descriptor.js';

/** How a client reaches each of the default providers, by key. */
export type ProviderConnections = { readonly [D in DefaultProvider as D['key']]: Parameters<D['connect']>[0] };

/**
 * The environment that makes a gateway treat these endpoints as its live providers
 * (`*_BASE_URL` and credentials, the production path of `config.ts`): what
 * `leadgraph sandbox` prints, and what tests and benchmarks start gateways with.
 * `connections` is by provider key; `providers` says which, in which order.
 */
export function liveProviderEnv(
  connections: ProviderConnections | Readonly<Record<string, unknown>>,
  providers: readonly AnyProviderDescriptor[] = DEFAULT_PROVIDERS,
): Record<string, string> {
  const byKey = connections as Readonly<Record<string, unknown>>;
  const env: Record<string, string> = {};
  for (const provider of providers) {
    if (byKey[provider.key] !== undefined) Object.assign(env, provider.settings.env(byKey[provider.key]));
  }
  return env;
}
