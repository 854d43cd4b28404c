import { type Logger } from '../logger.js';
import { type BreakerStore, type StoredBreaker } from './breaker-store.js';
import {
  acquireCall,
  afterAbandonedProbe,
  afterFailure,
  afterSuccess,
  type BreakerPolicy,
  type BreakerRecord,
  breakerRetryAt,
  breakerState,
  type BreakerState,
  CLOSED_BREAKER,
  probing,
} from './circuit-breaker.js';

/** What a {@link SharedBreaker} needs. */
export interface SharedBreakerDeps {
  readonly store: BreakerStore;
  readonly policy: BreakerPolicy;
  /** This instance, as the owner of a probe: unique across the fleet. */
  readonly owner: string;
  readonly logger: Logger;
}

/**
 * Tries of one compare-and-set before giving up: each lost try means another instance
 * changed the row in between, so a few suffice unless the fleet is large and a
 * provider fails all at once; a failure count that is then lost only delays the opening.
 */
const MAX_TRIES = 8;
/** A warning that the shared state cannot be read is repeated at most this often. */
const UNREACHABLE_NOTICE_EVERY_MS = 30_000;
/**
 * How old a read of the row may be for a call to go on it without reading it again:
 * the read the outbox makes in the statement that writes a new dispatch (see
 * `Outbox.record`), just before that dispatch's first attempt. A breaker another
 * instance opens meanwhile is seen by the next call, at most this much later.
 */
export const FRESH_READ_MS = 100;

/**
 * One provider's circuit breaker, shared by every gateway instance through its row in
 * `provider_breaker`. Before each call an instance reads the row (one primary-key
 * read, or takes the one made at most {@link FRESH_READ_MS} before when it says
 * closed: a mutation's first attempt goes on the read made with its outbox row), so
 * once any instance has opened the breaker no instance starts another call;
 * after the cool-down, instances race to take the probe by compare-and-set and one
 * wins, so one probe goes out per cool-down for the whole fleet.
 *
 * Its methods never reject. While the row cannot be read or written, the breaker works
 * on this instance's last view: failures and successes still move it, a closed breaker
 * lets calls through, and no probe is sent (it would be sent without the fleet knowing).
 */
export class SharedBreaker {
  /** The row as this instance last read or wrote it. */
  private record: BreakerRecord = CLOSED_BREAKER;
  /** The database's clock minus this process's, at the last read: the row's times are the database's. */
  private clockOffsetMs = 0;
  /** When the row was last read, on `performance.now()`'s clock. */
  private readAt = -Infinity;
  /**
   * When the read behind {@link record} started, or when this instance's own write of it
   * ended, on `performance.now()`'s clock. A read that started before it may have been
   * answered before that write (the poller's read in flight while a failure is recorded):
   * it is older than the view, and adopting it would undo what this instance just wrote.
   */
  private viewFrom = -Infinity;
  private lastWarnedAt = -Infinity;

  constructor(
    readonly provider: string,
    private readonly deps: SharedBreakerDeps,
  ) {}

  /** The state as this instance last read it (for /readyz and metrics: no database round trip). */
  get state(): BreakerState {
    return breakerState(this.record, this.deps.policy, this.sharedNow());
  }

  /** Whether calls wait now, as last read: open, or half-open with a probe under way. The poller skips the provider then. */
  get holdsBack(): boolean {
    const state = this.state;
    return state === 'open' || (state === 'half-open' && probing(this.record, this.sharedNow()));
  }

  /**
   * Whether calls wait now, read afresh when the last view says they do: a mutation is
   * then not held for a cool-down the fleet has already ended. A view that says closed
   * is taken as it is (the call reads the row anyway), so the usual case costs nothing.
   */
  async holdsBackNow(): Promise<boolean> {
    if (!this.holdsBack) return false;
    await this.read();
    return this.holdsBack;
  }

  /** When the breaker lets a probe through, on this process's clock (now, when closed). */
  get retryAt(): number {
    return breakerRetryAt(this.record, this.deps.policy, this.sharedNow()) - this.clockOffsetMs;
  }

