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
  application_status: ApplicationStatus | null;
  verification_status: VerificationStatus | null;
  latest_loan_status: LoanStatus | null;
}

/**
 * Recomputes a lead's stage from its linked records and moves its `updated_at`.
 * Call it inside the transaction that changed a linked record: the lead row is
 * locked, so concurrent changes to one lead refresh the stage one after the other.
 */
export async function refreshLeadStage(manager: EntityManager, leadId: string): Promise<LeadStage> {
  const rows: FactsRow[] = await manager.query(
    `SELECT l.last_event,
            (SELECT a.status FROM application a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id) AS application_status,
            (SELECT v.status FROM verification v WHERE v.tenant_id = l.tenant_id AND v.lead_id = l.id) AS verification_status,
            (SELECT lo.loan_status FROM loan lo WHERE lo.tenant_id = l.tenant_id AND lo.lead_id = l.id
              ORDER BY lo.applied_at DESC, lo.loan_id DESC LIMIT 1) AS latest_loan_status
       FROM lead l WHERE l.id = $1 FOR UPDATE`,
    [leadId],
  );
  const facts = rows[0];
  if (facts === undefined) throw new Error(`refreshLeadStage: lead ${leadId} does not exist`);
  const stage = deriveStage({
    lastEvent: facts.last_event,
    applicationStatus: facts.application_status,
    verificationStatus: facts.verification_status,
    latestLoanStatus: facts.latest_loan_status,
  });
  await manager.query(`UPDATE lead SET stage = $2, updated_at = now() WHERE id = $1`, [leadId, stage]);
  return stage;
}
