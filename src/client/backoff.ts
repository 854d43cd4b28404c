/** Bounds of {@link cappedBackoff}. */
export interface BackoffOptions {
  /** The wait before the first retry, in milliseconds (doubling with each further retry). Default 500. */
  readonly baseMs?: number;
  /** The longest wait, in milliseconds. Default 30,000. */
  readonly maxMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, maxMs: 30_000 } as const;

/**
 * The wait before retry number `retries` (0 for the first): base·2^retries, capped, of
 * which a random half is dropped ("equal jitter"). The cap matters because a resumable
 * client retries for ever: graphql-ws's own backoff (2^retries seconds, uncapped) would
 * be waiting hours after a long outage. The jitter spreads the reconnects of every
 * client a gateway restart dropped at once.
 */
export function backoffDelay(retries: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const baseMs = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  // 2^retries overflows to Infinity after ~1024 retries, which the cap absorbs.
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, retries));
  return full / 2 + random() * (full / 2);
}

/** A graphql-ws `retryWait` waiting {@link backoffDelay}. */
export function cappedBackoff(options: BackoffOptions = {}): (retries: number) => Promise<void> {
  return (retries) => new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, options)));
}
