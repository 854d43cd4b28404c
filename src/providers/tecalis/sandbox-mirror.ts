import { type VerificationRecord } from '../../domain/records.js';
import { type RecordMirror } from '../sandbox/record-mirror.js';
import { VerificationOperationState, VerificationOperationType } from '../../domain/vocabulary.js';
import { toWireOperationState, toWireOperationType, toWireStatus } from './mapping.js';
import { type TecalisSandbox } from './sandbox.js';

/** Tecalis holds verification processes. */
export function tecalisMirror(sandbox: TecalisSandbox): RecordMirror {
  return { verification: (record) => mirrorProcess(sandbox, record) };
}

/** Puts a gateway-held process into the sandbox, so the two agree. */
function mirrorProcess(sandbox: TecalisSandbox, record: VerificationRecord): void {
  sandbox.addProcess({
    authUuid: record.authUuid,
    status: toWireStatus(record.status),
    statusReasons: record.statusReasons,
    name: record.name,
    documentNumber: record.documentNumber,
    documentType: record.documentType,
    nationality: record.nationality,
    // The sandbox's processes have the five documented operations; others are not mirrored.
    operationStates: Object.fromEntries(
      record.operations.flatMap((op) =>
        op.type === VerificationOperationType.UNKNOWN || op.state === VerificationOperationState.UNKNOWN
          ? []
          : [[toWireOperationType(op.type), toWireOperationState(op.state)]],
      ),
    ),
  });
}
