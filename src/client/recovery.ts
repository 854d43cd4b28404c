import { isCloseLike, isGraphQLErrors } from './subscription-error.js';

/** The gateway's WebSocket close codes a resumable client acts on (the README's table has them all). */
export const GatewayCloseCode = {
  /** The gateway is shutting down: graphql-ws reconnects, the subscription resumes from its last id. */
  GoingAway: 1001,
  /** The credential was refused or revoked: final (graphql-ws does not retry it either). */
  Unauthenticated: 4401,
  /** The subscriber fell more than `SUBSCRIPTION_BUFFER` events behind: resubscribe with `after`. */
  TooFarBehind: 4410,
  /** The JWT expired: graphql-ws reconnects, calling `connectionParams` again for a fresh one. */
  TokenExpired: 4419,
} as const;

/** What to do once graphql-ws has given up on an operation. */
export type Recovery =
  | { readonly action: 'fail' }
  /** Subscribe again (with `after`); after `delayMs` when the gateway said how long to wait. */
  | { readonly action: 'resubscribe'; readonly delayMs?: number };

/**
 * Decides, for what graphql-ws handed `sink.error`, whether the subscription starts again.
 * graphql-ws hands it over only once it will not retry by itself: a close code it treats
 * as final, retries used up or refused by `shouldRetry`, or an operation's errors. Two of
 * those are the gateway asking to come back, so they are not the consumer's problem:
 * - 4410 "too far behind" (graphql-ws would retry it with its default `shouldRetry`, but
 *   not on a client with `retryAttempts: 0` or its own `shouldRetry`): the README says
 *   "resubscribe with `after`";
 * - a `RATE_LIMITED` refusal of the subscription's start that says when to come back
 *   (`extensions.retryAfter`, in seconds): each resubscription spends one of
 *   `SUBSCRIPTION_STARTS_PER_MINUTE`, and a client dropped often can run out. One without
 *   `retryAfter` ("at most 50 operations on one connection") would be refused again.
 * Anything else (4401 above all) is final.
 */
export function recoveryFor(error: unknown): Recovery {
  if (isCloseLike(error)) return error.code === GatewayCloseCode.TooFarBehind ? { action: 'resubscribe' } : { action: 'fail' };
  if (isGraphQLErrors(error) && error.length > 0) {
    const waits = error.map((e) => (e.extensions?.code === 'RATE_LIMITED' && typeof e.extensions.retryAfter === 'number' ? e.extensions.retryAfter : undefined));
    if (waits.every((seconds) => seconds !== undefined)) {
      const seconds = Math.max(...waits);
      // A zero wait leaves the pace to the backoff.
      return seconds > 0 ? { action: 'resubscribe', delayMs: seconds * 1000 } : { action: 'resubscribe' };
    }
  }
  return { action: 'fail' };
}

/**
 * The `shouldRetry` of a client this module creates: retry every close (graphql-ws has
 * already refused the final ones, 4401 among them) and every transport failure, which
 * is what a gateway restart looks like while nothing listens on its port (an `error`
 * event: graphql-ws's default gives up on those). Not retried: an `Error` the
 * application threw, typically from `connectionParams` (no token to send), which the
 * consumer should hear about rather than wait on forever.
 */
export function isRetryable(errorOrCloseEvent: unknown): boolean {
  return isCloseLike(errorOrCloseEvent) || !(errorOrCloseEvent instanceof Error);
}
