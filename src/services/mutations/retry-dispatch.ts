import { type DispatchEntity } from '../../db/entities/index.js';
import { rejectedInput } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
import { ENVIRONMENT_TENANT, requireProviderAccount } from '../../connections/provider-accounts.js';
import { type MutationDeps } from './input-checks.js';

/** `retryDispatch`: sends a FAILED dispatch again with its original idempotency key and a fresh budget of attempts. */
export async function retryDispatch(deps: MutationDeps, tenantId: string, id: string, maxAttempts: number): Promise<DispatchEntity> {
  requireUuid(id, 'id');
  if (tenantId !== ENVIRONMENT_TENANT) {
    // Sent again with the tenant's own account: refused while it has none (nothing requeued).
    const dispatch = await deps.dispatcher.outbox.find(tenantId, id);
    if (dispatch !== null) await requireProviderAccount(deps.db, tenantId, dispatch.provider, 'id');
  }
  const requeued = await deps.dispatcher.outbox.requeue(tenantId, id, maxAttempts);
  if (requeued !== null) return requeued;
  const current = await deps.dispatcher.outbox.find(tenantId, id);
  throw rejectedInput(
    'id',
    current === null ? `no dispatch ${id} is known to the gateway` : `dispatch ${id} is ${current.state}; only a FAILED dispatch can be retried`,
  );
}
