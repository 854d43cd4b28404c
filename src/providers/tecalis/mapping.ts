import { assertNever } from '../../domain/assert-never.js';
import { VerificationOperationState, VerificationOperationType, VerificationStatus } from '../../domain/vocabulary.js';
import { type VerificationFinalState } from '../provider.js';
import {
  type WireFinalState,
  type WireOperationState,
  type WireOperationType,
  type WireProcessStatus,
} from './wire.js';

/** A final state of the command → Tecalis's `state`. */
export function toWireState(state: VerificationFinalState): WireFinalState {
  switch (state) {
    case 'OK':
      return 'OK';
    case 'KO':
      return 'KO';
    case 'CANCELLED':
      return 'CANCELLED';
    default:
      return assertNever(state, 'verification final state');
  }
}

/**
 * Tecalis's process `status` → unified status. Only the final states are published;
 * any other value is a process still in progress, which the contract calls PENDING
 * ("started, no final state yet"): Tecalis's own word is kept beside it.
 */
export function fromWireStatus(status: string): VerificationStatus {
  switch (status) {
    case 'OK':
      return VerificationStatus.OK;
    case 'KO':
      return VerificationStatus.KO;
    case 'CANCELLED':
      return VerificationStatus.CANCELLED;
    default:
      return VerificationStatus.PENDING;
  }
}

/** Unified status → Tecalis's process `status` (the sandbox answers with it). */
export function toWireStatus(status: VerificationStatus): WireProcessStatus {
  switch (status) {
    case VerificationStatus.PENDING:
      return 'PENDING';
    case VerificationStatus.OK:
      return 'OK';
    case VerificationStatus.KO:
      return 'KO';
    case VerificationStatus.CANCELLED:
      return 'CANCELLED';
    default:
      return assertNever(status, 'verification status');
  }
}

/** An operation type Tecalis's page names (UNKNOWN stands for any other). */
export type KnownOperationType = Exclude<VerificationOperationType, VerificationOperationType.UNKNOWN>;
/** An operation state Tecalis's page names (UNKNOWN stands for any other). */
export type KnownOperationState = Exclude<VerificationOperationState, VerificationOperationState.UNKNOWN>;

/** Tecalis's operation `type` → unified type; undefined for a value Tecalis does not define. */
export function fromWireOperationType(type: string): KnownOperationType | undefined {
  switch (type) {
    case 'DOCUMENTS':
      return VerificationOperationType.DOCUMENTS;
    case 'HOME':
      return VerificationOperationType.HOME;
    case 'OCR':
      return VerificationOperationType.OCR;
    case 'POL':
      return VerificationOperationType.POL;
    case 'FINISH':
      return VerificationOperationType.FINISH;
    default:
      return undefined;
  }
}

/** Unified operation type → Tecalis's `type`. */
export function toWireOperationType(type: KnownOperationType): WireOperationType {
  switch (type) {
    case VerificationOperationType.DOCUMENTS:
      return 'DOCUMENTS';
    case VerificationOperationType.HOME:
      return 'HOME';
    case VerificationOperationType.OCR:
      return 'OCR';
    case VerificationOperationType.POL:
      return 'POL';
    case VerificationOperationType.FINISH:
      return 'FINISH';
    default:
      return assertNever(type, 'verification operation type');
  }
}

/** Tecalis's operation `state` → unified state; undefined for a value Tecalis does not define. */
export function fromWireOperationState(state: string): KnownOperationState | undefined {
  switch (state) {
    case 'NOT_STARTED':
      return VerificationOperationState.NOT_STARTED;
    case 'OK':
      return VerificationOperationState.OK;
    case 'KO':
      return VerificationOperationState.KO;
    default:
      return undefined;
  }
}

/** Unified operation state → Tecalis's operation `state`. */
export function toWireOperationState(state: KnownOperationState): WireOperationState {
  switch (state) {
    case VerificationOperationState.NOT_STARTED:
      return 'NOT_STARTED';
    case VerificationOperationState.OK:
      return 'OK';
    case VerificationOperationState.KO:
      return 'KO';
    default:
      return assertNever(state, 'verification operation state');
  }
}
