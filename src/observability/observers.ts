import { type DispatchState } from '../domain/vocabulary.js';
import { type ProviderId } from '../providers/provider-id.js';
import { type ProviderErrorCode } from '../providers/provider-error.js';

/**
 * What the provider HTTP client reports, per HTTP call. Implemented by the gateway's
 * metrics; the client finds it in the current {@link ObservationScope}, so the calls
 * are counted by the gateway instance that made them.
 */
export interface ProviderCallObserver {
  /**
   * One HTTP call and how long it took: `outcome` is the status class of the answer
   * (`2xx`, `4xx`, …), or `timeout` / `unreachable` when there was none.
   */
  providerRequest(provider: string, outcome: ProviderRequestOutcome, seconds: number): void;
  /** A call that ended in an error, by its neutral code. */
  providerError(provider: string, code: ProviderErrorCode): void;
  /** A part of a successful answer the client could not read (the call still succeeded). */
  providerAnswerUnread(provider: string, field: string): void;
}

export type ProviderRequestOutcome = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'unreachable';

/** What a dispatch attempt came to. */
export type DispatchAttemptOutcome =
  /** The provider confirmed it. */
  | 'succeeded'
  /** The provider refused it for good. */
  | 'refused'
  /** A transient failure: another attempt is scheduled. */
  | 'retry'
  /** A transient failure on the last attempt allowed. */
  | 'exhausted'
  /** Failed inside the gateway (the database, say): retried, says nothing about the provider. */
  | 'gateway_error'
  /** Not sent: the provider's circuit breaker is open. */
  | 'held';

/** What the dispatcher reports, on every attempt and every settled dispatch. */
export interface DispatchObserver extends ProviderCallObserver {
  dispatchAttempt(provider: ProviderId, outcome: DispatchAttemptOutcome): void;
  /** A dispatch left PENDING for good. */
  dispatchSettled(provider: ProviderId, state: Exclude<DispatchState, DispatchState.PENDING>): void;
}

/**
 * What the WebSocket side reports: every socket that opens and how it ended, and every
 * upgrade refused before a socket existed (a foreign origin, 403; too many sockets of
 * one address awaiting `connection_init`, 429).
 */
export interface WebSocketObserver {
  websocketOpened(): void;
  /** The code the socket ended with: the gateway's when it closed it, otherwise the client's (1006 for a dropped connection). */
  websocketClosed(code: number): void;
  websocketRefused(status: 403 | 429): void;
}
