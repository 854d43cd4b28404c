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

/** An adapter made from one version of a connection. */
interface ConnectedAdapter {
  readonly version: number;
  readonly adapter: CommandAdapter;
}

/**
 * The adapters of tenants' connections: one per connection, so its OAuth token is
 * cached for that account alone, replaced when the connection is rotated. (An attempt
 * with no connection sends with the environment's adapter: `dispatch/send-command.ts`.)
 */
export class ConnectionAdapters {
  private readonly adapters = new Map<string, ConnectedAdapter>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly options: AdapterOptions,
  ) {}

  /**
   * Sends `command` with the tenant's connection, at `version` or newer. Credentials
   * refused (UNAUTHORIZED) when a newer version exists are tried once more, at once,
   * with it (the same idempotency key): an attempt that started before a rotation
   * which revoked the old secret upstream is not lost.
   */
  async send(provider: AnyProviderDescriptor, tenantId: string, version: number, command: CommandLike, context: CallContext): Promise<AnswerNotes> {
    const used = await this.adapterFor(provider, tenantId, version);
    try {
      return await used.adapter.send(command, context);
    } catch (error) {
      if (!(error instanceof ProviderCallError) || error.code !== 'UNAUTHORIZED') throw error;
      const current = await this.store.version(tenantId, provider.id);
      if (current === undefined || current <= used.version) throw error;
      return (await this.adapterFor(provider, tenantId, current)).adapter.send(command, context);
    }
  }

  /** The adapter of the tenant's connection as it is now; undefined when the tenant has none to the provider. */
  async current(provider: AnyProviderDescriptor, tenantId: string): Promise<CommandAdapter | undefined> {
    const version = await this.store.version(tenantId, provider.id);
    return version === undefined ? undefined : (await this.adapterFor(provider, tenantId, version)).adapter;
  }

  /**
   * The adapter of the tenant's connection at `version` or newer. An attempt claimed
   * before a rotation may find a newer version here, and sends with it: the older one
   * is what the rotation replaced.
   */
  private async adapterFor(provider: AnyProviderDescriptor, tenantId: string, version: number): Promise<ConnectedAdapter> {
    const key = `${tenantId}\n${provider.id}`;
    const cached = this.adapters.get(key);
    if (cached !== undefined && cached.version >= version) return cached;
    const opened = await this.store.open(tenantId, provider.id);
    // Removed since the claim (a removal waits for no pending dispatch, so only a race gets here).
    if (opened === undefined) throw new ProviderCallError('REJECTED', `the tenant's connection to ${provider.title} was removed`);
    const connected = { version: opened.version, adapter: provider.connect(provider.settings.connection(connectionSettings(opened.variables, provider)), this.options) };
    this.adapters.set(key, connected);
    return connected;
  }
}
