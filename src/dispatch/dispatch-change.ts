import { type EntityManager } from 'typeorm';
import { type DispatchEntity } from '../db/entities/index.js';
import { type DispatchState } from '../domain/vocabulary.js';
import { appendStatusChange, type StatusChangeDraft } from '../events/status-change-log.js';
import { type CommandLike, type ProviderRegistry } from '../providers/index.js';

/**
 * Logs a dispatch's move (to SUCCEEDED or FAILED, or back to PENDING on a retry) in
 * the status-change log, inside the transaction that makes it: subscribers of
 * `dispatchChanged` learn of a dispatch's end as they learn of a record's change,
 * ordered, resumable with `after`, and a failure is as visible as a success.
 */
export async function appendDispatchChange(
  manager: EntityManager,
  registry: ProviderRegistry,
  dispatch: DispatchEntity,
  from: DispatchState,
  to: DispatchState,
): Promise<void> {
  await appendStatusChange(manager, dispatch.tenantId, dispatchChange(registry, dispatch, from, to));
}

/**
 * The log's row for a dispatch's move, to append with others (see `apply-result.ts`);
 * the record it names is the one its provider's command changes (`registry.recordOf`).
 */
export function dispatchChange(registry: ProviderRegistry, dispatch: DispatchEntity, from: DispatchState, to: DispatchState): StatusChangeDraft {
  const record = registry.recordOf(dispatch.payload as unknown as CommandLike);
  return {
    kind: 'DISPATCH',
    leadId: dispatch.leadId,
    dispatchId: dispatch.id,
    provider: dispatch.provider,
    entityId: record.entityId,
    customerId: record.customerId,
    from,
    to,
  };
}
