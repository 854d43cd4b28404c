import { isDeepStrictEqual } from 'node:util';
import { type ApplicationEntity } from '../db/entities/index.js';
import { assertNever } from '../domain/assert-never.js';
import { type ApplicationDocumentRecord, type ApplicationRecord } from '../domain/records.js';

/**
 * Where a message about an application stands against the stored copy, by Lead Bank's
 * `updated_at` (its only clock, and printed to the second): `first`, nothing Lead Bank
 * confirmed is stored yet; `newer` or `older`; `same-instant`, both carry one
 * `updated_at` (two changes within one second do); `unplaced`, the message has no
 * readable `updated_at`.
 */
export type ApplicationPlacement = 'first' | 'newer' | 'older' | 'same-instant' | 'unplaced';

/** How far a message can be trusted to be recent, which decides what is done with one that cannot be placed. */
export type ApplicationSource =
  /**
   * Lead Bank's answer to the first attempt of a call of ours, or to a read: the state
   * right after it. Stored unless it is older than the stored one. Of two answers of one
   * second, the later applied is the later sent: attempts on one record go one at a
   * time (`dispatch/record-key.ts`), and a read is made under the record's lock.
   */
  | 'answer'
  /**
   * A webhook (delivered at least once, late, in any order), or the answer to a call
   * sent again (Lead Bank replays the answer it stored for the idempotency key, however
   * old). Stored only when newer; one of the same second that differs from the stored
   * state cannot be placed, and Lead Bank is asked for the state as it is now.
   */
  | 'maybe-late';

/**
 * What a writer does with a message: `write` it; keep the stored state because the
 * message is `older`, or says what is stored already (`unchanged`); or `ask` Lead Bank,
 * because the message cannot be placed against the stored state.
 */
export type ApplicationVerdict = 'write' | 'older' | 'unchanged' | 'ask';

/** The stored application, as far as placing a message needs it. */
export type StoredApplication = Pick<ApplicationEntity, 'updatedAt' | 'syncedAt'>;

/** See {@link ApplicationPlacement}. */
export function placeApplication(stored: StoredApplication | null, incoming: Pick<ApplicationRecord, 'updatedAt' | 'absent'>): ApplicationPlacement {
  // An adopted placeholder (synced_at null) holds nothing Lead Bank said.
  if (stored === null || stored.syncedAt === null || stored.updatedAt === null) return 'first';
  if (incoming.updatedAt === null || incoming.absent?.includes('updatedAt') === true) return 'unplaced';
  const difference = incoming.updatedAt.getTime() - stored.updatedAt.getTime();
  if (difference > 0) return 'newer';
  return difference < 0 ? 'older' : 'same-instant';
}

/**
 * The verdict on a message from `source` placed as `placement`; `same` says (only
 * when asked: it costs a read of the stored documents) whether the message says what
 * is stored already.
 */
export async function applicationVerdict(placement: ApplicationPlacement, source: ApplicationSource, same: () => Promise<boolean>): Promise<ApplicationVerdict> {
  switch (placement) {
    case 'first':
    case 'newer':
      return 'write';
    case 'older':
      return 'older';
    case 'same-instant':
    case 'unplaced':
      if (source === 'answer') return 'write';
      return (await same()) ? 'unchanged' : 'ask';
    default:
      return assertNever(placement, 'application placement');
  }
}

/** The columns of an application that hold what Lead Bank said (not the key, the lead or the time of the sync). */
const NOT_LEAD_BANKS = new Set<string>(['tenantId', 'id', 'leadId', 'syncedAt']);

/**
 * Whether `next` (the application as a message makes it, stored values standing for
 * what it left out) holds what `stored` holds, documents included. Key order in JSON
 * members does not matter (PostgreSQL's jsonb keeps its own).
 */
export function sameApplication(
  stored: ApplicationEntity,
  storedDocuments: readonly ApplicationDocumentRecord[],
  next: ApplicationEntity,
  nextDocuments: readonly ApplicationDocumentRecord[] | undefined,
): boolean {
  for (const key of Object.keys(next) as Array<keyof ApplicationEntity>) {
    if (NOT_LEAD_BANKS.has(key)) continue;
    if (!isDeepStrictEqual(comparable(stored[key]), comparable(next[key]))) return false;
  }
  return nextDocuments === undefined || isDeepStrictEqual(storedDocuments.map(comparableDocument), nextDocuments.map(comparableDocument));
}

function comparableDocument(document: ApplicationDocumentRecord): unknown[] {
  return [document.documentId, document.type, comparable(document.displayedAt), comparable(document.consentedAt), document.version];
}

function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  return value ?? null;
}
