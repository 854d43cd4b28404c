import { VerificationStatus } from '../../domain/vocabulary.js';
import { type VerificationFinalState } from '../provider.js';
import {
  FINAL_STATES,
  type KnownOperationState,
  type KnownOperationType,
  OPERATION_STATES,
  OPERATION_TYPES,
  PROCESS_STATUSES,
  type WireFinalState,
  type WireOperationState,
  type WireOperationType,
  type WireProcessStatus,
} from './wire.js';

export type { KnownOperationState, KnownOperationType };

/** A final state of the command → Tecalis's `state`. */
export function toWireState(state: VerificationFinalState): WireFinalState {
  return FINAL_STATES.toWire(state);
}

/**
 * Tecalis's process `status` → unified status. Only the final states are published;
 * any other value is a process still in progress, which the contract calls PENDING
 * ("started, no final state yet"): Tecalis's own word is kept beside it.
 */
export function fromWireStatus(status: string): VerificationStatus {
  return PROCESS_STATUSES.fromWire(status) ?? VerificationStatus.PENDING;
}

/** Unified status → Tecalis's process `status` (the sandbox answers with it). */
export function toWireStatus(status: VerificationStatus): WireProcessStatus {
  return PROCESS_STATUSES.toWire(status);
}

/** Tecalis's operation `type` → unified type; undefined for a value Tecalis does not define. */
export function fromWireOperationType(type: string): KnownOperationType | undefined {
  return OPERATION_TYPES.fromWire(type);
}

/** Unified operation type → Tecalis's `type`. */
export function toWireOperationType(type: KnownOperationType): WireOperationType {
  return OPERATION_TYPES.toWire(type);
}

/** Tecalis's operation `state` → unified state; undefined for a value Tecalis does not define. */
export function fromWireOperationState(state: string): KnownOperationState | undefined {
  return OPERATION_STATES.fromWire(state);
}

/** Unified operation state → Tecalis's operation `state`. */
export function toWireOperationState(state: KnownOperationState): WireOperationState {
  return OPERATION_STATES.toWire(state);
}
