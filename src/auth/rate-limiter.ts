import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type Principal } from '../domain/roles.js';

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
  consume(key: string): Promise<RateLimiterRes>;
}

/** A fixed-window limit of `points` per window for each key (a credential, an address). */
export class RateLimit {
  constructor(
    private readonly counter: RateCounter,
    private readonly points: number,
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
    try {
      await this.counter.consume(key);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) throw new RateLimited(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
      throw refusal;
    }
  }
}

/** The key a credential's limits are counted under: one budget per API key or JWT subject. */
export function rateLimitKey(principal: Principal): string {
  return `${principal.credential.kind}:${principal.credential.id}`;
}
