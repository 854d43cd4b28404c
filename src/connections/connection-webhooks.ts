import { type Router } from 'express';
import { type InboundDeps, type ProviderId, type ProviderRegistry } from '../providers/index.js';
import { type ConnectionStore } from './connection-store.js';

/** Where a tenant's connection to a provider takes its webhooks, under `/webhooks/`: `<path>/connections/<tenant>`. */
export function connectionWebhookPath(providerPath: string, tenantId: string): string {
  return `${providerPath}/connections/${tenantId}`;
}

/**
 * The webhook routes of tenants' connections: `/webhooks/<path>/connections/<tenant>`
 * answers with the provider's own routes (its descriptor's `webhooks`), configured from
 * that tenant's connection (its `LEADBANK_WEBHOOK_SECRET`, …) and writing to that
 * tenant's records only. So a webhook lands in the tenant whose URL and secret it came
 * through: no tenant is guessed from a record's id. Made once per connection version.
 */
export class ConnectionWebhooks {
  private readonly routes = new Map<string, { readonly version: number; readonly router: Router }>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly registry: ProviderRegistry,
  ) {}

  /** The routes of the tenant's connection to the provider; undefined when it has none. */
  async routesOf(tenantId: string, providerId: ProviderId, deps: InboundDeps): Promise<Router | undefined> {
    const spec = this.registry.descriptorOf(providerId).webhooks;
    if (spec === undefined) return undefined;
    const version = await this.store.version(tenantId, providerId);
    if (version === undefined) return undefined;
    const key = `${tenantId}\n${providerId}`;
    const cached = this.routes.get(key);
    if (cached?.version === version) return cached.router;
    const opened = await this.store.open(tenantId, providerId);
    if (opened === undefined) return undefined;
    const router = spec.routes(spec.read(opened.variables), deps);
    this.routes.set(key, { version: opened.version, router });
    return router;
  }
}
