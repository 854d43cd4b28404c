import { type VerificationField, type VerificationOperationRecord, type VerificationRecord } from '../../domain/records.js';
import { VerificationOperationState, VerificationOperationType } from '../../domain/vocabulary.js';
import { fromWireOperationState, fromWireOperationType, fromWireStatus } from './mapping.js';
import { parseWireTimestamp } from './wire.js';
import { isJsonObject } from '../json.js';

/** A process as read, and what in it could not be read. */
export interface ProcessReading {
  readonly record: VerificationRecord;
  readonly unread: readonly UnreadPart[];
}

/** A part of a message that could not be read: the field (the metric's label) and why. */
export interface UnreadPart {
  readonly field: string;
  readonly problem: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_FIELDS = {
  process_uuid: 'processUuid',
  status_reasons: 'statusReasons',
  name: 'name',
  document_number: 'documentNumber',
  document_type: 'documentType',
  nationality: 'nationality',
  company: 'company',
  profile_alias: 'profileAlias',
} as const satisfies Record<string, VerificationField>;

/**
 * Reads a Tecalis process (the `data` of an answer or a callback) the tolerant way.
 * Tecalis's page shows its keys, operation types, states and statuses in one example,
 * not as closed lists, so: a key left out is absent (the stored value stands), an
 * unknown operation type or state is UNKNOWN beside Tecalis's word, a status that is
 * not a final state is PENDING beside Tecalis's word, fractions of a second are kept.
 * Only a value that cannot be stored at all is dropped, with a note. Undefined when
 * the value names no process (no `auth_uuid`, and none was expected).
 */
export function readProcess(value: unknown, expectedAuthUuid?: string): ProcessReading | undefined {
  if (!isJsonObject(value)) return undefined;
  const unread: UnreadPart[] = [];
  const absent: VerificationField[] = [];
  const note = (field: string, problem: string) => unread.push({ field, problem });

  const sentUuid = typeof value.auth_uuid === 'string' && UUID.test(value.auth_uuid) ? value.auth_uuid.toLowerCase() : undefined;
  const authUuid = expectedAuthUuid ?? sentUuid;
  if (authUuid === undefined) return undefined;
  if (expectedAuthUuid !== undefined && 'auth_uuid' in value && sentUuid !== expectedAuthUuid.toLowerCase()) {
    note('auth_uuid', `${JSON.stringify(value.auth_uuid)} where ${expectedAuthUuid} was sent`);
  }

  const providerStatus = typeof value.status === 'string' ? value.status : null;
  if (providerStatus === null) note('status', 'status' in value ? `unreadable value ${JSON.stringify(value.status)}` : 'missing');

  const text: Partial<Record<VerificationField, string | null>> = {};
  for (const [wire, field] of Object.entries(TEXT_FIELDS)) {
    if (!(wire in value)) {
      absent.push(field);
      continue;
    }
    const raw = value[wire];
    const ok = raw === null || (typeof raw === 'string' && (field !== 'processUuid' || UUID.test(raw)));
    if (!ok) {
      note(wire, `unreadable value ${JSON.stringify(raw)?.slice(0, 80)}`);
      absent.push(field);
    } else {
      text[field] = raw;
    }
  }

  let cleaned: boolean | null = null;
  if (!('cleaned' in value)) absent.push('cleaned');
  else if (value.cleaned === null || typeof value.cleaned === 'boolean') cleaned = value.cleaned;
  else {
    note('cleaned', `unreadable value ${JSON.stringify(value.cleaned)}`);
    absent.push('cleaned');
  }

  const instant = (wire: 'created_at' | 'updated_at', field: 'createdAt' | 'updatedAt'): Date | null => {
    if (!(wire in value)) {
      absent.push(field);
      return null;
    }
    const raw = value[wire];
    if (raw === null) return null;
    const parsed = typeof raw === 'string' ? parseWireTimestamp(raw) : undefined;
    if (parsed === undefined) {
      note(wire, `unreadable value ${JSON.stringify(raw)}`);
      absent.push(field);
      return null;
    }
    return parsed;
  };
  const createdAt = instant('created_at', 'createdAt');
  const updatedAt = instant('updated_at', 'updatedAt');

  const operations: VerificationOperationRecord[] = [];
  if (!('operations' in value)) absent.push('operations');
  else if (!Array.isArray(value.operations)) {
    note('operations', 'not a list');
    absent.push('operations');
  } else {
    value.operations.forEach((op: unknown, i) => {
      const read = readOperation(op);
      if (typeof read === 'string') note('operations', `[${i}] ${read}`);
      else operations.push(read);
    });
  }

  const name = text.name;
  return {
    record: {
      authUuid,
      processUuid: text.processUuid ?? null,
      status: fromWireStatus(providerStatus ?? ''),
      providerStatus,
      statusReasons: text.statusReasons ?? null,
      // Tecalis joins first and last name, so a process without one answers " ".
      name: name === undefined || name === null || name.trim() === '' ? null : name,
      documentNumber: text.documentNumber ?? null,
      documentType: text.documentType ?? null,
      nationality: text.nationality ?? null,
      company: text.company ?? null,
      profileAlias: text.profileAlias ?? null,
      cleaned,
      operations,
      createdAt,
      updatedAt,
      ...(absent.length > 0 && { absent }),
    },
    unread,
  };
}

/** One operation, or why it cannot be stored (its id must be a UUID: it keys the row). */
function readOperation(op: unknown): VerificationOperationRecord | string {
  if (!isJsonObject(op)) return 'not an object';
  if (typeof op.operation !== 'string' || !UUID.test(op.operation)) return `an operation id that is not a UUID (${JSON.stringify(op.operation)})`;
  const providerType = typeof op.type === 'string' ? op.type : JSON.stringify(op.type ?? null);
  const providerState = typeof op.state === 'string' ? op.state : JSON.stringify(op.state ?? null);
  const seconds = typeof op.total_time === 'number' && Number.isFinite(op.total_time) && op.total_time >= 0 ? op.total_time : 0;
  return {
    operationId: op.operation.toLowerCase(),
    type: fromWireOperationType(providerType) ?? VerificationOperationType.UNKNOWN,
    providerType,
    state: fromWireOperationState(providerState) ?? VerificationOperationState.UNKNOWN,
    providerState,
    totalTimeSeconds: seconds,
  };
}
