import { assertNever } from '../domain/assert-never.js';

/**
 * What happened upstream, in neutral terms. Adapters turn every HTTP outcome into
 * one of these; the dispatcher decides retry or fail from the code alone, never
 * from a message.
 */
export type ProviderErrorCode =
  /** The provider understood the request and refused it (validation, business rule). */
  | 'REJECTED'
  /** Our credentials were refused. */
  | 'UNAUTHORIZED'
  /** The record does not exist upstream. */
  | 'NOT_FOUND'
  /** The provider is busy with the same request (e.g. an idempotency key in flight). */
  | 'CONFLICT'
  /** Too many requests; `retryAfterMs` says when to come back, if the provider said. */
  | 'RATE_LIMITED'
  /** 5xx, connection refused or reset. */
  | 'UNAVAILABLE'
  /** No answer within the configured time. */
  | 'TIMEOUT'
  /** The provider answered something its contract does not allow. */
  | 'INVALID_RESPONSE';

export const PROVIDER_ERROR_CODES: readonly ProviderErrorCode[] = [
  'REJECTED', 'UNAUTHORIZED', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE', 'TIMEOUT', 'INVALID_RESPONSE',
];

/** Whether trying the same call again later can succeed. */
export function isRetryable(code: ProviderErrorCode): boolean {
  switch (code) {
    case 'CONFLICT':
    case 'RATE_LIMITED':
    case 'UNAVAILABLE':
    case 'TIMEOUT':
      return true;
    case 'REJECTED':
    case 'UNAUTHORIZED':
    case 'NOT_FOUND':
    case 'INVALID_RESPONSE':
      return false;
    default:
      return assertNever(code, 'provider error code');
  }
}

/** A provider call that did not succeed. The message is the provider's own, secrets removed. */
export class ProviderCallError extends Error {
  override name = 'ProviderCallError';
  readonly retryable: boolean;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly httpStatus: number | null = null,
    /** From `Retry-After`, when the provider sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.retryable = isRetryable(code);
  }
}

/** The neutral code for an HTTP status (the shared rules of CONTRACTS.md). */
export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 408) return 'TIMEOUT';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'REJECTED';
}
