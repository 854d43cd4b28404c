import { type EntityManager } from 'typeorm';
import { StatusChangeEntity } from '../db/entities/index.js';
import { type StatusChangeKind } from '../db/entities/status-change.entity.js';

/** The channel every instance LISTENs on; the payload is `<tenant>:<id>`, never the row. */
export const STATUS_CHANGE_CHANNEL = 'leadgraph_status_change';

/** Namespace of the advisory locks that order the log (the first of the two lock keys). */
const LOG_LOCK_NAMESPACE = 41_772;

/** One change to append to the status-change log. */
export interface StatusChangeDraft {
  /** `RECORD` when absent. */
  readonly kind?: StatusChangeKind;
  /** Null only for a DISPATCH change of a dispatch no lead holds. */
  readonly leadId: string | null;
  /** The dispatch of a DISPATCH change, or the one whose confirmed result made a RECORD change. */
  readonly dispatchId?: string | null;
  /** A Decision Cloud change's customer. */
  readonly customerId?: string | null;
  /** The provider's id: a contract `Provider` for every RECORD change, any provider's for a DISPATCH change. */
  readonly provider: string;
  readonly entityId: string;
  readonly from: string | null;
  readonly to: string;
  readonly occurredAt?: Date;
}

/**
 * Appends a status change inside the caller's transaction, so it commits with the
 * change it records.
 *
 * Ids must become visible in increasing order: a reader that has seen id N must
 * never later find a committed change below N. A plain sequence does not promise
 * that (a transaction can take id 10, commit after one that took 11). So each
 * append first takes a transaction-level advisory lock for the tenant, held until
 * commit: the tenant's appends take ids and commit one after the other. Readers
 * only ever read one tenant's log, so per-tenant order is the order that matters,
 * and tenants do not wait for each other.
 *
 * The NOTIFY is delivered by PostgreSQL only when the transaction commits, in
 * commit order: publication happens after commit, by construction.
 */
export async function appendStatusChange(manager: EntityManager, tenantId: string, change: StatusChangeDraft): Promise<StatusChangeEntity> {
  const occurredAt = change.occurredAt ?? new Date();
  // Lock, insert and notify in one statement: one round trip while the tenant's lock is
  // held instead of three. The MATERIALIZED lock CTE is evaluated before the INSERT reads
  // its row, so the id (the identity default, computed per inserted row) is taken under
  // the lock, as the ordering rule needs.
  const [row] = await manager.query<Array<{ id: string }>>(
    `WITH log_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($1, hashtext($2)) AS locked),
          appended AS (
            INSERT INTO status_change (tenant_id, lead_id, provider, entity_id, from_status, to_status, occurred_at, kind, dispatch_id, customer_id)
            SELECT $2, $3, $4, $5, $6, $7, $8, $10, $11, $12 FROM log_lock
            RETURNING id)
     SELECT id, pg_notify($9, $2 || ':' || id) FROM appended`,
    [
      LOG_LOCK_NAMESPACE,
      tenantId,
      change.leadId,
      change.provider,
      change.entityId,
      change.from,
      change.to,
      occurredAt,
      STATUS_CHANGE_CHANNEL,
      change.kind ?? 'RECORD',
      change.dispatchId ?? null,
      change.customerId ?? null,
    ],
  );
  if (row === undefined) throw new Error('appendStatusChange: the INSERT returned no row');
  const id = String(row.id);
  return Object.assign(new StatusChangeEntity(), {
    id,
    tenantId,
    leadId: change.leadId,
    provider: change.provider,
    entityId: change.entityId,
    fromStatus: change.from,
    toStatus: change.to,
    occurredAt,
    kind: change.kind ?? 'RECORD',
    dispatchId: change.dispatchId ?? null,
    customerId: change.customerId ?? null,
  });
}
