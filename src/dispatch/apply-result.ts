import { type EntityManager } from 'typeorm';
import { type DispatchEntity } from '../db/entities/index.js';
import { assertNever } from '../domain/assert-never.js';
import { DispatchState, LeadEventOutcome } from '../domain/vocabulary.js';
import { appendStatusChanges } from '../events/status-change-log.js';
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

/**
 * Marks the dispatch SUCCEEDED and applies what the provider confirmed, inside the
 * caller's transaction: the dispatch only from PENDING (so never twice), then the
 * record, the lead's stage, and last, in one statement, the record's status change and
 * the dispatch's end (the tenant's log lock is taken there, held to the commit). Returns
 * the settled dispatch as committed, or null when it was settled already.
 */
export async function settleWithResult(manager: EntityManager, outbox: Outbox, dispatch: DispatchEntity, confirmed: ConfirmedResult): Promise<DispatchEntity | null> {
  const row = await outbox.settleSucceeded(manager, dispatch.id, storedResult(confirmed));
  if (row === null) return null;
  const writer = new RecordWriter(manager, dispatch.tenantId, dispatch.id, { deferChanges: true });
  const record = await applyWith(writer, dispatch, confirmed);
  // The record's change comes first in the log, then the dispatch's end.
  await appendStatusChanges(manager, row.tenantId, [...writer.takeChanges(), dispatchChange(row, DispatchState.PENDING, DispatchState.SUCCEEDED)]);
  if (record !== undefined) appliedRecords.set(row, record);
  return row;
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
