import { type LeadEvent, type LeadEventOutcome } from '../../domain/vocabulary.js';
import { EVENTS, STATUSES, type WireEvent, type WireStatus } from './wire.js';

/** Unified event → TECHEA's spelling. */
export function toWireEvent(event: LeadEvent): WireEvent {
  return EVENTS.toWire(event);
}

/** TECHEA's spelling → unified event; undefined for a value TECHEA does not define. */
export function fromWireEvent(event: string): LeadEvent | undefined {
  return EVENTS.fromWire(event);
}

/** TECHEA's `status` → what it did with the event; undefined for a value TECHEA does not define. */
export function fromWireStatus(status: string): LeadEventOutcome | undefined {
  return STATUSES.fromWire(status);
}

/** Unified outcome → TECHEA's `status` (the sandbox answers with it). */
export function toWireStatus(outcome: LeadEventOutcome): WireStatus {
  return STATUSES.toWire(outcome);
}
