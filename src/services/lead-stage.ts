import { type EntityManager } from 'typeorm';
import { deriveStage } from '../domain/stage-table.js';
import {
  type ApplicationStatus,
  type LeadEvent,
  type LeadStage,
  type LoanStatus,
  type VerificationStatus,
} from '../domain/vocabulary.js';

interface FactsRow {
  last_event: LeadEvent | null;
  techea_lead_id: string | null;
  application_status: ApplicationStatus | null;
  verification_status: VerificationStatus | null;
  latest_loan_status: LoanStatus | null;
}

/** What a refresh found and did. */
export interface RefreshedLead {
  readonly stage: LeadStage;
  /** The lead's last TECHEA event before this refresh. */
  readonly previousLastEvent: LeadEvent | null;
  readonly techeaLeadId: string | null;
}

/**
 * Recomputes a lead's stage from its linked records and moves its `updated_at`. A
 * record adopted on first contact counts once its provider has confirmed it; with
 * `lastEvent`, records that TECHEA event as the lead's last one in the same UPDATE
 * (with `advertiserRef`, the reference TECHEA accepted with it).
 * Call it inside the transaction that changed a linked record: the lead row is
 * locked, so concurrent changes to one lead refresh the stage one after the other.
 * With `tenantId`, a lead of another tenant counts as missing.
 */
export async function refreshLeadStage(
  manager: EntityManager,
  leadId: string,
  options: { readonly lastEvent?: LeadEvent; readonly advertiserRef?: string; readonly tenantId?: string } = {},
): Promise<RefreshedLead> {
  const rows: FactsRow[] = await manager.query(
    `SELECT l.last_event, l.techea_lead_id,
            (SELECT a.status FROM application a
              WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id AND a.synced_at IS NOT NULL) AS application_status,
            (SELECT v.status FROM verification v
              WHERE v.tenant_id = l.tenant_id AND v.lead_id = l.id AND v.synced_at IS NOT NULL) AS verification_status,
            (SELECT lo.loan_status FROM loan lo WHERE lo.tenant_id = l.tenant_id AND lo.lead_id = l.id
              ORDER BY lo.applied_at DESC, lo.loan_id DESC LIMIT 1) AS latest_loan_status
       FROM lead l WHERE l.id = $1 AND ($2::text IS NULL OR l.tenant_id = $2) FOR UPDATE`,
    [leadId, options.tenantId ?? null],
  );
  const facts = rows[0];
  if (facts === undefined) throw new Error(`refreshLeadStage: lead ${leadId} does not exist`);
  const lastEvent = options.lastEvent ?? facts.last_event;
  const stage = deriveStage({
    lastEvent,
    applicationStatus: facts.application_status,
    verificationStatus: facts.verification_status,
    latestLoanStatus: facts.latest_loan_status,
  });
  await manager.query(
    `UPDATE lead SET stage = $2, last_event = $3, advertiser_ref = coalesce($4, advertiser_ref), updated_at = now() WHERE id = $1`,
    [leadId, stage, lastEvent, options.advertiserRef ?? null],
  );
  return { stage, previousLastEvent: facts.last_event, techeaLeadId: facts.techea_lead_id };
}
