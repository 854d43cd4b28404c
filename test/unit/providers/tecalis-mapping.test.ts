import { describe, expect, it } from 'vitest';
import { VerificationOperationState, VerificationOperationType, VerificationStatus } from '../../../src/domain/vocabulary.js';
import {
  fromWireOperationState,
  fromWireOperationType,
  fromWireStatus,
  toWireOperationState,
  toWireOperationType,
  toWireState,
  toWireStatus,
} from '../../../src/providers/tecalis/mapping.js';
import { formatWireTimestamp, parseWireTimestamp } from '../../../src/providers/tecalis/wire.js';

describe('Tecalis vocabulary mapping', () => {
  it.each(['OK', 'KO', 'CANCELLED'] as const)('sends the final state %s as "%s"', (state) => {
    expect(toWireState(state)).toBe(state);
  });

  it.each([
    [VerificationStatus.PENDING, 'PENDING'],
    [VerificationStatus.OK, 'OK'],
    [VerificationStatus.KO, 'KO'],
    [VerificationStatus.CANCELLED, 'CANCELLED'],
  ])('maps the process status %s to "%s" and back', (status, wire) => {
    expect(toWireStatus(status)).toBe(wire);
    expect(fromWireStatus(wire)).toBe(status);
  });

  it.each([
    [VerificationOperationType.DOCUMENTS, 'DOCUMENTS'],
    [VerificationOperationType.HOME, 'HOME'],
    [VerificationOperationType.OCR, 'OCR'],
    [VerificationOperationType.POL, 'POL'],
    [VerificationOperationType.FINISH, 'FINISH'],
  ] as const)('maps the operation type %s to "%s" and back', (type, wire) => {
    expect(toWireOperationType(type)).toBe(wire);
    expect(fromWireOperationType(wire)).toBe(type);
  });

  it.each([
    [VerificationOperationState.NOT_STARTED, 'NOT_STARTED'],
    [VerificationOperationState.OK, 'OK'],
    [VerificationOperationState.KO, 'KO'],
  ] as const)('maps the operation state %s to "%s" and back', (state, wire) => {
    expect(toWireOperationState(state)).toBe(wire);
    expect(fromWireOperationState(wire)).toBe(state);
  });

  it('covers every unified value', () => {
    expect(Object.values(VerificationStatus).map(toWireStatus)).toHaveLength(4);
    const knownTypes = Object.values(VerificationOperationType).filter((type) => type !== VerificationOperationType.UNKNOWN);
    const knownStates = Object.values(VerificationOperationState).filter((state) => state !== VerificationOperationState.UNKNOWN);
    expect(knownTypes.map((type) => toWireOperationType(type))).toHaveLength(5);
    expect(knownStates.map((state) => toWireOperationState(state))).toHaveLength(3);
  });

  it.each(['ok', 'Pending', 'CANCELED', 'IN_PROGRESS', ''])('reads any status but a final one, "%s" included, as a process in progress (PENDING)', (wire) => {
    expect(fromWireStatus(wire)).toBe(VerificationStatus.PENDING);
  });

  it.each(['documents', 'SELFIE', 'FINISHED', ''])('knows no operation type "%s" (the reader keeps it as UNKNOWN)', (wire) => {
    expect(fromWireOperationType(wire)).toBeUndefined();
  });

  it.each(['not_started', 'STARTED', 'CANCELLED', 'PENDING', ''])('knows no operation state "%s" (the reader keeps it as UNKNOWN)', (wire) => {
    expect(fromWireOperationState(wire)).toBeUndefined();
  });
});

describe('Tecalis timestamps', () => {
  it('reads microseconds by cutting them to milliseconds, never rounding', () => {
    expect(parseWireTimestamp('2026-05-04T09:41:23.123999Z')?.toISOString()).toBe('2026-05-04T09:41:23.123Z');
    expect(parseWireTimestamp('2026-05-04T09:41:23Z')?.toISOString()).toBe('2026-05-04T09:41:23.000Z');
    expect(parseWireTimestamp('2026-05-04T11:41:23.000000+02:00')?.toISOString()).toBe('2026-05-04T09:41:23.000Z');
  });

  it.each(['2026-05-04', '2026-13-04T09:41:23.000000Z', '2026-05-04 09:41:23', 'yesterday', ''])('knows no timestamp "%s"', (wire) => {
    expect(parseWireTimestamp(wire)).toBeUndefined();
  });

  it('writes a date the way Tecalis does, with six digits of fraction', () => {
    expect(formatWireTimestamp(new Date('2026-05-05T07:51:38.250Z'))).toBe('2026-05-05T07:51:38.250000Z');
  });
});
