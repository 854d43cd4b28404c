import { ENVIRONMENT_TENANT } from '../connections/provider-accounts.js';
import { type ProviderId } from '../providers/index.js';

/**
 * Which circuit breaker a tenant's calls to a provider count against: one per account.
 * The environment's account keeps the provider's own key (`LEAD_BANK`), so its row in
 * `provider_breaker`, its metrics and `/readyz` read as before; a tenant's connection
 * has `LEAD_BANK@<tenant>`, so one tenant's failing account holds back no one else's
 * calls. (`@` never appears in a provider id or a tenant id.)
 */
export function breakerKey(tenantId: string, provider: ProviderId): string {
  return tenantId === ENVIRONMENT_TENANT ? provider : `${provider}@${tenantId}`;
}

/** The provider a breaker key is of. */
export function providerOfBreakerKey(key: string): ProviderId {
  const at = key.indexOf('@');
  return at === -1 ? key : key.slice(0, at);
}

/** The SQL of {@link breakerKey} over a `dispatch` row, with the environment's tenant as `$param`. */
export function breakerKeySql(param: string): string {
  return `(CASE WHEN dispatch.tenant_id = ${param} THEN dispatch.provider ELSE dispatch.provider || '@' || dispatch.tenant_id END)`;
}
