import { type ApplicationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { type CommandAdapter, isApplicationReader, ProviderCallError, type ProviderRegistry } from '../providers/index.js';
import { type ConnectionAdapters } from './connection-adapters.js';
import { ENVIRONMENT_TENANT } from './provider-accounts.js';

/** Reads a Lead Bank application as Lead Bank holds it now, in a tenant's own account. */
export interface CurrentApplications {
  /** Throws a `ProviderCallError` when Lead Bank cannot be asked (or refuses). */
  current(tenantId: string, applicationId: string): Promise<ApplicationRecord>;
}

/**
 * {@link CurrentApplications} with the account each tenant's records belong to: the
 * environment's for the default tenant, the tenant's connection for any other (an id
 * is an id of one account: another lender's application of the same id is another).
 */
export class AccountApplications implements CurrentApplications {
  constructor(
    private readonly registry: ProviderRegistry,
    /** The environment's adapters, by descriptor key. */
    private readonly environment: Readonly<Record<string, CommandAdapter>>,
    private readonly connections: ConnectionAdapters | undefined,
  ) {}

  async current(tenantId: string, applicationId: string): Promise<ApplicationRecord> {
    const provider = this.registry.descriptorOf(Provider.LEAD_BANK);
    const adapter =
      tenantId === ENVIRONMENT_TENANT ? this.environment[provider.key] : await this.connections?.current(provider, tenantId);
    if (adapter === undefined) throw new ProviderCallError('REJECTED', `this tenant has no connection to ${provider.title}`);
    if (!isApplicationReader(adapter)) throw new Error(`${provider.id}'s adapter in this process cannot read an application`);
    return adapter.readApplication(applicationId);
  }
}
