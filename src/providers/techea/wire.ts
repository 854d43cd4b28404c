import { z } from 'zod';
import { LeadEvent, LeadEventOutcome } from '../../domain/vocabulary.js';
import { wireVocabulary } from '../wire-vocabulary.js';

/**
 * TECHEA's JSON, as its reference page and CONTRACTS.md define it. Only this folder
 * knows these shapes.
 */

/** Lead events, as TECHEA spells them. */
export const EVENTS = wireVocabulary({
  [LeadEvent.REGISTRATION]: 'registration',
  [LeadEvent.LOAN_ISSUED]: 'loan_issued',
  [LeadEvent.LOAN_REJECTED]: 'loan_rejected',
  [LeadEvent.LOAN_PAID]: 'loan_paid',
  [LeadEvent.LOAN_DEFAULTED]: 'loan_defaulted',
} as const satisfies Record<LeadEvent, string>);
export const WIRE_EVENTS = EVENTS.wireValues;
export type WireEvent = (typeof WIRE_EVENTS)[number];

/** What TECHEA did with an event: its `status`. */
export const STATUSES = wireVocabulary({
  [LeadEventOutcome.RECEIVED]: 'received',
  [LeadEventOutcome.IGNORED]: 'ignored',
} as const satisfies Record<LeadEventOutcome, string>);
export const WIRE_STATUSES = STATUSES.wireValues;
export type WireStatus = (typeof WIRE_STATUSES)[number];

/**
 * Body of `PATCH /lead/{lead_id}/status`, with the `issue` TECHEA's 400 names for each
 * field that breaks its rule: the client's request type is its input, the sandbox
 * validates with it. Members it does not name are ignored.
 */
export const statusUpdate = z.object({
  event: z.enum(WIRE_EVENTS, { error: `must be one of ${WIRE_EVENTS.join(', ')}` }),
  advertiser_ref: z.string({ error: 'must be a string' }).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
});
export type WireStatusUpdate = z.input<typeof statusUpdate>;

/** 200 answer of `PATCH /lead/{lead_id}/status` (`{lead_id, event, status}`) is read field by field in `answer.ts`. */

/** Error body: `{error, message, details?}` (details on 400 validation errors). */
export const errorResponse = z.object({
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), issue: z.string() })).optional(),
});
export type WireError = z.infer<typeof errorResponse>;
