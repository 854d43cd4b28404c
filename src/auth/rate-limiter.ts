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
 * A fixed-window limit of `points` per `seconds` for each key (a credential, an
 * address). Kept in memory: limits hold per gateway instance.
 */
export class RateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly points: number,
    seconds: number,
  ) {
    this.limiter = new RateLimiterMemory({ points, duration: seconds });
  }

  /**
   * Throws {@link RateLimited} when `key` has used its whole budget in this window,
   * without counting a hit: for a budget of failures, checked before the attempt.
   */
  async check(key: string): Promise<void> {
    const state = await this.limiter.get(key);
    if (state !== null && state.consumedPoints >= this.points) {
      throw new RateLimited(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
  }

  /** Counts one hit for `key`; throws {@link RateLimited} when over the limit. */
  async hit(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
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
