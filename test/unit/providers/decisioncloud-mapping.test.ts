import { describe, expect, it } from 'vitest';
import { LoanApplicationType, LoanStatus, LoanType } from '../../../src/domain/vocabulary.js';
import {
  fromWireApplicationType,
  fromWireLoanStatus,
  fromWireLoanType,
  toWireApplicationType,
  toWireDateTime,
  toWireLoanStatus,
  toWireLoanType,
} from '../../../src/providers/decisioncloud/mapping.js';
import { WIRE_APPLICATION_TYPES, WIRE_LOAN_STATUSES, WIRE_LOAN_TYPES } from '../../../src/providers/decisioncloud/wire.js';

describe('Decision Cloud vocabulary mapping', () => {
  it.each([
    [LoanApplicationType.NEW, 'New'],
    [LoanApplicationType.RETURNING, 'Returning'],
    [LoanApplicationType.REFINANCED, 'Refinanced'],
  ])('maps the application type %s to "%s" and back', (type, wire) => {
    expect(toWireApplicationType(type)).toBe(wire);
    expect(fromWireApplicationType(wire)).toBe(type);
  });

  it.each([
    [LoanType.PAYDAY, 'Payday'],
    [LoanType.INSTALLMENT, 'Installment'],
    [LoanType.LINE_OF_CREDIT, 'Line Of Credit'],
  ])('maps the loan type %s to "%s" and back', (type, wire) => {
    expect(toWireLoanType(type)).toBe(wire);
    expect(fromWireLoanType(wire)).toBe(type);
  });

  it.each([
    [LoanStatus.PENDING, 'Pending'],
    [LoanStatus.EXPIRED, 'Expired'],
    [LoanStatus.WITHDRAWN, 'Withdrawn'],
    [LoanStatus.DENIED, 'Denied'],
    [LoanStatus.APPROVED, 'Approved'],
    [LoanStatus.ORIGINATED, 'Originated'],
    [LoanStatus.REVERSED, 'Reversed'],
    [LoanStatus.PAST_DUE, 'Past Due'],
    [LoanStatus.WRITTEN_OFF, 'Written Off'],
    [LoanStatus.CURRENT, 'Current'],
    [LoanStatus.PAID_IN_FULL, 'Paid In Full'],
  ])('maps the loan status %s to "%s" and back', (status, wire) => {
    expect(toWireLoanStatus(status)).toBe(wire);
    expect(fromWireLoanStatus(wire)).toBe(status);
  });

  it('covers every unified value with every published spelling, each once', () => {
    expect(Object.values(LoanApplicationType).map(toWireApplicationType).sort()).toEqual([...WIRE_APPLICATION_TYPES].sort());
    expect(Object.values(LoanType).map(toWireLoanType).sort()).toEqual([...WIRE_LOAN_TYPES].sort());
    expect(Object.values(LoanStatus).map(toWireLoanStatus).sort()).toEqual([...WIRE_LOAN_STATUSES].sort());
  });

  it.each(['new', 'NEW', 'Refinance', ''])('knows no application type "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireApplicationType(wire)).toBeUndefined();
  });

  it.each(['Line of Credit', 'LineOfCredit', 'LINE_OF_CREDIT', 'payday', ''])('knows no loan type "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireLoanType(wire)).toBeUndefined();
  });

  it.each(['Past due', 'PastDue', 'PAST_DUE', 'Paid in Full', 'Written-Off', 'Paid', ''])('knows no loan status "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireLoanStatus(wire)).toBeUndefined();
  });
});

describe('Decision Cloud datetime format', () => {
  it.each([
    ['2021-09-25T04:01:57Z', '2021-09-25T04:01:57Z'],
    ['2021-09-25T04:01:57.999Z', '2021-09-25T04:01:57Z'],
    ['2021-09-25T06:01:57+02:00', '2021-09-25T04:01:57Z'],
    ['2021-09-25', '2021-09-25T00:00:00Z'],
  ])('writes the instant %s as "%s" (UTC, no milliseconds)', (instant, wire) => {
    expect(toWireDateTime(instant)).toBe(wire);
  });

  it('sends a value that is no instant as it is, for Decision Cloud to refuse', () => {
    expect(toWireDateTime('yesterday')).toBe('yesterday');
  });
});
