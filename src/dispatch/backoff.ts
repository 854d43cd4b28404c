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
