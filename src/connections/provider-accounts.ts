import { type DataSource, type EntityManager } from 'typeorm';
import { GatewayError } from '../domain/errors.js';
import { DEFAULT_TENANT } from '../domain/roles.js';
import { type ProviderId } from '../providers/index.js';

/**
 * The tenant whose account the environment's provider settings are: a single-tenant
 * deployment and `npm start` need no connection. Every other tenant acts at a provider
 * only through a connection of its own (`provider_connection`).
 */
export const ENVIRONMENT_TENANT = DEFAULT_TENANT;

/**
 * Refuses (`PROVIDER_NOT_CONNECTED`, naming `field`) unless the tenant has an account
 * at the provider, before anything is written. A provider's ids are the ids of an
 * account (two lenders' `CUST-1039` are two people), so a tenant reaches provider
 * records, by first contact or by dispatch, only within an account of its own. The
 * environment's tenant always has one (no statement); any other, when it holds a connection.
 */
export async function requireProviderAccount(db: DataSource | EntityManager, tenantId: string, provider: ProviderId, field: string): Promise<void> {
  if (tenantId === ENVIRONMENT_TENANT) return;
  const rows = await db.query<unknown[]>(`SELECT 1 FROM provider_connection WHERE tenant_id = $1 AND provider = $2`, [tenantId, provider]);
  if (rows.length > 0) return;
  throw new GatewayError(
    'PROVIDER_NOT_CONNECTED',
    `${field}: this tenant has no connection to ${provider}; an administrator adds one with "leadgraph connections set"`,
    field,
  );
}
