import { z } from 'zod';

/**
 * Decision Cloud's JSON, as its reference page and CONTRACTS.md define it. Only this
 * folder knows these shapes.
 */

export const WIRE_APPLICATION_TYPES = ['New', 'Returning', 'Refinanced'] as const;
export type WireApplicationType = (typeof WIRE_APPLICATION_TYPES)[number];

export const WIRE_LOAN_TYPES = ['Payday', 'Installment', 'Line Of Credit'] as const;
export type WireLoanType = (typeof WIRE_LOAN_TYPES)[number];

/** Spelled exactly as published, spaces included. */
export const WIRE_LOAN_STATUSES = [
  'Pending', 'Expired', 'Withdrawn', 'Denied', 'Approved', 'Originated', 'Reversed', 'Past Due', 'Written Off', 'Current', 'Paid In Full',
] as const;
export type WireLoanStatus = (typeof WIRE_LOAN_STATUSES)[number];

/**
 * Body of `POST /api/v1/loan-performance/customers/{customerId}/loans`. Amounts are
 * integer cents, dates `YYYY-MM-DD`, datetimes `YYYY-MM-DDTHH:mm:ssZ`.
 */
export interface WireLoanUpsert {
  loan_id: string;
  lead_id?: number;
  management_system_id?: number;
  application_type?: WireApplicationType;
  loan_type?: WireLoanType;
  loan_status?: WireLoanStatus;
  loan_amount: number;
  funded_amount?: number;
  first_payment_date?: string;
  applied_at: string;
  esigned_at?: string;
  withdrawn_at?: string;
  originated_at?: string;
}

/** The request fields, in the order of the reference page. */
export const WIRE_LOAN_FIELDS = [
  'loan_id', 'lead_id', 'management_system_id', 'application_type', 'loan_type', 'loan_status', 'loan_amount', 'funded_amount',
  'first_payment_date', 'applied_at', 'esigned_at', 'withdrawn_at', 'originated_at',
] as const satisfies ReadonlyArray<keyof WireLoanUpsert>;

/** 200 of `POST /oauth/token` (client credentials: no refresh token). */
export const tokenResponse = z.object({
  // RFC 6749 §5.1: the token type is case-insensitive.
  token_type: z.string().refine((type) => type.toLowerCase() === 'bearer', 'token_type is not Bearer'),
  expires_in: z.number().int().nonnegative(),
  access_token: z.string().min(1),
});

/** OAuth2 error of the token endpoint: `{error, error_description?, message?}` (ours: Passport's shape). */
export const tokenErrorResponse = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});
export type WireTokenError = z.infer<typeof tokenErrorResponse>;

/** Laravel's error body: `{message}`, with `errors: {field: [messages]}` on a 422. */
export const errorResponse = z.object({
  message: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export type WireError = z.infer<typeof errorResponse>;
