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
