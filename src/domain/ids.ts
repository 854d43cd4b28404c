import { invalidInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Lead Bank's application id format, from its reference page. */
export const APPLICATION_ID = /^application_\w+$/;
const DECIMAL_ID = /^(0|[1-9]\d{0,18})$/;

/** A UUID (any version), lower-cased; otherwise a bad-input error naming `field`. */
export function requireUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw invalidInput(field, 'a UUID', value);
  return value.toLowerCase();
}

/** A Lead Bank application id (`application_…`); otherwise a bad-input error naming `field`. */
export function requireApplicationId(value: string, field: string): string {
  if (!APPLICATION_ID.test(value)) throw invalidInput(field, 'an id matching ^application_\\w+$', value);
  return value;
}

/** A status-change id: a non-negative decimal integer that fits in PostgreSQL's bigint. */
export function requireStatusChangeId(value: string, field: string): string {
  if (!DECIMAL_ID.test(value) || BigInt(value) > 9223372036854775807n) {
    throw invalidInput(field, 'a status change id (a non-negative integer)', value);
  }
  return value;
}

/** A free-form provider id (customer, loan): 1 to 255 characters, no surrounding blanks. */
export function requireExternalId(value: string, field: string): string {
  if (value.length === 0 || value.length > 255 || value.trim() !== value) {
    throw invalidInput(field, 'an id of 1 to 255 characters without surrounding spaces', value);
  }
  return value;
}

/**
 * What an id that becomes a segment of a provider's URL path may hold: RFC 3986's
 * unreserved characters, so it is sent exactly as given, and never only dots, which
 * a URL resolver (ours or any proxy's) would read as `.` or `..` and leave the path.
 */
export const PATH_SAFE_ID = /^(?!\.+$)[A-Za-z0-9._~-]{1,255}$/;

/**
 * A provider id that goes into a URL path (a Decision Cloud customer id): checked
 * before anything is written or sent, so `..` can never walk the gateway's own
 * credentials to another endpoint.
 */
export function requirePathSafeId(value: string, field: string): string {
  if (!PATH_SAFE_ID.test(value)) {
    throw invalidInput(field, 'an id of 1 to 255 of A-Z, a-z, 0-9, ".", "_", "~" and "-", not only dots', value);
  }
  return value;
}

/** An integer page size within `[min, max]`. */
export function requirePageSize(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(field, `an integer from ${min} to ${max}`, value);
  }
  return value;
}
