import { type Router } from 'express';
import { type Logger } from '../logger.js';
import { type ProviderAdapters } from './default-providers.js';
import { type AnyProviderDescriptor, type CommandAdapter, type IssuedCallbacks, type ProviderId, type SandboxHooks } from './descriptor.js';
import { type AdapterOptions } from './provider.js';
import { liveSettingsOf, type ProvidersConfig, withoutCredentials } from './provider-settings.js';
import { ProviderRegistry } from './registry.js';
import { combineMirrors, type RecordMirror, type SandboxMirror } from './sandbox/record-mirror.js';
import { describeSandboxRecords } from './sandbox/sandbox-records.js';
import { type SandboxServer } from './sandbox/sandbox-server.js';
import { type InboundDeps } from './webhook-port.js';

export { isRetryable, PROVIDER_ERROR_CODES, ProviderCallError, type ProviderErrorCode } from './provider-error.js';
export type * from './provider.js';
export { isApplicationReader } from './provider.js';
export type { InputProblem } from './input-problem.js';
export type { ProviderAdapters } from './default-providers.js';
export { DEFAULT_PROVIDERS, DEFAULT_REGISTRY } from './default-providers.js';
export type { AnyProviderDescriptor, CommandAdapter, CommandLike, IssuedCallbacks, ProviderId, RecordIdentity } from './descriptor.js';
export type { LocalRecords } from './local-records.js';
export type { CallbackGrant, CallbackOutcome, InboundDeps, InboundRecords, IntakeOutcome } from './webhook-port.js';
export { WebhookNotPlaced } from './webhook-port.js';
export type { MirroredRecords, SandboxMirror } from './sandbox/record-mirror.js';
export { ProviderRegistry } from './registry.js';
export { checkApplicationUpdate, documentKindOf } from './leadbank/index.js';
export { loanAsSent } from './decisioncloud/index.js';

/** How one provider is reached in this process. */
export interface ProviderEndpoint {
  readonly provider: ProviderId;
  readonly mode: 'live' | 'sandbox';
  /** Where it is (no credentials in it). */
  readonly url: string;
}

/** A provider's webhook routes, with the settings in force bound (see `WebhookSpec`). */
export interface ProviderWebhookRoutes {
  readonly provider: ProviderId;
  /** Mounted at `/webhooks/<path>`. */
  readonly path: string;
  routes(deps: InboundDeps): Router;
}

/** Every provider's adapter, and the sandboxes started for providers that are not configured. */
export interface ProviderRuntime {
  /** The providers this process runs with, and which owns which command. */
  readonly registry: ProviderRegistry;
  /** Each provider's adapter, by its descriptor's key (the default ones typed by their commands). */
  readonly adapters: ProviderAdapters & Readonly<Record<string, CommandAdapter>>;
  readonly endpoints: readonly ProviderEndpoint[];
  /** The in-process sandboxes, by provider id (for fault injection in tests and benchmarks). */
  readonly sandboxes: Readonly<Record<ProviderId, SandboxServer>>;
  /**
   * Makes the built-in sandboxes hold the records the gateway holds (a sandbox starts
   * empty, the database does not). Does nothing for a provider that is live.
   */
  readonly sandboxMirror: SandboxMirror;
  /** The routes of the providers that call the gateway. */
  readonly webhooks: readonly ProviderWebhookRoutes[];
  /**
   * Gives a built-in sandbox that calls back per process (Tecalis) a process's callback
   * URLs, as whoever creates a process gives them to the provider. Nothing for a live provider.
   */
  callbacksIssued(issued: IssuedCallbacks): void;
  /** Points the built-in sandboxes that send webhooks (Lead Bank) at the gateway, signed with the secrets in force. */
  connectWebhooks(gatewayBaseUrl: URL): void;
  stop(): Promise<void>;
}

/**
 * Connects every provider of `config.descriptors`: live where its base URL is
 * configured, otherwise to a built-in sandbox started here on a free local port. The
 * log says which, per provider.
 */
export async function startProviders(config: ProvidersConfig, logger: Logger): Promise<ProviderRuntime> {
  const registry = new ProviderRegistry(config.descriptors);
  const options: AdapterOptions = { timeoutMs: config.timeoutMs, logger };
  const endpoints: ProviderEndpoint[] = [];
  const sandboxes: Record<ProviderId, SandboxServer> = {};
  const stops: Array<() => Promise<void>> = [];
  const mirrors: RecordMirror[] = [];
  const hooks: SandboxHooks[] = [];
  const adapters: Record<string, CommandAdapter> = {};
  const webhooks: ProviderWebhookRoutes[] = [];

  /** The provider's webhook settings in force: a sandbox may need what a live provider is not given (a secret to sign with). */
  const webhookSettings = (provider: AnyProviderDescriptor, sandboxed: boolean): unknown => {
    const spec = provider.webhooks;
    if (spec === undefined) return undefined;
    const read = config.webhooks[provider.id];
    const settings = sandboxed && spec.forSandbox ? spec.forSandbox(read) : read;
    webhooks.push({ provider: provider.id, path: spec.path, routes: (deps) => spec.routes(settings, deps) });
    return settings;
  };

  const connect = async (provider: AnyProviderDescriptor): Promise<CommandAdapter> => {
    const live = liveSettingsOf(config, provider);
    if (live !== undefined) {
      const connection: unknown = provider.settings.connection(live);
      const url = withoutCredentials((live as { baseUrl: URL }).baseUrl);
      endpoints.push({ provider: provider.id, mode: 'live', url });
      webhookSettings(provider, false);
      logger.info({ provider: provider.id, mode: 'live', url }, `${provider.id}: live at ${url}`);
      return provider.connect(connection, options);
    }
    const running = await provider.sandbox.start({ ids: config.sandboxRecords[provider.sandbox.records.key] ?? [], port: 0 });
    stops.push(() => running.stop());
    sandboxes[provider.id] = running.server;
    mirrors.push(provider.sandbox.mirror(running.behavior));
    const webhook = webhookSettings(provider, true);
    if (provider.sandbox.hooks !== undefined) hooks.push(provider.sandbox.hooks(running.behavior, webhook));
    const url = running.baseUrl.href;
    endpoints.push({ provider: provider.id, mode: 'sandbox', url });
    logger.info({ provider: provider.id, mode: 'sandbox', url }, `${provider.id}: built-in sandbox at ${url} (${provider.settings.envPrefix}_BASE_URL is not set)`);
    return provider.connect(running.connection, options);
  };

  try {
    for (const provider of registry.descriptors) adapters[provider.key] = await connect(provider);
    const sandboxed = registry.descriptors.filter((provider) => sandboxes[provider.id] !== undefined);
    const held = describeSandboxRecords(config.sandboxRecords, sandboxed);
    if (held.length > 0) logger.info({ records: held }, `sandbox records the gateway has never seen (first contact adopts them): ${held.join('; ')}`);
    return {
      registry,
      adapters: adapters as ProviderRuntime['adapters'],
      endpoints,
      sandboxes,
      sandboxMirror: combineMirrors(mirrors),
      webhooks,
      callbacksIssued: (issued) => hooks.forEach((hook) => hook.callbacksIssued?.(issued)),
      connectWebhooks: (base) => hooks.forEach((hook) => hook.connectWebhooks?.(base)),
      stop: () => Promise.all(stops.map((stop) => stop())).then(() => undefined),
    };
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw error;
  }
}
