import { type EntityManager } from 'typeorm';
import { assertNever } from '../domain/assert-never.js';
import { LeadEventOutcome } from '../domain/vocabulary.js';
import { type ProviderResults } from '../providers/index.js';
import { RecordWriter } from '../services/record-writer.js';

/** A provider's confirmed result, tagged with the operation it answers. */
export type ConfirmedResult = {
  [Op in keyof ProviderResults]: { readonly operation: Op; readonly result: ProviderResults[Op] };
}[keyof ProviderResults];

/**
 * Applies what the provider confirmed to the local copy, in the transaction that
 * marks the dispatch SUCCEEDED: the record, the status change it implies, the lead's
 * stage. The local record only ever shows what a provider confirmed.
 */
export async function applyConfirmedResult(
  manager: EntityManager,
  dispatch: { readonly id: string; readonly tenantId: string; readonly leadId: string | null },
  confirmed: ConfirmedResult,
): Promise<void> {
  const { tenantId, leadId } = dispatch;
  const writer = new RecordWriter(manager, tenantId, dispatch.id);
  const link = leadId ?? undefined;
  switch (confirmed.operation) {
    case 'reportLeadEvent':
      if (leadId === null) return;
      // IGNORED means TECHEA had the event already. If the gateway recorded it then, it is
      // not the lead's last event now (a later one may be): leave the lead alone. If the
      // gateway never recorded it (an earlier attempt got through, then the gateway died),
      // record it now.
      if (confirmed.result.outcome === LeadEventOutcome.IGNORED && (await writer.hasLeadEvent(leadId, confirmed.result.event))) return;
      await writer.applyLeadEvent(leadId, confirmed.result.event, confirmed.result.advertiserRef);
      return;
    case 'updateApplication':
      await writer.applyApplication(confirmed.result.application, link);
      return;
    case 'updateVerificationStatus':
      await writer.applyVerification(confirmed.result.verification, link);
      return;
    case 'upsertLoan':
      await writer.applyLoan(confirmed.result.loan, link);
      return;
    default:
      return assertNever(confirmed, 'confirmed result');
  }
}

/** A result as stored in `dispatch.result` (JSON: instants as ISO strings). */
export function storedResult(confirmed: ConfirmedResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(confirmed)) as Record<string, unknown>;
}
