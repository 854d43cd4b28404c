import { type GraphQLFormattedError } from 'graphql';
import { type ResumableSubscriptionError } from './subscription-error.js';

/**
 * A resumable subscription: a subscription document whose root field takes `after: $after`
 * and streams events whose ids grow in commit order (`statusChanged`, `dispatchChanged`).
 *
 * ```ts
 * const request: ResumableRequest<{ statusChanged: { id: string; to: string } }> = {
 *   query: `subscription ($after: ID, $leadId: ID) { statusChanged(after: $after, leadId: $leadId) { id to } }`,
 *   variables: { leadId },
 *   after: lastIdTheAppHasStored,
 * };
 * ```
 */
export interface ResumableRequest<TData = Record<string, unknown>> {
  /** The subscription document. It must declare `$after: ID` and pass it on as the root field's `after`. */
  readonly query: string;
  /** Its variables, without `after` (the client owns that one). */
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly operationName?: string;
  /**
   * The id of the last event the caller already has: the stream starts right after it.
   * Without it, the stream starts with the events that commit once the gateway has
   * registered the subscription, and a connection lost before the first event is
   * delivered resumes the same way, so what committed in between is not seen. To never
   * miss an event, always start from an id (`statusChanges` gives the latest, `"0"` means
   * from the beginning).
   */
  readonly after?: string;
  /** Finds an event's id in a result's `data`. Default: the `id` of the single root field. */
  readonly idOf?: (data: TData) => string;
}

/** One event, delivered once, in id order. */
export interface ResumableEvent<TData = Record<string, unknown>> {
  /** The event's id: from now on, where the subscription resumes. */
  readonly id: string;
  readonly data: TData;
  /** Field errors the gateway sent along with the data, if any. */
  readonly errors?: readonly GraphQLFormattedError[];
}

/** Where a resumable subscription delivers. An exception thrown here is rethrown asynchronously, never swallowed. */
export interface ResumableSink<TData = Record<string, unknown>> {
  /** The next event: ids strictly increase, none is repeated. */
  next(event: ResumableEvent<TData>): void;
  /**
   * The subscription has ended and will not resume: the credential was refused (4401), the
   * gateway refused the operation, a result carried no id, or the connection failed for
   * good (retries used up, or an error the client does not retry).
   */
  error(error: ResumableSubscriptionError): void;
  /** The gateway completed the operation. Not called after {@link ResumableSubscription.unsubscribe}. */
  complete?(): void;
}

/** A running resumable subscription. */
export interface ResumableSubscription {
  /**
   * The id of the last event delivered, or the `after` it started with while nothing has
   * been: where the next (re)subscription starts. Store it to resume in a later session.
   */
  readonly lastId: string | undefined;
  /** Events the gateway sent again (an id not after {@link lastId}), dropped instead of delivered twice. */
  readonly duplicatesDropped: number;
  /** Whether it has ended: unsubscribed, completed or failed. */
  readonly closed: boolean;
  /** Stops it (the gateway is sent `complete`); nothing is delivered afterwards. */
  unsubscribe(): void;
}
