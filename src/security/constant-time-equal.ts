import { timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time that does not depend on where they differ (no timing oracle). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
