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

/** Reads one tenant's part of the status-change log. */
export class StatusChangeStore {
  constructor(private readonly db: DataSource) {}

  /** The tenant's newest change id, '0' for an empty log. */
  async lastId(tenantId: string): Promise<string> {
    const [row] = await this.db.query<Array<{ id: string | null }>>(`SELECT max(id)::text AS id FROM status_change WHERE tenant_id = $1`, [tenantId]);
    return row?.id ?? '0';
  }

  /** Changes in id order after `afterId`, at most `first`. */
  after(tenantId: string, criteria: StatusChangeCriteria, first: number): Promise<StatusChangeEntity[]> {
    const query = this.db
      .getRepository(StatusChangeEntity)
      .createQueryBuilder('change')
      .where('change.tenantId = :tenantId', { tenantId })
      .orderBy('change.id', 'ASC')
      .limit(first);
    if (criteria.afterId !== undefined) query.andWhere('change.id > :afterId', { afterId: criteria.afterId });
    if (criteria.kind !== undefined) query.andWhere('change.kind = :kind', { kind: criteria.kind });
    if (criteria.leadId !== undefined) query.andWhere('change.leadId = :leadId', { leadId: criteria.leadId });
    if (criteria.providers !== undefined) query.andWhere('change.provider IN (:...providers)', { providers: criteria.providers });
    return query.getMany();
  }

  /** The newest `first` changes of each lead, newest first, in one statement. */
  async newestForLeads(tenantId: string, leadIds: readonly string[], first: number): Promise<StatusChangeEntity[]> {
    if (first === 0) return [];
    const rows: Array<{
      id: string;
      lead_id: string;
      provider: StatusChangeEntity['provider'];
      entity_id: string;
      from_status: string | null;
      to_status: string;
      occurred_at: Date;
      dispatch_id: string | null;
      customer_id: string | null;
    }> = await this.db.query(
      // One index range scan per lead on (lead_id, id DESC), whatever the log's size; a
      // lead's history is its records' changes (its dispatches' are another stream).
      `SELECT c.id, c.lead_id, c.provider, c.entity_id, c.from_status, c.to_status, c.occurred_at, c.dispatch_id, c.customer_id
         FROM unnest($1::uuid[]) AS wanted(lead_id)
         CROSS JOIN LATERAL (
           SELECT * FROM status_change s
            WHERE s.tenant_id = $3 AND s.lead_id = wanted.lead_id AND s.kind = 'RECORD'
            ORDER BY s.id DESC LIMIT $2
         ) c`,
      [leadIds, first, tenantId],
    );
    return rows.map((row) =>
      Object.assign(new StatusChangeEntity(), {
        id: String(row.id),
        tenantId,
        leadId: row.lead_id,
        provider: row.provider,
        entityId: row.entity_id,
        fromStatus: row.from_status,
        toStatus: row.to_status,
        occurredAt: row.occurred_at,
        kind: 'RECORD' as const,
        dispatchId: row.dispatch_id,
        customerId: row.customer_id,
      }),
    );
  }
}
