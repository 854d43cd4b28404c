import { type AnyProviderDescriptor, type AnswerNotes, type CallContext, type CommandAdapter, type CommandLike, ProviderCallError } from '../providers/index.js';
import { type AdapterOptions } from '../providers/provider.js';
import { connectionSettings } from '../providers/provider-settings.js';
import { type ConnectionStore } from './connection-store.js';

/** Which account an attempt sends with: the tenant's connection at the version claimed, or the environment's (`null`). */
export interface ConnectionRef {
  readonly tenantId: string;
  /** The tenant's connection's version when the attempt was claimed; null: the tenant has none. */
  readonly version: number | null;
}

/**
 * The adapter each attempt sends with. A tenant with a connection to the provider sends
 * with it: one adapter per connection, so its OAuth token is cached for that account
 * alone, replaced when the connection is rotated. A tenant without one sends with the
 * environment's account, as every tenant did before connections.
 */
export class ConnectionAdapters {
  private readonly adapters = new Map<string, { readonly version: number; readonly adapter: CommandAdapter }>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly options: AdapterOptions,
  ) {}

  /**
   * Sends `command` with the account `ref` names. A connection's credentials refused
   * (UNAUTHORIZED) after it was rotated are tried once more, at once, with the new
   * version (the same idempotency key): an attempt that started before a rotation
   * which revoked the old secret upstream is not lost.
   */
  async send(
    provider: AnyProviderDescriptor,
    ref: ConnectionRef,
    environment: CommandAdapter | undefined,
    command: CommandLike,
    context: CallContext,
  ): Promise<AnswerNotes> {
    const adapter = await this.adapterFor(provider, ref, environment);
    try {
      return await adapter.send(command, context);
    } catch (error) {
      if (ref.version === null || !(error instanceof ProviderCallError) || error.code !== 'UNAUTHORIZED') throw error;
      const used = this.adapters.get(keyOf(ref.tenantId, provider))?.version ?? ref.version;
      const current = await this.store.version(ref.tenantId, provider.id);
      if (current === undefined || current <= used) throw error;
      return (await this.adapterFor(provider, { tenantId: ref.tenantId, version: current }, environment)).send(command, context);
    }
  }

  /**
   * The adapter for `ref`, `environment` when it names no connection. An attempt claimed
   * before a rotation may find a newer version here, and sends with it: the older one
   * is what the rotation replaced.
   */
  async adapterFor(provider: AnyProviderDescriptor, ref: ConnectionRef, environment: CommandAdapter | undefined): Promise<CommandAdapter> {
    if (ref.version === null) {
      if (environment === undefined) throw new Error(`${provider.id} has no adapter in this process`);
      return environment;
    }
    const key = keyOf(ref.tenantId, provider);
    const cached = this.adapters.get(key);
    if (cached !== undefined && cached.version >= ref.version) return cached.adapter;
    const opened = await this.store.open(ref.tenantId, provider.id);
    // Removed since the claim (a removal waits for no pending dispatch, so only a race gets here).
    if (opened === undefined) throw new ProviderCallError('REJECTED', `the tenant's connection to ${provider.title} was removed`);
    const adapter = provider.connect(provider.settings.connection(connectionSettings(opened.variables, provider)), this.options);
    this.adapters.set(key, { version: opened.version, adapter });
    return adapter;
  }
}

function keyOf(tenantId: string, provider: AnyProviderDescriptor): string {
  return `${tenantId}\n${provider.id}`;
}
