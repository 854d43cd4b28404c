import { type DataSource } from 'typeorm';
import { StatusChangeEntity } from '../db/entities/index.js';
import { type StatusChangeKind } from '../db/entities/status-change.entity.js';

/** Which changes {@link StatusChangeStore.after} returns. */
export interface StatusChangeCriteria {
  /** Only changes with a larger id. */
  readonly afterId?: string;
  /** Only record changes or only dispatch changes (both when absent: the hub reads everything once). */
  readonly kind?: StatusChangeKind;
  readonly leadId?: string;
  /** Only changes from these providers. */
  readonly providers?: readonly string[];
}

/** A row of `status_change` as {@link columnsOf} selects it. */
interface StatusChangeRow {
  id: string;
  kind: StatusChangeKind;
  lead_id: string | null;
  provider: string;
  entity_id: string;
  from_status: string | null;
  to_status: string;
  occurred_at: Date;
  dispatch_id: string | null;
  customer_id: string | null;
}

/** The columns a {@link StatusChangeRow} holds, of the table or subquery aliased `alias`. */
function columnsOf(alias: string): string {
  return ['id', 'kind', 'lead_id', 'provider', 'entity_id', 'from_status', 'to_status', 'occurred_at', 'dispatch_id', 'customer_id'].map((c) => `${alias}.${c}`).join(', ');
}

/** The entity of a row (the tenant is the one the read was for); set field by field, a replay makes 100,000 of them. */
function entityOf(row: StatusChangeRow, tenantId: string): StatusChangeEntity {
  const entity = new StatusChangeEntity();
  entity.id = row.id;
  entity.tenantId = tenantId;
  entity.kind = row.kind;
  entity.leadId = row.lead_id;
  entity.provider = row.provider;
  entity.entityId = row.entity_id;
  entity.fromStatus = row.from_status;
  entity.toStatus = row.to_status;
  entity.occurredAt = row.occurred_at;
  entity.dispatchId = row.dispatch_id;
  entity.customerId = row.customer_id;
  return entity;
}

/** Reads one tenant's part of the status-change log. */
export class StatusChangeStore {
  constructor(private readonly db: DataSource) {}

  /** The tenant's newest change id, '0' for an empty log. */
  async lastId(tenantId: string): Promise<string> {
    const [row] = await this.db.query<Array<{ id: string | null }>>(`SELECT max(id)::text AS id FROM status_change WHERE tenant_id = $1`, [tenantId]);
    return row?.id ?? '0';
  }

  /**
   * Changes in id order after `afterId`, at most `first`. Plain SQL, not the query
   * builder: a replay reads 100,000 changes in pages of these, and building entities
   * through TypeORM's metadata was a tenth of its CPU (bench/README.md, stream).
   */
  async after(tenantId: string, criteria: StatusChangeCriteria, first: number): Promise<StatusChangeEntity[]> {
    const values: unknown[] = [tenantId];
    const where = ['s.tenant_id = $1'];
    const add = (condition: (placeholder: string) => string, value: unknown) => where.push(condition(`$${values.push(value)}`));
    // Only the criteria given, so each shape of read gets its own plan on its own index.
    if (criteria.afterId !== undefined) add((p) => `s.id > ${p}::bigint`, criteria.afterId);
    if (criteria.kind !== undefined) add((p) => `s.kind = ${p}`, criteria.kind);
    if (criteria.leadId !== undefined) add((p) => `s.lead_id = ${p}::uuid`, criteria.leadId);
    if (criteria.providers !== undefined) add((p) => `s.provider = ANY(${p}::text[])`, criteria.providers);
    const rows = await this.db.query<StatusChangeRow[]>(
      `SELECT ${columnsOf('s')} FROM status_change s WHERE ${where.join(' AND ')} ORDER BY s.id LIMIT $${values.push(first)}`,
      values,
    );
    return rows.map((row) => entityOf(row, tenantId));
  }

  /** The newest `first` changes of each lead, newest first, in one statement. */
  async newestForLeads(tenantId: string, leadIds: readonly string[], first: number): Promise<StatusChangeEntity[]> {
    if (first === 0) return [];
    const rows = await this.db.query<StatusChangeRow[]>(
      // One index range scan per lead on (lead_id, id DESC), whatever the log's size; a
      // lead's history is its records' changes (its dispatches' are another stream).
      `SELECT ${columnsOf('c')}
         FROM unnest($1::uuid[]) AS wanted(lead_id)
         CROSS JOIN LATERAL (
           SELECT * FROM status_change s
            WHERE s.tenant_id = $3 AND s.lead_id = wanted.lead_id AND s.kind = 'RECORD'
            ORDER BY s.id DESC LIMIT $2
         ) c`,
      [leadIds, first, tenantId],
    );
    return rows.map((row) => entityOf(row, tenantId));
  }
}