  /**
   * Takes the row as read elsewhere (the poller reads every provider's at once, the outbox
   * one with a new dispatch), unless that read started before the view it would replace.
   */
  adopt(stored: StoredBreaker, databaseNow: number, readStartedAt: number): void {
    if (readStartedAt < this.viewFrom) return;
    this.viewFrom = readStartedAt;
    this.record = stored.record;
    this.clockOffsetMs = databaseNow - Date.now();
    this.readAt = performance.now();
  }

  /**
   * Whether a call may go now, read from the shared row (or a read of it at most
   * {@link FRESH_READ_MS} old that says closed); when half-open, whether this instance
   * won the one probe.
   */
  async tryAcquire(): Promise<boolean> {
    if (performance.now() - this.readAt <= FRESH_READ_MS && this.state === 'closed') return true;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const stored = await this.read();
      // The fleet cannot be asked: calls go while this instance saw it closed, and no probe goes.
      if (stored === null) return this.state === 'closed';
      const { allowed, next } = acquireCall(stored.record, this.deps.policy, stored.now, this.deps.owner);
      if (next === stored.record) return allowed;
      if (await this.write(stored, next)) return true;
      // Another instance changed the row meanwhile, most likely taking the probe: read it again.
    }
    return false;
  }

  /**
   * The provider answered (even with a refusal): it is up, for the whole fleet.
   *
   * Nothing is written when the breaker was closed and clean as this instance last saw
   * it (every call reads the row before it goes, the poller at each poll): the usual
   * success then costs no statement, and no wait on a database that has just gone
   * away. The price: a failure another instance records while this call is under way
   * stays counted until a success that saw it; the count is "failures with no success
   * seen since", which across concurrent calls is all "consecutive" can mean.
   */
  async recordSuccess(): Promise<void> {
    if (afterSuccess(this.record) === this.record) return;
    try {
      await this.deps.store.reset(this.provider);
    } catch (error) {
      this.warnUnreachable(error);
    }
    this.record = afterSuccess(this.record);
    this.viewFrom = performance.now();
  }

  /** A transient failure (unavailable, timeout, rate limited), counted for the fleet. */
  async recordFailure(): Promise<void> {
    await this.update((record, now) => afterFailure(record, this.deps.policy, now));
  }

  /** This instance's probe ended without saying anything about the provider: let another caller probe. */
  async abandonProbe(): Promise<void> {
    await this.update((record) => afterAbandonedProbe(record, this.deps.owner));
  }

  private async update(transition: (record: BreakerRecord, now: number) => BreakerRecord): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const stored = await this.read();
      if (stored === null) {
        this.record = transition(this.record, this.sharedNow());
        this.viewFrom = performance.now();
        return;
      }
      const next = transition(stored.record, stored.now);
      if (next === stored.record) return;
      const written = await this.write(stored, next);
      if (written === null) {
        this.record = next;
        return;
      }
      if (written) return;
    }
    this.deps.logger.warn({ provider: this.provider }, 'could not record a breaker change: the shared row kept changing under it');
  }

  /** The row now (and this instance's view of it), or null when the database cannot say. */
  private async read(): Promise<(StoredBreaker & { now: number }) | null> {
    const started = performance.now();
    try {
      const stored = await this.deps.store.read(this.provider);
      this.adopt(stored, stored.now, started);
      return stored;
    } catch (error) {
      this.warnUnreachable(error);
      return null;
    }
  }

  /** True when `next` was written, false when another write came first, null when the database could not take it. */
  private async write(stored: StoredBreaker, next: BreakerRecord): Promise<boolean | null> {
    try {
      const version = await this.deps.store.compareAndSet(this.provider, stored.version, next);
      if (version === null) return false;
      this.record = next;
      this.viewFrom = performance.now();
      return true;
    } catch (error) {
      this.warnUnreachable(error);
      return null;
    }
  }

  private sharedNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private warnUnreachable(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnedAt < UNREACHABLE_NOTICE_EVERY_MS) return;
    this.lastWarnedAt = now;
    this.deps.logger.warn(
      { err: error, provider: this.provider },
      "the shared circuit breaker cannot be read or written: this instance decides on its last view of it, and sends no probe, until it can",
    );
  }
}
