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
  const [appended] = await appendStatusChanges(manager, tenantId, [change]);
  return appended!;
}

/**
 * Appends `changes` in their order (ascending ids), in one statement, inside the
 * caller's transaction, under the same rule as {@link appendStatusChange}: the tenant's
 * log lock first, then every id, then a NOTIFY for each. A dispatch's result and its
 * end are appended together this way: one round trip, and the lock held as briefly.
 */
export async function appendStatusChanges(manager: EntityManager, tenantId: string, changes: readonly StatusChangeDraft[]): Promise<StatusChangeEntity[]> {
  if (changes.length === 0) return [];
  if (changes.length > 1) return appendMany(manager, tenantId, changes);
  const change = changes[0]!;
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
  return [entityOf(String(row.id), tenantId, change, occurredAt)];
}

/** Several changes: the rows come from arrays in order, and take their ids in that order under the lock. */
async function appendMany(manager: EntityManager, tenantId: string, changes: readonly StatusChangeDraft[]): Promise<StatusChangeEntity[]> {
  const append = appendChangesStatement(tenantId, changes, 1);
  const rows = await manager.query<Array<{ id: string }>>(`WITH ${append.ctes} SELECT a.id, n.sent FROM appended a, notified n ORDER BY a.id`, append.parameters);
  return append.entities(rows.map((row) => row.id));
}

/** What a caller's statement adds to {@link appendChangesStatement}'s CTEs. */
export interface AppendOptions {
  /**
   * CTEs of the caller's that must have run before the log lock is taken (the lead's
   * row lock among them): the lock order every writer keeps, record and lead rows
   * before the log's lock.
   */
  readonly after?: readonly string[];
  /**
   * Changes only the statement knows (a status read under its own lock), appended
   * before `changes`: a SELECT of `n` (≤ 0, their order), `lead_id`, `provider`,
   * `entity_id`, `from_status`, `to_status`, `occurred_at`, `kind`, `dispatch_id`,
   * `customer_id`, given the placeholder of this append's time.
   */
  readonly computed?: (occurredAt: string) => string;
}

/**
 * The CTEs that append `changes` as {@link appendStatusChanges} does, for a caller's
 * own statement: `log_lock` (taken once per row of `gate`, a CTE of the caller's, when
 * given: nothing is locked or appended when it has no row), `appended` (the new ids)
 * and `notified` (the count of NOTIFYs sent, one per id in id order; select it, or
 * they are not sent). Its parameters are numbered from `first`.
 */
export function appendChangesStatement(
  tenantId: string,
  changes: readonly StatusChangeDraft[],
  first: number,
  gate?: string,
  options: AppendOptions = {},
): { ctes: string; parameters: unknown[]; entities: (ids: readonly string[]) => StatusChangeEntity[] } {
  const now = new Date();
  const occurredAt = changes.map((change) => change.occurredAt ?? now);
  const column = <T>(pick: (change: StatusChangeDraft) => T) => changes.map(pick);
  const $ = (n: number) => `$${first + n}`;
  const sources = [...(gate === undefined ? [] : [gate]), ...(options.after ?? []).map((cte, i) => `(SELECT count(*) FROM ${cte}) AS after_${i}`)];
  const given = `unnest(${$(2)}::uuid[], ${$(3)}::text[], ${$(4)}::text[], ${$(5)}::text[], ${$(6)}::text[], ${$(7)}::timestamptz[], ${$(8)}::text[],
                          ${$(9)}::uuid[], ${$(10)}::text[])
                     WITH ORDINALITY AS c(lead_id, provider, entity_id, from_status, to_status, occurred_at, kind, dispatch_id, customer_id, n)`;
  const rows =
    options.computed === undefined
      ? given
      : `(${options.computed(`${$(12)}::timestamptz`)}
               UNION ALL
               SELECT c.n, c.lead_id, c.provider, c.entity_id, c.from_status, c.to_status, c.occurred_at, c.kind, c.dispatch_id, c.customer_id
                 FROM ${given}) AS c(n, lead_id, provider, entity_id, from_status, to_status, occurred_at, kind, dispatch_id, customer_id)`;
  const ctes = `log_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${$(0)}, hashtext(${$(1)})) AS locked${sources.length === 0 ? '' : ` FROM ${sources.join(', ')}`}),
          appended AS (
            INSERT INTO status_change (tenant_id, lead_id, provider, entity_id, from_status, to_status, occurred_at, kind, dispatch_id, customer_id)
            SELECT ${$(1)}, c.lead_id, c.provider, c.entity_id, c.from_status, c.to_status, c.occurred_at, c.kind, c.dispatch_id, c.customer_id
              FROM log_lock,
                   ${rows}
             ORDER BY c.n
            RETURNING id),
          notified AS (SELECT count(pg_notify(${$(11)}, ${$(1)} || ':' || a.id)) AS sent FROM (SELECT id FROM appended ORDER BY id) AS a)`;
  return {
    ctes,
    parameters: [
      LOG_LOCK_NAMESPACE,
      tenantId,
      column((c) => c.leadId),
      column((c) => c.provider),
      column((c) => c.entityId),
      column((c) => c.from),
      column((c) => c.to),
      occurredAt,
      column((c) => c.kind ?? 'RECORD'),
      column((c) => c.dispatchId ?? null),
      column((c) => c.customerId ?? null),
      STATUS_CHANGE_CHANNEL,
      ...(options.computed === undefined ? [] : [now]),
    ],
    entities: (ids) => {
      if (ids.length !== changes.length) throw new Error(`appendStatusChanges: the INSERT returned ${ids.length} rows for ${changes.length} changes`);
      return changes.map((change, i) => entityOf(String(ids[i]), tenantId, change, occurredAt[i]!));
    },
  };
}

function entityOf(id: string, tenantId: string, change: StatusChangeDraft, occurredAt: Date): StatusChangeEntity {
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
