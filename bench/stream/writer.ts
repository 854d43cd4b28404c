import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSource } from 'typeorm';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { Provider } from '../../src/domain/vocabulary.js';
import { appendStatusChange } from '../../src/events/status-change-log.js';
import { sharedClock } from './control.js';

/** One committed change, as the writer saw it. */
export interface CommittedChange {
  readonly id: number;
  readonly leadId: string;
  /** When COMMIT returned, on the clock every benchmark process shares. */
  readonly committedAt: number;
}

/** What a fixed-rate write run did. */
export interface WriteRun {
  readonly changes: readonly CommittedChange[];
  /** Changes per second actually committed (below the rate if commits could not keep up). */
  readonly achievedRate: number;
  /** The latest a change committed after its scheduled time, in ms. */
  readonly maxBehindMs: number;
}

/** Commits allowed in flight at once: enough that one slow fsync does not stall the schedule. */
const IN_FLIGHT = 4;

/**
 * Commits `rate` changes per second for `seconds`, on `leadIds` in turn, through the
 * gateway's own append path (`appendStatusChange` in a transaction: advisory lock,
 * INSERT, pg_notify, COMMIT), as a provider webhook or a dispatch would. Change k is
 * due at start + k/rate; a change whose commit falls behind is not skipped, so a slow
 * database shows up as a lower achieved rate, not as fewer changes.
 */
export async function writeAtRate(db: DataSource, leadIds: readonly string[], rate: number, seconds: number): Promise<WriteRun> {
  const total = Math.round(rate * seconds);
  const changes: CommittedChange[] = [];
  const inFlight = new Set<Promise<void>>();
  let maxBehindMs = 0;
  const started = performance.now();
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    maxBehindMs = Math.max(maxBehindMs, performance.now() - due);
    const leadId = leadIds[k % leadIds.length] ?? '';
    const commit = db
      .transaction((manager) =>
        appendStatusChange(manager, DEFAULT_TENANT, { leadId, provider: Provider.TECHEA, entityId: `bench-${k}`, from: null, to: `BENCH_${k}` }),
      )
      .then((change) => {
        changes.push({ id: Number(change.id), leadId, committedAt: sharedClock() });
      })
      .finally(() => inFlight.delete(commit));
    inFlight.add(commit);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { changes, achievedRate: total / elapsed, maxBehindMs };
}
