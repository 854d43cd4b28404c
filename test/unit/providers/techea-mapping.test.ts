import { describe, expect, it } from 'vitest';
import { LeadEvent, LeadEventOutcome } from '../../../src/domain/vocabulary.js';
import { fromWireEvent, fromWireStatus, toWireEvent, toWireStatus } from '../../../src/providers/techea/mapping.js';

describe('TECHEA vocabulary mapping', () => {
  it.each([
    [LeadEvent.REGISTRATION, 'registration'],
    [LeadEvent.LOAN_ISSUED, 'loan_issued'],
    [LeadEvent.LOAN_REJECTED, 'loan_rejected'],
    [LeadEvent.LOAN_PAID, 'loan_paid'],
    [LeadEvent.LOAN_DEFAULTED, 'loan_defaulted'],
  ])('maps the event %s to "%s" and back', (event, wire) => {
    expect(toWireEvent(event)).toBe(wire);
    expect(fromWireEvent(wire)).toBe(event);
  });

  it.each([
    ['received', LeadEventOutcome.RECEIVED],
    ['ignored', LeadEventOutcome.IGNORED],
  ])('maps the status "%s" to %s and back', (wire, outcome) => {
    expect(fromWireStatus(wire)).toBe(outcome);
    expect(toWireStatus(outcome)).toBe(wire);
  });

  it('covers every unified value', () => {
    expect(Object.values(LeadEvent).map(toWireEvent)).toHaveLength(5);
    expect(Object.values(LeadEventOutcome).map(toWireStatus)).toHaveLength(2);
  });

  it.each(['Registration', 'approved', '', 'loan issued'])('knows no event "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireEvent(wire)).toBeUndefined();
  });

  it.each(['Received', 'queued', ''])('knows no status "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireStatus(wire)).toBeUndefined();
  });
});
