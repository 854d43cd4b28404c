import { hash } from 'node:crypto';
import { canonicalJson } from '../providers/json.js';

/**
 * A hash of a caller's input that does not depend on key order, to tell "the same
 * request again" from "the same idempotency key with other input". An absent field
 * and a null one are the same input. One-shot `hash`: every mutation makes one, at
 * half the CPU of a `createHash` object (0.4 against 0.8 µs).
 */
export function requestHash(input: unknown): string {
  return hash('sha256', canonicalJson(input, { omitNull: true }), 'hex');
}
