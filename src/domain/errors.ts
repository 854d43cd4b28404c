/**
 * Errors the gateway raises on purpose, in its own terms. `graphql/errors.ts` maps each
 * kind to a GraphQL `extensions.code`; anything else that escapes is an internal error
 * and is never shown to a client.
 */
export type GatewayErrorKind =
  /** The caller's input is malformed or does not fit the current state; `field` says where. */
  | 'INVALID_INPUT'
  /** The caller is known, but its role does not allow the operation. */
  | 'FORBIDDEN'
  /** The caller sent too much, too fast. */
  | 'RATE_LIMITED'
  /** The same idempotency key came with other input. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The caller's tenant has no account at the provider the operation needs (no connection of its own). */
  | 'PROVIDER_NOT_CONNECTED';

/** An error meant for the caller: its message is safe to show. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    /** Path of the argument or input field at fault, e.g. `input.applicationId`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** `field: expected X, but got Y` — the one shape of every bad-input message. */
export function invalidInput(field: string, expected: string, got: unknown): GatewayError {
  return new GatewayError('INVALID_INPUT', `${field}: expected ${expected}, but got ${describe(got)}`, field);
}

/** A text over its length limit; the message gives the length, never the text. */
export function tooLong(field: string, max: number, length: number): GatewayError {
  return new GatewayError('INVALID_INPUT', `${field}: expected at most ${max} characters, but got ${length}`, field);
}

/** A bad-input error whose message is not of the expected/got shape (a conflict with stored state). */
export function rejectedInput(field: string, message: string): GatewayError {
  return new GatewayError('INVALID_INPUT', `${field}: ${message}`, field);
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    // Long values are cut: the message must stay readable and must not echo a payload back whole.
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  return String(value);
}
