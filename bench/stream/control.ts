/** What the orchestrator and a subscriber process say to each other over its control port. */

/** Answer to `POST /open`: every connection acknowledged and every subscribe message sent. */
export interface OpenResult {
  readonly connections: number;
  readonly subscriptions: number;
  readonly ms: number;
}

/**
 * Body of `POST /await`: wait until this many events arrived in total, or until none
 * has arrived for `stallMs` (a gateway that is behind but still delivering is waited
 * for; one that stopped delivering is not).
 */
export interface AwaitRequest {
  readonly expected: number;
  readonly stallMs: number;
}

/** What one subscription received since the last `POST /mark`, in arrival order. */
export interface SubscriptionRecord {
  readonly index: number;
  /** Change ids (the log's ids fit a double exactly). */
  readonly ids: readonly number[];
  /** Receive time of each, `performance.timeOrigin + performance.now()` in ms. */
  readonly times: readonly number[];
}

/** Answer to `POST /await`. */
export interface AwaitResult {
  readonly received: number;
  /** Whether `expected` was reached (false: delivery stalled first). */
  readonly complete: boolean;
  readonly records: readonly SubscriptionRecord[];
  /** CPU time of the subscriber process since the mark, in ms (user + system). */
  readonly cpuMs: number;
  readonly wallMs: number;
  /** Event-loop delay of the subscriber process since the mark, in ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** When the last subscribe message was sent (same clock as `times`). */
  readonly subscribedAt: number;
  /** Subscriptions that ended (error, complete, closed socket), with the first reasons. */
  readonly ended: number;
  readonly endReasons: readonly string[];
}

/** A clock that reads the same in every process on this machine, in ms. */
export function sharedClock(): number {
  return performance.timeOrigin + performance.now();
}
