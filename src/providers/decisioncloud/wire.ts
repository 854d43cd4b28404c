import { z } from 'zod';
import { LoanApplicationType, LoanStatus, LoanType } from '../../domain/vocabulary.js';
import { wireVocabulary } from '../wire-vocabulary.js';

/**
 * Decision Cloud's JSON, as its reference page and CONTRACTS.md define it. Only this
 * folder knows these shapes.
 */

/** Loan application types, as Decision Cloud spells them. */
export const APPLICATION_TYPES = wireVocabulary({
  [LoanApplicationType.NEW]: 'New',
  [LoanApplicationType.RETURNING]: 'Returning',
  [LoanApplicationType.REFINANCED]: 'Refinanced',
} as const satisfies Record<LoanApplicationType, string>);
export const WIRE_APPLICATION_TYPES = APPLICATION_TYPES.wireValues;
export type WireApplicationType = (typeof WIRE_APPLICATION_TYPES)[number];

/** Loan types, as Decision Cloud spells them. */
export const LOAN_TYPES = wireVocabulary({
  [LoanType.PAYDAY]: 'Payday',
  [LoanType.INSTALLMENT]: 'Installment',
  [LoanType.LINE_OF_CREDIT]: 'Line Of Credit',
} as const satisfies Record<LoanType, string>);
export const WIRE_LOAN_TYPES = LOAN_TYPES.wireValues;
export type WireLoanType = (typeof WIRE_LOAN_TYPES)[number];

/** Loan statuses, spelled exactly as published, spaces included. */
export const LOAN_STATUSES = wireVocabulary({
  [LoanStatus.PENDING]: 'Pending',
  [LoanStatus.EXPIRED]: 'Expired',
  [LoanStatus.WITHDRAWN]: 'Withdrawn',
  [LoanStatus.DENIED]: 'Denied',
  [LoanStatus.APPROVED]: 'Approved',
  [LoanStatus.ORIGINATED]: 'Originated',
  [LoanStatus.REVERSED]: 'Reversed',
  [LoanStatus.PAST_DUE]: 'Past Due',
  [LoanStatus.WRITTEN_OFF]: 'Written Off',
  [LoanStatus.CURRENT]: 'Current',
  [LoanStatus.PAID_IN_FULL]: 'Paid In Full',
} as const satisfies Record<LoanStatus, string>);
export const WIRE_LOAN_STATUSES = LOAN_STATUSES.wireValues;
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
