import { type GraphQLFormattedError } from 'graphql';
import { describe } from './event-id.js';

/**
 * Why a resumable subscription ended:
 * - `closed`: the connection closed with a code that is final (4401: the credential was
 *   refused), or a retryable one after the client's retries were used up;
 * - `refused`: the gateway answered the operation with errors (`extensions.code` says why);
 * - `unreadable`: a result without an event id, so the stream cannot know where it is;
 * - `failed`: the connection could not be made or kept (the `cause` says why).
 */
export type ResumableErrorKind = 'closed' | 'refused' | 'unreadable' | 'failed';

/** What a {@link ResumableSubscriptionError} carries besides its kind. */
export interface ResumableErrorDetails {
  /** The WebSocket close code, for `closed`. */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** The gateway's errors, for `refused` (and `unreadable` when it sent some). */
  readonly errors?: readonly GraphQLFormattedError[];
  /** What graphql-ws reported: the close event, the thrown error, the transport's error event. */
  readonly cause?: unknown;
}

/** The one error a {@link ResumableSink} receives. */
export class ResumableSubscriptionError extends Error {
  override readonly name = 'ResumableSubscriptionError';
  readonly kind: ResumableErrorKind;
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  readonly errors: readonly GraphQLFormattedError[] | undefined;

  constructor(message: string, kind: ResumableErrorKind, details: ResumableErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.errors = details.errors;
  }
}

/** A WebSocket `CloseEvent`, or what graphql-ws passes for one (its `TerminatedCloseEvent`). */
export interface CloseLike {
  readonly code: number;
  readonly reason: string;
}

/** Whether graphql-ws handed over a close event (the same test graphql-ws itself applies). */
export function isCloseLike(value: unknown): value is CloseLike {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/** Whether graphql-ws handed over the errors of an `error` message. */
export function isGraphQLErrors(value: unknown): value is readonly GraphQLFormattedError[] {
  return Array.isArray(value);
}

/** Turns whatever graphql-ws passed to `sink.error` into a {@link ResumableSubscriptionError}. */
export function toSubscriptionError(error: unknown): ResumableSubscriptionError {
  if (isGraphQLErrors(error)) {
    const codes = error.map((e) => (typeof e.extensions?.code === 'string' ? `${e.extensions.code}: ` : '') + e.message);
    return new ResumableSubscriptionError(`the gateway refused the subscription (${codes.join('; ')})`, 'refused', { errors: error });
  }
  if (isCloseLike(error)) {
    const reason = String(error.reason);
    return new ResumableSubscriptionError(`the connection closed with ${error.code}${reason === '' ? '' : ` (${reason})`}`, 'closed', {
      closeCode: error.code,
      closeReason: reason,
      cause: error,
    });
  }
  if (error instanceof Error) return new ResumableSubscriptionError(`the connection failed: ${error.message}`, 'failed', { cause: error });
  // A transport `ErrorEvent` (ws) or a bare `Event` (browsers), which say little more.
  const message = typeof (error as { message?: unknown } | null)?.message === 'string' ? (error as { message: string }).message : describe(String(error));
  return new ResumableSubscriptionError(`the connection failed: ${message}`, 'failed', { cause: error });
}
