import { DECISION_CLOUD } from './decisioncloud/index.js';
import { type AnyProviderDescriptor } from './descriptor.js';
import { LEAD_BANK } from './leadbank/index.js';
import { TECALIS } from './tecalis/index.js';
import { ProviderRegistry } from './registry.js';
import { TECHEA } from './techea/index.js';

/**
 * The providers the gateway runs with: adding one is one line here (and its folder).
 * Everything that deals with every provider iterates over this list, in this order
 * (start-up log, `leadgraph sandbox`, metrics). A test or a tool may run the gateway
 * with another list (`loadConfig(env, { providers })`).
 */
export const DEFAULT_PROVIDERS = [TECHEA, LEAD_BANK, TECALIS, DECISION_CLOUD] as const satisfies readonly AnyProviderDescriptor[];

/** One of the default providers' descriptors, with its own types. */
export type DefaultProvider = (typeof DEFAULT_PROVIDERS)[number];

/** The adapters of the default providers, by key, each typed by the commands it takes. */
export type ProviderAdapters = { readonly [D in DefaultProvider as D['key']]: ReturnType<D['connect']> };

/** The default providers, looked up (for what only they can be: the dispatches the GraphQL contract shows). */
export const DEFAULT_REGISTRY = new ProviderRegistry(DEFAULT_PROVIDERS);
