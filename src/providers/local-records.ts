import { type ApplicationRecord, type LoanRecord, type VerificationRecord } from '../domain/records.js';
import { type LeadEvent } from '../domain/vocabulary.js';

/**
 * The gateway's copy of provider records, as a provider's commands write what the
 * provider confirmed (see `CommandSpec.apply`). Implemented by `services/record-writer.ts`
 * inside the transaction that settles the dispatch; declared here so that a provider
 * depends on the port, not on the services.
 */
export interface LocalRecords {
  /** `returned`: the application's row as the write returned it (an UPDATE's), if it did. */
  applyApplication(record: ApplicationRecord, leadId?: string): Promise<{ readonly returned: object | undefined }>;
  applyVerification(record: VerificationRecord, leadId?: string): Promise<unknown>;
  applyLoan(record: LoanRecord, leadId?: string): Promise<unknown>;
  /** Whether the lead's log already holds this TECHEA event. */
  hasLeadEvent(leadId: string, event: LeadEvent): Promise<boolean>;
  /** Answers the lead's row as the write left it. */
  applyLeadEvent(leadId: string, event: LeadEvent, advertiserRef?: string): Promise<object>;
}
