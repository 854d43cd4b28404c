import { type StatusChangeDraft } from '../events/status-change-log.js';

/**
 * A dispatch settled in the very statement that applies its provider's confirmed
 * result (see `dispatch/apply-result.ts`): one statement is one transaction, so the
 * record, the lead's stage, the dispatch's end and both status changes commit together
 * without the round trips of START TRANSACTION and COMMIT. The statement writes nothing
 * of the record unless it settled the dispatch (only from PENDING): a second holder of
 * the same answer applies nothing.
 */
export interface InStatementSettlement {
  /**
   * The CTE `settled` (the dispatch's row as settled; none when it was settled
   * already), updated only when `condition` holds: a SQL condition over the statement's
   * earlier CTEs, so that the record's and the lead's row locks are taken before the
   * dispatch's (the lock order of every writer). Its parameters are numbered from `first`.
   */
  settledCte(first: number, condition: string): { sql: string; parameters: unknown[] };
  /** The settled row's columns, from `settled` as `alias`, each named with a prefix so it cannot meet the record's. */
  selectList(alias: string): string;
  /** The dispatch's own change (its end), appended after the record's. */
  readonly change: StatusChangeDraft;
  /** Hands over the statement's row: the settled dispatch in it, or none when it was settled already. */
  done(row: Readonly<Record<string, unknown>>): void;
}

/**
 * Thrown by a write that cannot carry its dispatch's settlement in one statement,
 * before it wrote anything: the caller applies the result in a transaction instead.
 */
export class NeedsTransaction extends Error {
  override name = 'NeedsTransaction';
}

/** Thrown by a write whose statement found its dispatch settled already: it wrote nothing. */
export class SettledAlready extends Error {
  override name = 'SettledAlready';
}
