import { type EntityManager } from 'typeorm';
import { LeadEntity } from '../db/entities/index.js';
import { RowMapper } from '../db/row-mapper.js';
import { STAGE_SQL_PARAMETERS, stageSql } from '../domain/stage-sql.js';
import { type LeadEvent, type LeadStage } from '../domain/vocabulary.js';

/** What a refresh found and did. */
export interface RefreshedLead {
  readonly stage: LeadStage;
  /** The lead's last TECHEA event before this refresh. */
  readonly previousLastEvent: LeadEvent | null;
  readonly techeaLeadId: string | null;
  /** The lead's row as this refresh left it (what a read after the commit would find). */
  readonly lead: LeadEntity;
}

/**
 * Recomputes a lead's stage from its linked records and moves its `updated_at`. A
 * record adopted on first contact counts once its provider has confirmed it; with
 * `lastEvent`, records that TECHEA event as the lead's last one in the same UPDATE
 * (with `advertiserRef`, the reference TECHEA accepted with it).
 * Call it inside the transaction that changed a linked record: the lead row is
 * locked, so concurrent changes to one lead refresh the stage one after the other.
 * With `tenantId`, a lead of another tenant counts as missing.
 *
 * One statement: the facts are read with the lead's row locked, and the stage derived
 * from them in SQL (`stageSql`, the same table as `deriveStage`) for the UPDATE.
 */
export async function refreshLeadStage(
  manager: EntityManager,
  leadId: string,
  options: { readonly lastEvent?: LeadEvent; readonly advertiserRef?: string; readonly tenantId?: string } = {},
): Promise<RefreshedLead> {
  const [table, steps, ranks] = STAGE_SQL_PARAMETERS;
  const [rows] = await manager.query<[Array<Record<string, unknown> & { previous_last_event: LeadEvent | null }>, number]>(
    `WITH facts AS (
       SELECT l.id, l.last_event AS previous_last_event, coalesce($3, l.last_event) AS last_event,
              ${leadFactsSql('l')}
         FROM lead l WHERE l.id = $1 AND ($2::text IS NULL OR l.tenant_id = $2) FOR UPDATE)
     UPDATE lead l
        SET stage = ${stageOfFacts('f', ['$5', '$6', '$7'])},
            last_event = f.last_event, advertiser_ref = coalesce($4, l.advertiser_ref), updated_at = now()
       FROM facts f WHERE l.id = f.id
     RETURNING l.*, f.previous_last_event`,
    [leadId, options.tenantId ?? null, options.lastEvent ?? null, options.advertiserRef ?? null, table, steps, ranks],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`refreshLeadStage: lead ${leadId} does not exist`);
  const lead = RowMapper.of(manager.connection, LeadEntity).map(row);
  return { stage: lead.stage, previousLastEvent: row.previous_last_event, techeaLeadId: lead.techeaLeadId, lead };
}

/**
 * The facts a lead's stage is derived from, other than its last event, for the lead
 * row `l` of a statement: `application_status`, `verification_status` and
 * `latest_loan_status`. A statement that writes the lead's application itself passes
 * the status it wrote (`application`): its own snapshot would not show it.
 */
export function leadFactsSql(l: string, application?: string): string {
  const applicationStatus =
    application ??
    `(SELECT a.status FROM application a
                WHERE a.tenant_id = ${l}.tenant_id AND a.lead_id = ${l}.id AND a.synced_at IS NOT NULL)`;
  return `${applicationStatus} AS application_status,
              (SELECT v.status FROM verification v
                WHERE v.tenant_id = ${l}.tenant_id AND v.lead_id = ${l}.id AND v.synced_at IS NOT NULL) AS verification_status,
              (SELECT lo.loan_status FROM loan lo WHERE lo.tenant_id = ${l}.tenant_id AND lo.lead_id = ${l}.id
                ORDER BY lo.applied_at DESC, lo.loan_id DESC LIMIT 1) AS latest_loan_status`;
}

/** The stage of a row `f` with `last_event` and {@link leadFactsSql}'s facts, the stage table in `parameters` (see `stageSql`). */
export function stageOfFacts(f: string, parameters: readonly [table: string, steps: string, ranks: string]): string {
  return stageSql(
    { lastEvent: `${f}.last_event`, applicationStatus: `${f}.application_status`, verificationStatus: `${f}.verification_status`, latestLoanStatus: `${f}.latest_loan_status` },
    parameters,
  );
}
