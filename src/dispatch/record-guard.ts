/**
 * The parameter a guard's SQL numbers its own parameters from: the dispatch's INSERT
 * takes $1–$14, and the breaker it reads beside it $15 (see `outbox.ts`).
 */
export const GUARD_FIRST_PARAMETER = 16;

/**
 * The provider record a new dispatch is about, read in the statement that writes the
 * dispatch: the row is written only when the record is there and {@link sql}'s `fits`
 * holds, so a mutation whose record the tenant holds makes one round trip less (the
 * read its checks need comes back with the written row).
 *
 * A guard is a shortcut, never the rule: when it does not hold (no such record, or one
 * `fits` turns down), nothing is written, and the mutation takes its full path, whose
 * checks say why, or which adopts the record on first contact.
 */
export interface RecordGuard {
  /**
   * A `SELECT` of at most one row, with these columns: `lead_id` (uuid, the record's
   * lead, or null: the dispatch's lead when the intent names none), `fits` (boolean: the
   * dispatch may be written as it is), `payload` (jsonb: members the record adds to the
   * dispatch's command, such as a provider's id of it; `'{}'` for none) and `record`
   * (text: the record, for its store to map back when it is asked for). Its parameters
   * are numbered from {@link GUARD_FIRST_PARAMETER}. A constant text: every distinct
   * text is its own prepared statement.
   */
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** What a guarded write found: whether the record is there, whether it fits (the dispatch was written for it, or its key was known), and the record as read. */
export type GuardedRecord =
  | { readonly found: false }
  | { readonly found: true; readonly fits: boolean; readonly record: unknown };

/** What the guard's row says (none: the record was not found): the `record` column, for the store whose guard it was to map back. */
export function guardedRecordOf(row: Readonly<Record<string, unknown>> | undefined): GuardedRecord {
  if (row === undefined) return { found: false };
  return { found: true, fits: row.guard_fits === true, record: row.guard_record };
}
