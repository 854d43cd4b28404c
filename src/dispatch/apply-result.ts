import { type DataSource } from 'typeorm';
import { type DispatchEntity } from '../db/entities/index.js';
import { type StatusChangeDraft } from '../events/status-change-log.js';
import { DispatchState } from '../domain/vocabulary.js';
import { type AnswerNotes, type ProviderRegistry } from '../providers/index.js';
import { type InStatementSettlement, NeedsTransaction, SettledAlready } from '../services/in-statement-settlement.js';
import { type CurrentApplications } from '../connections/application-readers.js';
import { type ApplicationSource } from '../services/application-order.js';
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

/** How the settled row's columns are named in a statement that also answers the record's (see {@link InStatementSettlement}). */
const SETTLED_PREFIX = 'settled_';

/**
 * Applies what the provider confirmed and marks the dispatch SUCCEEDED, atomically:
 * the record, the lead's stage (as the provider that owns the operation says: its
 * `CommandSpec.apply`), the dispatch settled (only from PENDING) with the record's
 * status change and the dispatch's end appended (the record's first; the tenant's log
 * lock taken last). The local record only ever shows what a provider confirmed. When
 * the dispatch was settled already (another instance applied the same answer),
 * nothing is applied: nothing is applied twice. Returns the settled dispatch as
 * committed, or null when it was settled already.
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
  currentApplications?: CurrentApplications,
): Promise<DispatchEntity | null> {
  const resultJson = storedResultJson(confirmed);
  const change = dispatchChange(registry, dispatch, DispatchState.PENDING, DispatchState.SUCCEEDED);
  const recency = recencyOf(dispatch, currentApplications);
  try {
    return await settleInOneStatement(db, registry, outbox, dispatch, confirmed, resultJson, change, recency);
  } catch (error) {
    if (error instanceof SettledAlready) return null;
    if (!(error instanceof NeedsTransaction)) throw error;
  }
  return settleInTransaction(db, registry, outbox, dispatch, confirmed, resultJson, change, recency);
}

/** How recent the provider's answer is known to be (see `services/application-order.ts`), for the record writer. */
interface AnswerRecency {
  readonly applicationSource: ApplicationSource;
  readonly currentApplications?: CurrentApplications;
  /** Lead Bank confirmed the call: its answer is stored even when the application cannot be read to place it. */
  readonly writeWhenUnread: true;
}

/**
 * The answer to a first attempt is the state right after it; the answer to an attempt
 * after the first may be the one Lead Bank stored for the idempotency key at an
 * earlier attempt, replayed however old it is.
 */
function recencyOf(dispatch: DispatchEntity, currentApplications: CurrentApplications | undefined): AnswerRecency {
  return {
    applicationSource: dispatch.attempts > 1 ? 'maybe-late' : 'answer',
    ...(currentApplications !== undefined && { currentApplications }),
    writeWhenUnread: true,
  };
}

/**
 * The common case: the apply's one write carries the settlement in its statement (see
 * `services/in-statement-settlement.ts`), or, when the apply writes nothing, the
 * dispatch is settled alone; either way one statement, its own transaction. Throws
 * {@link NeedsTransaction} (nothing written) when the apply needs more than one write.
 */
async function settleInOneStatement(
  db: DataSource,
  registry: ProviderRegistry,
  outbox: Outbox,
  dispatch: DispatchEntity,
  confirmed: ConfirmedResult,
  resultJson: string,
  change: StatusChangeDraft,
  recency: AnswerRecency,
): Promise<DispatchEntity | null> {
  let settled: { row: DispatchEntity | null } | undefined;
  const settlement: InStatementSettlement = {
    settledCte: (first, condition) => outbox.settledCte(dispatch, resultJson, first, condition),
    selectList: (alias) => outbox.settledSelectList(alias, SETTLED_PREFIX),
    change,
    done: (row) => (settled = { row: outbox.settledOf(row, SETTLED_PREFIX) }),
  };
  const writer = new RecordWriter(db.manager, dispatch.tenantId, dispatch.id, { settlement, ...recency });
  const record = await registry.apply(confirmed.operation, writer, confirmed.result, dispatch.leadId);
  if (settled === undefined) return outbox.settleSucceeded(db.manager, dispatch, resultJson, [change]);
  if (settled.row !== null && typeof record === 'object' && record !== null) appliedRecords.set(settled.row, record);
  return settled.row;
}

/** An apply of several writes: in one transaction, settled by its last statement (rolled back when settled already). */
async function settleInTransaction(
  db: DataSource,
  registry: ProviderRegistry,
  outbox: Outbox,
  dispatch: DispatchEntity,
  confirmed: ConfirmedResult,
  resultJson: string,
  change: StatusChangeDraft,
  recency: AnswerRecency,
): Promise<DispatchEntity | null> {
  try {
    return await db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, dispatch.tenantId, dispatch.id, { deferChanges: true, ...recency });
      // The provider's apply answers the record's row as written, when the write returned it.
      const record = await registry.apply(confirmed.operation, writer, confirmed.result, dispatch.leadId);
      const row = await outbox.settleSucceeded(manager, dispatch, resultJson, [...writer.takeChanges(), change]);
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

/**
 * A result as stored in `dispatch.result`: its JSON text, instants as ISO strings, which
 * is the settling statement's parameter as it is (no object parsed back from it only to
 * be stringified again).
 */
export function storedResultJson(confirmed: ConfirmedResult): string {
  return JSON.stringify(confirmed);
}
