import { type DataSource } from 'typeorm';
import { type DispatchEntity } from '../db/entities/index.js';
import { assertNever } from '../domain/assert-never.js';
import { DispatchState, LeadEventOutcome } from '../domain/vocabulary.js';
import { type ProviderResults } from '../providers/index.js';
import { RecordWriter } from '../services/record-writer.js';
import { dispatchChange } from './dispatch-change.js';
import { type Outbox } from './outbox.js';

/** A provider's confirmed result, tagged with the operation it answers. */
export type ConfirmedResult = {
  [Op in keyof ProviderResults]: { readonly operation: Op; readonly result: ProviderResults[Op] };
}[keyof ProviderResults];

/** The record each settled dispatch's transaction left, by the settled row (see {@link appliedRecordOf}). */
const appliedRecords = new WeakMap<DispatchEntity, object>();

/** The dispatch was settled before this transaction could: what it wrote is rolled back. */
class SettledAlready extends Error {}

/**
 * Applies what the provider confirmed and marks the dispatch SUCCEEDED, in one
 * transaction: the record, the lead's stage, then, in one statement, the dispatch
 * settled (only from PENDING) with the record's status change and the dispatch's end
 * appended (the record's first; the tenant's log lock taken there, held to the
 * commit). When the dispatch was settled already (another instance applied the same
 * answer), the transaction is rolled back: nothing is applied twice. Returns the
 * settled dispatch as committed, or null when it was settled already.
 *
 * Lock order: the record's row, the lead's, the dispatch's, the log's; every writer
 * takes those it needs in this order.
 */
export async function settleWithResult(db: DataSource, outbox: Outbox, dispatch: DispatchEntity, confirmed: ConfirmedResult): Promise<DispatchEntity | null> {
  try {
    return await db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, dispatch.tenantId, dispatch.id, { deferChanges: true });
      const record = await applyWith(writer, dispatch, confirmed);
      const changes = [...writer.takeChanges(), dispatchChange(dispatch, DispatchState.PENDING, DispatchState.SUCCEEDED)];
      const row = await outbox.settleSucceeded(manager, dispatch, storedResult(confirmed), changes);
      if (row === null) throw new SettledAlready();
      if (record !== undefined) appliedRecords.set(row, record);
      return row;
    });
  } catch (error) {
    if (error instanceof SettledAlready) return null;
    throw error;
  }
}

/**
 * The record as the transaction that settled `dispatch` left it, when this instance
 * applied it and the record's row came back from that transaction's own statements;
 * undefined otherwise (the caller reads it). A mutation answers with it without reading
 * again what the transaction just wrote.
 */
export function appliedRecordOf<T extends object>(dispatch: DispatchEntity, type: new () => T): T | undefined {
  const record = appliedRecords.get(dispatch);
  return record instanceof type ? record : undefined;
}

/**
 * Applies what the provider confirmed to the local copy with `writer` (in the
 * transaction that marks the dispatch SUCCEEDED): the record, the status change it
 * implies, the lead's stage. The local record only ever shows what a provider
 * confirmed. Answers the record's row as written when the write returned it. */
async function applyWith(
  writer: RecordWriter,
  dispatch: { readonly id: string; readonly tenantId: string; readonly leadId: string | null },
  confirmed: ConfirmedResult,
): Promise<object | undefined> {
  const { leadId } = dispatch;
  const link = leadId ?? undefined;
  switch (confirmed.operation) {
    case 'reportLeadEvent':
      if (leadId === null) return undefined;
      // IGNORED means TECHEA had the event already. If the gateway recorded it then, it is
      // not the lead's last event now (a later one may be): leave the lead alone. If the
      // gateway never recorded it (an earlier attempt got through, then the gateway died),
      // record it now.
      if (confirmed.result.outcome === LeadEventOutcome.IGNORED && (await writer.hasLeadEvent(leadId, confirmed.result.event))) return undefined;
      return writer.applyLeadEvent(leadId, confirmed.result.event, confirmed.result.advertiserRef);
    case 'updateApplication':
      return (await writer.applyApplication(confirmed.result.application, link)).returned;
    case 'updateVerificationStatus':
      await writer.applyVerification(confirmed.result.verification, link);
      return undefined;
    case 'upsertLoan':
      await writer.applyLoan(confirmed.result.loan, link);
      return undefined;
    default:
      return assertNever(confirmed, 'confirmed result');
  }
}

/** A result as stored in `dispatch.result` (JSON: instants as ISO strings). */
export function storedResult(confirmed: ConfirmedResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(confirmed)) as Record<string, unknown>;
}
