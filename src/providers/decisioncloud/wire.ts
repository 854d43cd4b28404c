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

/** `YYYY-MM-DD`, a real date (2021-02-30 is refused, as PHP's round trip refuses it). */
const wireDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(roundTrips);
/** `YYYY-MM-DDTHH:mm:ssZ`, UTC, no fraction, a real instant. */
const wireDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/).refine(roundTrips);
/** ours: stricter than PHP's `integer` (which also takes "42"): a client that passes here passes there. */
const wireInteger = z.number().refine(Number.isSafeInteger);

/** Whether a date or UTC datetime names itself (JavaScript, like PHP, rolls 2021-02-30 over to March). */
function roundTrips(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value.slice(0, 19));
}

/**
 * Each field of the body of `POST /api/v1/loan-performance/customers/{customerId}/loans`,
 * as the reference page types it: amounts are integer cents, dates `YYYY-MM-DD`,
 * datetimes `YYYY-MM-DDTHH:mm:ssZ`. Which are required is Laravel's business (the
 * sandbox's presence rules); the type of each is stated here once.
 */
export const loanUpsertFields = {
  loan_id: z.string(),
  lead_id: wireInteger,
  management_system_id: wireInteger,
  application_type: z.enum(WIRE_APPLICATION_TYPES),
  loan_type: z.enum(WIRE_LOAN_TYPES),
  loan_status: z.enum(WIRE_LOAN_STATUSES),
  loan_amount: wireInteger,
  funded_amount: wireInteger,
  first_payment_date: wireDate,
  applied_at: wireDateTime,
  esigned_at: wireDateTime,
  withdrawn_at: wireDateTime,
  originated_at: wireDateTime,
};

/** The body the client sends (one of `lead_id`, `management_system_id` is required too). */
export const loanUpsert = z.object({
  ...loanUpsertFields,
  lead_id: loanUpsertFields.lead_id.optional(),
  management_system_id: loanUpsertFields.management_system_id.optional(),
  application_type: loanUpsertFields.application_type.optional(),
  loan_type: loanUpsertFields.loan_type.optional(),
  loan_status: loanUpsertFields.loan_status.optional(),
  funded_amount: loanUpsertFields.funded_amount.optional(),
  first_payment_date: loanUpsertFields.first_payment_date.optional(),
  esigned_at: loanUpsertFields.esigned_at.optional(),
  withdrawn_at: loanUpsertFields.withdrawn_at.optional(),
  originated_at: loanUpsertFields.originated_at.optional(),
});
export type WireLoanUpsert = z.infer<typeof loanUpsert>;

/** The request fields, in the order of the reference page. */
export const WIRE_LOAN_FIELDS = [
  'loan_id', 'lead_id', 'management_system_id', 'application_type', 'loan_type', 'loan_status', 'loan_amount', 'funded_amount',
  'first_payment_date', 'applied_at', 'esigned_at', 'withdrawn_at', 'originated_at',
] as const satisfies ReadonlyArray<keyof typeof loanUpsertFields>;

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
