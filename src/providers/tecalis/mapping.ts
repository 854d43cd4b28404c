import { assertNever } from '../../domain/assert-never.js';
import { type VerificationOperationRecord, type VerificationRecord } from '../../domain/records.js';
import { VerificationOperationState, VerificationOperationType, VerificationStatus } from '../../domain/vocabulary.js';
import { type VerificationFinalState } from '../provider.js';
import {
  parseWireTimestamp,
  type WireFinalState,
  type WireOperationState,
  type WireOperationType,
  type WireProcess,
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

/** Tecalis's process `status` → unified status; undefined for a value Tecalis does not define. */
export function fromWireStatus(status: string): VerificationStatus | undefined {
  switch (status) {
    // ours: the value of a process without a final state is not published (see wire.ts).
    case 'PENDING':
      return VerificationStatus.PENDING;
    case 'OK':
      return VerificationStatus.OK;
    case 'KO':
      return VerificationStatus.KO;
    case 'CANCELLED':
      return VerificationStatus.CANCELLED;
    default:
      return undefined;
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

/** Tecalis's operation `type` → unified type; undefined for a value Tecalis does not define. */
export function fromWireOperationType(type: string): VerificationOperationType | undefined {
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
export function toWireOperationType(type: VerificationOperationType): WireOperationType {
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
export function fromWireOperationState(state: string): VerificationOperationState | undefined {
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
export function toWireOperationState(state: VerificationOperationState): WireOperationState {
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

/** A Tecalis process in the unified model, or the problem that keeps it from being one (an unknown value). */
export function toVerificationRecord(process: WireProcess): { record: VerificationRecord } | { problem: string } {
  const status = fromWireStatus(process.status);
  if (status === undefined) return { problem: `an unknown status "${process.status}"` };
  const operations: VerificationOperationRecord[] = [];
  for (const op of process.operations) {
    const type = fromWireOperationType(op.type);
    if (type === undefined) return { problem: `an unknown operation type "${op.type}"` };
    const state = fromWireOperationState(op.state);
    if (state === undefined) return { problem: `an unknown operation state "${op.state}"` };
    operations.push({ operationId: op.operation, type, state, totalTimeSeconds: op.total_time });
  }
  return {
    record: {
      authUuid: process.auth_uuid,
      processUuid: process.process_uuid,
      status,
      statusReasons: process.status_reasons,
      // Tecalis joins first and last name, so a process without one answers " ".
      name: process.name === null || process.name.trim() === '' ? null : process.name,
      documentNumber: process.document_number,
      documentType: process.document_type,
      nationality: process.nationality,
      company: process.company,
      profileAlias: process.profile_alias,
      cleaned: process.cleaned,
      operations,
      createdAt: process.created_at === null ? null : (parseWireTimestamp(process.created_at) ?? null),
      updatedAt: process.updated_at === null ? null : (parseWireTimestamp(process.updated_at) ?? null),
    },
  };
}
