import { z } from 'zod';

/**
 * TECHEA's JSON, as its reference page and CONTRACTS.md define it. Only this folder
 * knows these shapes.
 */

export const WIRE_EVENTS = ['registration', 'loan_issued', 'loan_rejected', 'loan_paid', 'loan_defaulted'] as const;
export type WireEvent = (typeof WIRE_EVENTS)[number];

export const WIRE_STATUSES = ['received', 'ignored'] as const;
export type WireStatus = (typeof WIRE_STATUSES)[number];

/** Body of `PATCH /lead/{lead_id}/status`. */
export interface WireStatusUpdate {
  event: WireEvent;
  advertiser_ref?: string;
  metadata?: Record<string, unknown>;
}

/** 200 answer of `PATCH /lead/{lead_id}/status` (`{lead_id, event, status}`) is read field by field in `answer.ts`. */

/** Error body: `{error, message, details?}` (details on 400 validation errors). */
export const errorResponse = z.object({
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), issue: z.string() })).optional(),
});
export type WireError = z.infer<typeof errorResponse>;
