import { z } from 'zod';
import { VerificationOperationState, VerificationOperationType, VerificationStatus } from '../../domain/vocabulary.js';
import { type VerificationFinalState } from '../provider.js';
import { wireVocabulary } from '../wire-vocabulary.js';

/**
 * Tecalis's JSON, as its reference page and CONTRACTS.md define it. Only this folder
 * knows these shapes.
 */

/** The final states `PATCH /customer/status` can set. */
export const FINAL_STATES = wireVocabulary({ OK: 'OK', KO: 'KO', CANCELLED: 'CANCELLED' } as const satisfies Record<VerificationFinalState, string>);
export const WIRE_FINAL_STATES = FINAL_STATES.wireValues;
export type WireFinalState = (typeof WIRE_FINAL_STATES)[number];

/**
 * A process's `status`: the final states, and the one of a process still in its
 * flow. ours: Tecalis does not publish that value; we call it `PENDING`.
 */
export const PROCESS_STATUSES = wireVocabulary({
  [VerificationStatus.PENDING]: 'PENDING',
  [VerificationStatus.OK]: 'OK',
  [VerificationStatus.KO]: 'KO',
  [VerificationStatus.CANCELLED]: 'CANCELLED',
} as const satisfies Record<VerificationStatus, string>);
export const WIRE_PROCESS_STATUSES = PROCESS_STATUSES.wireValues;
export type WireProcessStatus = (typeof WIRE_PROCESS_STATUSES)[number];

/** An operation type Tecalis's page names (UNKNOWN stands for any other). */
export type KnownOperationType = Exclude<VerificationOperationType, VerificationOperationType.UNKNOWN>;
/** An operation state Tecalis's page names (UNKNOWN stands for any other). */
export type KnownOperationState = Exclude<VerificationOperationState, VerificationOperationState.UNKNOWN>;

export const OPERATION_TYPES = wireVocabulary({
  [VerificationOperationType.DOCUMENTS]: 'DOCUMENTS',
  [VerificationOperationType.HOME]: 'HOME',
  [VerificationOperationType.OCR]: 'OCR',
  [VerificationOperationType.POL]: 'POL',
  [VerificationOperationType.FINISH]: 'FINISH',
} as const satisfies Record<KnownOperationType, string>);
export const WIRE_OPERATION_TYPES = OPERATION_TYPES.wireValues;
export type WireOperationType = (typeof WIRE_OPERATION_TYPES)[number];

export const OPERATION_STATES = wireVocabulary({
  [VerificationOperationState.NOT_STARTED]: 'NOT_STARTED',
  [VerificationOperationState.OK]: 'OK',
  [VerificationOperationState.KO]: 'KO',
} as const satisfies Record<KnownOperationState, string>);
export const WIRE_OPERATION_STATES = OPERATION_STATES.wireValues;
export type WireOperationState = (typeof WIRE_OPERATION_STATES)[number];

/**
 * Body of `PATCH /customer/status`. The credentials travel here, not in a header.
 * `reasons` absent leaves the stored `status_reasons`; present (even "") replaces it.
 * The client's request type is its input; the sandbox validates with it, answering a
 * broken rule with its message (ours: Laravel's wording), the first one only.
 */
export const statusUpdate = z.object({
  auth_uuid: z.string(),
  api_key: z.string(),
  state: z.enum(WIRE_FINAL_STATES, {
    error: ({ input }) => (input === undefined || input === null || input === '' ? 'The state field is required.' : 'The selected state is invalid.'),
  }),
  reasons: z.string({ error: 'The reasons field must be a string.' }).optional(),
});
export type WireStatusUpdate = z.input<typeof statusUpdate>;

/**
 * Tecalis's instants are Laravel's: `2026-05-04T09:41:23.000000Z`, microseconds.
 * A `Date` keeps milliseconds, so the rest is cut, never rounded.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** A Tecalis instant as a `Date`; undefined when it is not one. */
export function parseWireTimestamp(value: string): Date | undefined {
  const match = TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const millis = (match[2] ?? '').slice(0, 3).padEnd(3, '0');
  const date = new Date(`${match[1]}.${millis}${match[3]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A `Date` in Tecalis's spelling (the sandbox answers with it). */
export function formatWireTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** One step of a process, as Tecalis sends it (read tolerantly by `read-process.ts`). */
export interface WireOperation {
  type: string;
  /** The operation's id. */
  operation: string;
  state: string;
  /** Seconds. */
  total_time: number;
}

/**
 * A process, as `{"data": …}` carries it in the reference page's example: what the
 * sandbox stores and answers. The client does not rely on this shape: `read-process.ts`
 * reads whatever arrives.
 */
export interface WireProcess {
  name: string | null;
  document_number: string | null;
  document_type: string | null;
  process_uuid: string | null;
  nationality: string | null;
  auth_uuid: string;
  company: string | null;
  profile_alias: string | null;
  status: string;
  status_reasons: string | null;
  created_at: string | null;
  updated_at: string | null;
  cleaned: boolean | null;
  operations: WireOperation[];
}

/** Error body: `{"internal_code": 401, "message": "Not authorized"}`; ours: the same shape for 422. */
export const errorResponse = z.object({
  internal_code: z.number(),
  message: z.string(),
});
export type WireError = z.infer<typeof errorResponse>;

