import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type Principal } from '../domain/roles.js';
import { type BudgetLeases } from './budget-leases.js';

/** A refusal: the caller may try again after `retryAfterSeconds`. */
export class RateLimited extends Error {
  override name = 'RateLimited';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s.`);
  }
}

/**
 * Where a {@link RateLimit} counts: a `rate-limiter-flexible` limiter, in this
 * process's memory or in a store every instance shares (see `rate-limit-store.ts`).
 * `consume` rejects with a {@link RateLimiterRes} when the key is over its budget.
 */
export interface RateCounter {
  get(key: string): Promise<RateLimiterRes | null>;
  /** Counts `points` (1 unless said) for `key`. */
  consume(key: string, points?: number): Promise<RateLimiterRes>;
  /**
   * Counts one hit for `key` unless `gate`'s budget is used up, in one round trip to the
   * store, rejecting with the gate's {@link RateLimiterRes} then (nothing counted); or
   * undefined when this counter cannot here (the caller checks the gate, then counts).
   */
  consumeUnlessSpent?(key: string, gate: CounterGate, points?: number): Promise<RateLimiterRes> | undefined;
}

/** Another budget a hit must find unspent before it is counted (see {@link RateLimit.hitUnlessSpent}). */
export interface CounterGate {
  readonly counter: RateCounter;
  readonly key: string;
  /** The gate's budget: spent once this many points are consumed in its window. */
  readonly points: number;
}

/** A fixed-window limit of `points` per window for each key (a credential, an address). */
export class RateLimit {
  constructor(
    private readonly counter: RateCounter,
    private readonly points: number,
    /** Hits counted from leases of the budget rather than one by one in the store (see `budget-leases.ts`). */
    private readonly leases?: BudgetLeases,
  ) {}

  /** A limit of `points` per `seconds` counted in this process only: it holds per instance. */
  static inMemory(points: number, seconds: number): RateLimit {
    return new RateLimit(new RateLimiterMemory({ points, duration: seconds }), points);
  }

  /**
   * Throws {@link RateLimited} when `key` has used its whole budget in this window,
   * without counting a hit: for a budget of failures, checked before the attempt.
   */
  async check(key: string): Promise<void> {
    await this.remaining(key);
  }

  /**
   * What is left of `key`'s budget in this window, at least 1; throws
   * {@link RateLimited} when nothing is (as {@link check} does), without counting a hit.
   */
  async remaining(key: string): Promise<number> {
    const state = await this.counter.get(key);
    const consumed = state?.consumedPoints ?? 0;
    if (state !== null && consumed >= this.points) {
      throw new RateLimited(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
    return this.points - consumed;
  }

  /** Counts one hit for `key`; throws {@link RateLimited} when over the limit. */
  async hit(key: string): Promise<void> {
    const leases = this.leases;
    if (leases === undefined) return refusedAsRateLimited(this.counter.consume(key));
    await refusedAsRateLimited(leases.take(key, (points) => this.counter.consume(key, points)));
  }

  /**
   * `gate.check(gateKey)`, then `hit(key)`: refused with the gate's wait when its budget
   * is used up (nothing counted), else one hit counted. Where both count in one store,
   * in one round trip.
   */
  async hitUnlessSpent(key: string, gate: RateLimit, gateKey: string): Promise<void> {
    const storeGate: CounterGate = { counter: gate.counter, key: gateKey, points: gate.points };
    const count = async (points: number): Promise<RateLimiterRes> => {
      const counted = this.counter.consumeUnlessSpent?.(key, storeGate, points);
      if (counted !== undefined) return counted;
      await gate.check(gateKey);
      return this.counter.consume(key, points);
    };
    const leases = this.leases;
    // A lease per key and gate: the gate is checked at each of its reservations.
    await refusedAsRateLimited(leases === undefined ? count(1) : leases.take(`${key}\u0000${gateKey}`, count));
  }
}

/** A counter's refusal ({@link RateLimiterRes}) as {@link RateLimited}, with its wait in whole seconds (at least 1). */
async function refusedAsRateLimited(counting: Promise<unknown>): Promise<void> {
  try {
    await counting;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) throw new RateLimited(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
    throw refusal;
  }
}

/** The key a credential's limits are counted under: one budget per API key or JWT subject. */
export function rateLimitKey(principal: Principal): string {
  return `${principal.credential.kind}:${principal.credential.id}`;
}
