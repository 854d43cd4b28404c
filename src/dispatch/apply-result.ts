import { type DataSource } from 'typeorm';
import { type DispatchEntity } from '../db/entities/index.js';
import { DispatchState } from '../domain/vocabulary.js';
import { type AnswerNotes, type ProviderRegistry } from '../providers/index.js';
import { RecordWriter } from '../services/record-writer.js';
import { dispatchChange } from './dispatch-change.js';
import { type Outbox } from './outbox.js';

/** A provider's confirmed result, tagged with the operation it answers. */
export interface ConfirmedResult {
  readonly operation: string;
  readonly result: AnswerNotes;
}

/** The record each settled dispatch's transaction left, by the settled row (see {@link appliedRecordOf}). */
const appliedRecords = new WeakMap<DispatchEntity, object>();

/** The dispatch was settled before this transaction could: what it wrote is rolled back. */
class SettledAlready extends Error {}

/**
 * Applies what the provider confirmed and marks the dispatch SUCCEEDED, in one
 * transaction: the record, the lead's stage (as the provider that owns the operation
 * says: its `CommandSpec.apply`), then, in one statement, the dispatch settled (only
 * from PENDING) with the record's status change and the dispatch's end appended (the
 * record's first; the tenant's log lock taken there, held to the commit). The local
 * record only ever shows what a provider confirmed. When the dispatch was settled
 * already (another instance applied the same answer), the transaction is rolled back:
 * nothing is applied twice. Returns the settled dispatch as committed, or null when it
 * was settled already.
 *
 * Lock order: the record's row, the lead's, the dispatch's, the log's; every writer
 * takes those it needs in this order.
 */
export async function settleWithResult(
  db: DataSource,
  registry: ProviderRegistry,
  outbox: Outbox,
  dispatch: DispatchEntity,
  confirmed: ConfirmedResult,
): Promise<DispatchEntity | null> {
  try {
    return await db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, dispatch.tenantId, dispatch.id, { deferChanges: true });
      // The provider's apply answers the record's row as written, when the write returned it.
      const record = await registry.apply(confirmed.operation, writer, confirmed.result, dispatch.leadId);
      const changes = [...writer.takeChanges(), dispatchChange(registry, dispatch, DispatchState.PENDING, DispatchState.SUCCEEDED)];
      const row = await outbox.settleSucceeded(manager, dispatch, storedResult(confirmed), changes);
      if (row === null) throw new SettledAlready();
      if (typeof record === 'object' && record !== null) appliedRecords.set(row, record);
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

/** A result as stored in `dispatch.result` (JSON: instants as ISO strings). */
export function storedResult(confirmed: ConfirmedResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(confirmed)) as Record<string, unknown>;
}
