import { createHash } from 'node:crypto';
import { canonicalJson } from '../providers/json.js';

/**
 * A hash of a caller's input that does not depend on key order, to tell "the same
 * request again" from "the same idempotency key with other input". An absent field
 * and a null one are the same input.
 */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input, { omitNull: true })).digest('hex');
}
