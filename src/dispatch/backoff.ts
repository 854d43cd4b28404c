/**
 * The retry policy in one place: how retries are spaced ({@link retryDelayMs}) and
 * whether a failed attempt is retried at all ({@link decide}). The README's table of
 * delays is checked against it by `test/unit/dispatch/backoff.test.ts`.
 */

/** How retries are spaced. */
export interface BackoffPolicy {
  /** Delay before the second attempt; doubles with each attempt after. */
  readonly baseMs: number;
  /** No delay grows past this. */
  readonly maxMs: number;
}

/**
 * The delay before the next attempt, after `attempts` attempts: exponential with
 * full jitter (a random point in [0, base × 2^(attempts-1)], capped), so instances
 * retrying the same failing provider spread out instead of arriving together. A
 * provider's `Retry-After` is a floor: we never come back sooner than it asked.
 */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(random() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * How soon a confirmed result is applied again while the database is unavailable:
 * 100 ms, doubling, at most 1 s. Short, because the provider's answer is held in this
 * instance's memory only; each try costs one refused connection, or one bounded wait
 * on a hung database, nothing upstream.
 */
export function applyRetryDelayMs(retries: number): number {
  return Math.min(1_000, 100 * 2 ** Math.min(retries, 10));
}

/** What the retry policy needs to know of a dispatch. */
export interface AttemptCount {
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** The bounds of the retry policy. */
export interface RetryLimits extends BackoffPolicy {
  readonly random?: () => number;
}

/**
 * What a failed attempt tells of the provider's health, for its circuit breaker: it
 * answered (`up`: a refusal, or busy with this very request), it did not (`down`), or
 * the failure says nothing about it (`unknown`: a probe it held is given back).
 */
export type BreakerVerdict = 'up' | 'down' | 'unknown';

/** What to do after a failed attempt: the dispatcher only carries it out. */
export type RetryDecision =
  | {
      readonly action: 'fail';
      /** `refused`: the provider refused (not retryable); `exhausted`: no attempts left. */
      readonly outcome: 'refused' | 'exhausted';
      readonly breaker: BreakerVerdict;
    }
  | {
      readonly action: 'retry';
      /** `retry`: a transient provider failure; `gateway_error`: a failure inside the gateway. */
      readonly outcome: 'retry' | 'gateway_error';
      readonly breaker: BreakerVerdict;
      readonly delayMs: number;
    };

/** The neutral error of a provider call, as the policy reads it (a `ProviderCallError`). */
export interface ClassifiedError {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
}

/**
 * THE retry policy, decided from the neutral code alone, never from a message:
 *
 * - a failure that is not the provider's (`error` undefined: e.g. the database failed
 *   while applying) is tried again later with the same key, whatever the attempts,
 *   so a call that did go through is not applied twice upstream;
 * - a refusal (not retryable) fails the dispatch at once; the provider is up;
 * - a transient failure is retried after {@link retryDelayMs} (Retry-After as a
 *   floor) until `maxAttempts`, then fails the dispatch; it counts against the
 *   breaker, but for CONFLICT (busy with this very request: the provider is up).
 */
export function decide(error: ClassifiedError | undefined, attempt: AttemptCount, limits: RetryLimits): RetryDecision {
  if (error === undefined) {
    return { action: 'retry', outcome: 'gateway_error', breaker: 'unknown', delayMs: retryDelayMs(attempt.attempts, limits, null, limits.random) };
  }
  if (!error.retryable) return { action: 'fail', outcome: 'refused', breaker: 'up' };
  const breaker = error.code === 'CONFLICT' ? 'up' : 'down';
  if (attempt.attempts >= attempt.maxAttempts) return { action: 'fail', outcome: 'exhausted', breaker };
  return { action: 'retry', outcome: 'retry', breaker, delayMs: retryDelayMs(attempt.attempts, limits, error.retryAfterMs, limits.random) };
}
