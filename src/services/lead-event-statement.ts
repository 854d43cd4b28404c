import { type EntityManager } from 'typeorm';
import { LeadEntity } from '../db/entities/index.js';
import { queryPrepared } from '../db/prepared-statement.js';
import { RowMapper } from '../db/row-mapper.js';
import { STAGE_SQL_PARAMETERS } from '../domain/stage-sql.js';
import { type LeadEvent, Provider } from '../domain/vocabulary.js';
import { appendChangesStatement } from '../events/status-change-log.js';
import { type InStatementSettlement, SettledAlready } from './in-statement-settlement.js';
import { leadFactsSql, stageOfFacts } from './lead-stage.js';
import { StatementParameters } from './statement-parameters.js';

/**
 * `RecordWriter.applyLeadEvent` and its dispatch's settlement in one statement (see
 * `in-statement-settlement.ts`): the lead locked with its facts read, the dispatch
 * settled (only from PENDING), the lead's event, reference and stage written, then,
 * under the tenant's log lock, the lead's change (when its last event moved) and the
 * dispatch's end appended and notified. The locks in the order every writer takes
 * them: the lead's row, the dispatch's, the log's. Answers the lead as written; throws
 * {@link SettledAlready} when the dispatch was settled already (nothing written).
 */
export async function applyLeadEventSettling(
  manager: EntityManager,
  tenantId: string,
  dispatchId: string | null,
  settlement: InStatementSettlement,
  change: { readonly leadId: string; readonly event: LeadEvent; readonly advertiserRef: string | undefined },
): Promise<LeadEntity> {
  const leads = RowMapper.of(manager.connection, LeadEntity);
  const p = new StatementParameters();
  const [table, steps, ranks] = STAGE_SQL_PARAMETERS;
  const lead = p.add(change.leadId);
  const tenant = p.add(tenantId);
  const event = p.add(change.event);
  const advertiserRef = p.add(change.advertiserRef ?? null);
  const stage = stageOfFacts('f', [p.add(table), p.add(steps), p.add(ranks)]);
  const provider = p.add(Provider.TECHEA);
  const dispatch = p.add(dispatchId);
  const settled = settlement.settledCte(p.next, 'EXISTS (SELECT 1 FROM facts)');
  p.addAll(settled.parameters);
  const append = appendChangesStatement(tenantId, [settlement.change], p.next, 'settled', {
    after: ['updated'],
    // The lead's own change, when the event moved: only the locked row says what it moved from.
    computed: (occurredAt) => `SELECT 0::bigint, u.id, ${provider}::text, coalesce(u.techea_lead_id::text, u.id::text), u.previous_last_event,
                                      ${event}::text, ${occurredAt}, 'RECORD'::text, ${dispatch}::uuid, NULL::text
                                 FROM updated u WHERE u.previous_last_event IS DISTINCT FROM ${event}::text`,
  });
  p.addAll(append.parameters);
  const rows = await queryPrepared(
    manager,
    `WITH facts AS (
       SELECT l.id, l.last_event AS previous_last_event, ${event}::text AS last_event, ${leadFactsSql('l')}
         FROM lead l WHERE l.id = ${lead} AND l.tenant_id = ${tenant} FOR UPDATE),
     ${settled.sql},
     updated AS (
       UPDATE lead l SET stage = ${stage}, last_event = f.last_event, advertiser_ref = coalesce(${advertiserRef}, l.advertiser_ref), updated_at = now()
         FROM facts f, settled WHERE l.id = f.id
       RETURNING l.*, f.previous_last_event),
     ${append.ctes}
     SELECT (SELECT count(*) FROM facts)::int AS found, ${settlement.selectList('s')}, ${leads.selectAs('u', 'lead_')}, n.sent
       FROM (SELECT 1) AS one LEFT JOIN settled s ON true LEFT JOIN updated u ON true CROSS JOIN notified n`,
    p.values,
  );
  const row = rows[0]!;
  if (row.found === 0) throw new Error(`refreshLeadStage: lead ${change.leadId} does not exist`);
  settlement.done(row);
  if (row.lead_id == null) throw new SettledAlready();
  return leads.map(row, 'lead_');
}
