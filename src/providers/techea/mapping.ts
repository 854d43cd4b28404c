import { assertNever } from '../../domain/assert-never.js';
import { LeadEvent, LeadEventOutcome } from '../../domain/vocabulary.js';
import { type WireEvent } from './wire.js';

/** Unified event → TECHEA's spelling. */
export function toWireEvent(event: LeadEvent): WireEvent {
  switch (event) {
    case LeadEvent.REGISTRATION:
      return 'registration';
    case LeadEvent.LOAN_ISSUED:
      return 'loan_issued';
    case LeadEvent.LOAN_REJECTED:
      return 'loan_rejected';
    case LeadEvent.LOAN_PAID:
      return 'loan_paid';
    case LeadEvent.LOAN_DEFAULTED:
      return 'loan_defaulted';
    default:
      return assertNever(event, 'lead event');
  }
}

/** TECHEA's spelling → unified event; undefined for a value TECHEA does not define. */
export function fromWireEvent(event: string): LeadEvent | undefined {
  switch (event) {
    case 'registration':
      return LeadEvent.REGISTRATION;
    case 'loan_issued':
      return LeadEvent.LOAN_ISSUED;
    case 'loan_rejected':
      return LeadEvent.LOAN_REJECTED;
    case 'loan_paid':
      return LeadEvent.LOAN_PAID;
    case 'loan_defaulted':
      return LeadEvent.LOAN_DEFAULTED;
    default:
      return undefined;
  }
}

/** TECHEA's `status` → what it did with the event; undefined for a value TECHEA does not define. */
export function fromWireStatus(status: string): LeadEventOutcome | undefined {
  switch (status) {
    case 'received':
      return LeadEventOutcome.RECEIVED;
    case 'ignored':
      return LeadEventOutcome.IGNORED;
    default:
      return undefined;
  }
}

/** Unified outcome → TECHEA's `status` (the sandbox answers with it). */
export function toWireStatus(outcome: LeadEventOutcome): 'received' | 'ignored' {
  switch (outcome) {
    case LeadEventOutcome.RECEIVED:
      return 'received';
    case LeadEventOutcome.IGNORED:
      return 'ignored';
    default:
      return assertNever(outcome, 'lead event outcome');
  }
}
