import { describe, expect, it } from 'vitest';
import { VerificationStatus } from '../../src/domain/vocabulary.js';
import { callbackVerdict, isFinished } from '../../src/services/callback-order.js';

const at = (iso: string) => new Date(iso);
const { PENDING, OK, KO, CANCELLED } = VerificationStatus;

describe('which Tecalis callbacks move a process forward', () => {
  it('takes OK, KO and CANCELLED as finished, PENDING as not', () => {
    expect(Object.values(VerificationStatus).map((status) => [status, isFinished(status)])).toEqual([
      [PENDING, false],
      [OK, true],
      [KO, true],
      [CANCELLED, true],
    ]);
  });

  it.each([
    ['apply', 'a newer state', { status: PENDING, updatedAt: at('2026-10-01T10:00:00Z') }, { status: OK, updatedAt: at('2026-10-01T10:00:01Z') }],
    ['apply', 'the same instant (microseconds cut to milliseconds)', { status: PENDING, updatedAt: at('2026-10-01T10:00:00Z') }, { status: KO, updatedAt: at('2026-10-01T10:00:00Z') }],
    ['apply', 'anything, while nothing stored has a date (a process just adopted)', { status: PENDING, updatedAt: null }, { status: PENDING, updatedAt: null }],
    ['apply', 'a later final state over a finished one', { status: KO, updatedAt: at('2026-10-01T10:00:00Z') }, { status: OK, updatedAt: at('2026-10-02T10:00:00Z') }],
    ['stale', 'an older state', { status: PENDING, updatedAt: at('2026-10-01T10:00:00Z') }, { status: OK, updatedAt: at('2020-01-01T00:00:00Z') }],
    ['stale', 'a callback without a date once one is stored', { status: PENDING, updatedAt: at('2026-10-01T10:00:00Z') }, { status: OK, updatedAt: null }],
    ['finished', 'PENDING over a finished process, even newer', { status: OK, updatedAt: at('2026-10-01T10:00:00Z') }, { status: PENDING, updatedAt: at('2027-01-01T00:00:00Z') }],
    ['finished', 'PENDING over a finished process, and older', { status: CANCELLED, updatedAt: at('2026-10-01T10:00:00Z') }, { status: PENDING, updatedAt: at('2020-01-01T00:00:00Z') }],
  ] as const)('%s: %s', (verdict, _what, stored, incoming) => {
    expect(callbackVerdict(stored, incoming)).toBe(verdict);
  });
});
