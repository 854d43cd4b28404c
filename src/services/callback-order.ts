import { assertNever } from '../domain/assert-never.js';
import { type VerificationRecord } from '../domain/records.js';
import { VerificationStatus } from '../domain/vocabulary.js';

/**
 * Whether a Tecalis callback may be applied over what is stored: `apply`; `stale`, it
 * is older than the stored state (or carries no `updated_at` to tell); `finished`, it
 * would move a finished process back to an unfinished state.
 */
export type CallbackVerdict = 'apply' | 'stale' | 'finished';

/** What the verdict needs of the stored process. */
export interface StoredProcessState {
  readonly status: VerificationStatus;
  /** Tecalis's `updated_at` as last stored; null while nothing carried one (a process just adopted). */
  readonly updatedAt: Date | null;
}

/**
 * Callbacks arrive late, out of order and more than once (Tecalis retries), and a
 * forged or replayed one must not rewrite the process: only what moves it forward is
 * applied. A process that reached a final state never goes back to PENDING, whatever
 * the timestamp says (a later final state, e.g. an agent turning KO into OK, is
 * applied). A callback older than the stored `updated_at` is ignored; one at the same
 * instant is applied (Tecalis's microseconds are cut to milliseconds, so two changes
 * can share one). Without a readable `updated_at` it cannot be placed, so it is applied
 * only while nothing stored has one.
 */
export function callbackVerdict(stored: StoredProcessState, incoming: Pick<VerificationRecord, 'status' | 'updatedAt'>): CallbackVerdict {
  if (isFinished(stored.status) && !isFinished(incoming.status)) return 'finished';
  if (stored.updatedAt === null) return 'apply';
  if (incoming.updatedAt === null || incoming.updatedAt.getTime() < stored.updatedAt.getTime()) return 'stale';
  return 'apply';
}

/** Whether a process has reached a final state (one `PATCH /customer/status` can set). */
export function isFinished(status: VerificationStatus): boolean {
  switch (status) {
    case VerificationStatus.PENDING:
      return false;
    case VerificationStatus.OK:
    case VerificationStatus.KO:
    case VerificationStatus.CANCELLED:
      return true;
    default:
      return assertNever(status, 'verification status');
  }
}
