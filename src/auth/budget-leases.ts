import { RateLimiterRes } from 'rate-limiter-flexible';

/** One lease: points of a key's budget this instance took from the store for the window ending at `endsAt`. */
interface Lease {
  endsAt: number;
  /** Points taken and not used yet. */
  left: number;
  /** How many points the next reservation asks for. */
  size: number;
  /** The reservation under way, if any: others wait for it rather than reserve too. */
  reserving: Promise<void> | undefined;
  /** Takers waiting for it: the next reservation asks for enough for them all. */
  waiting: number;
}

/** How a reservation asks the store for `points` of the key's budget at once (see {@link BudgetLeases.take}). */
export type Reserve = (points: number) => Promise<RateLimiterRes>;

/** A lease asks for at most this share of the budget (1/16): what one instance can leave unused in a window. */
const LARGEST_SHARE = 16;
/** Leases of windows past are dropped once this many are held. */
const SWEEP_ABOVE = 10_000;

/**
 * A budget counted in a store every instance shares (`rate-limit-store.ts`), taken in
 * leases rather than one point per request: a reservation takes several points of the
 * key's window at once, and the requests after it are counted from what it took, in
 * this instance's memory, until its points or its window run out. A key used steadily
 * costs a handful of round trips per window instead of one per request; a lease that
 * ran out within its window asks for twice as much next time (up to 1/16 of the
 * budget), one that ended with points left for half, and a reservation asks for at
 * least one point for each request waiting on it (one round trip for a burst, and for
 * every request held while the store answers late).
 *
 * What still holds: the store never counts fewer points than were answered, so a
 * window never answers more than the budget for the whole fleet; a reservation that
 * crosses the budget is granted the part below it. What changes: points an instance
 * took and did not use are spent for the others, so while a key's requests move
 * between instances, the fleet may refuse it up to (1/16 of the budget) × (instances − 1)
 * requests early in a window; and with a gate (the address's failures, see
 * `RateLimit.hitUnlessSpent`), a spent gate is seen at the next reservation, so within
 * one window, rather than at the next request.
 */
export class BudgetLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly largest: number;

  constructor(
    /** The budget per window. */
    private readonly points: number,
    private readonly now: () => number = Date.now,
  ) {
    this.largest = Math.max(1, Math.floor(points / LARGEST_SHARE));
  }

  /**
   * Counts one point for `leaseKey`: from its lease when it holds one in the window,
   * else by a reservation (`reserve`). Rejects with the store's refusal
   * ({@link RateLimiterRes}) when the budget has no point left for it.
   */
  async take(leaseKey: string, reserve: Reserve): Promise<void> {
    for (;;) {
      const lease = this.leaseOf(leaseKey);
      if (lease.left > 0 && this.now() < lease.endsAt) {
        lease.left -= 1;
        return;
      }
      if (lease.reserving === undefined) return this.reserve(lease, reserve);
      // Whatever became of it, what it took is in the lease now: look again.
      lease.waiting += 1;
      try {
        await lease.reserving;
      } finally {
        lease.waiting -= 1;
      }
    }
  }

  private async reserve(lease: Lease, reserve: Reserve): Promise<void> {
    const now = this.now();
    if (now >= lease.endsAt) {
      // A new window: a lease that ended with points unused asks for less.
      if (lease.left > 0) lease.size = Math.max(1, Math.floor(lease.size / 2));
    } else {
      lease.size = Math.min(this.largest, lease.size * 2);
    }
    // Enough for those waiting too (a burst, or every request while the store answers late), within the largest share.
    const asked = Math.min(Math.max(lease.size, lease.waiting + 1), this.largest);
    let settle!: () => void;
    lease.reserving = new Promise<void>((resolve) => (settle = resolve));
    try {
      let granted: number;
      let answer: RateLimiterRes;
      try {
        answer = await reserve(asked);
        granted = asked;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        // Counted past the budget: the part below it is this instance's. A refusal that counted nothing (a key
        // blocked in memory, a spent gate) says 0 consumed.
        granted = refusal.consumedPoints > this.points ? asked - (refusal.consumedPoints - this.points) : 0;
        if (granted <= 0) throw refusal;
        answer = refusal;
      }
      lease.endsAt = now + answer.msBeforeNext;
      lease.left = granted - 1;
    } finally {
      lease.reserving = undefined;
      settle();
    }
  }

  private leaseOf(key: string): Lease {
    let lease = this.leases.get(key);
    if (lease === undefined) {
      if (this.leases.size >= SWEEP_ABOVE) this.sweep();
      lease = { endsAt: 0, left: 0, size: 1, reserving: undefined, waiting: 0 };
      this.leases.set(key, lease);
    }
    return lease;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, lease] of this.leases) if (lease.endsAt <= now && lease.reserving === undefined && lease.waiting === 0) this.leases.delete(key);
  }
}
