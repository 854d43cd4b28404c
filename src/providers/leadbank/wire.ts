import { z } from 'zod';
import { ApplicationDocumentType, ApplicationStatus } from '../../domain/vocabulary.js';
import { wireVocabulary } from '../wire-vocabulary.js';

/**
 * Lead Bank's JSON, as its reference page and CONTRACTS.md define it. Only this
 * folder knows these shapes.
 */

/** Application statuses, as Lead Bank spells them (terminal states only: there is no in-progress one). */
export const STATUSES = wireVocabulary({
  [ApplicationStatus.APPROVED]: 'approved',
  [ApplicationStatus.DECLINED]: 'declined',
  [ApplicationStatus.CANCELED]: 'canceled',
} as const satisfies Record<ApplicationStatus, string>);
export const WIRE_STATUSES = STATUSES.wireValues;
export type WireStatus = (typeof WIRE_STATUSES)[number];

/** A document kind the reference page lists (UNKNOWN stands for any other type). */
export type KnownDocumentType = Exclude<ApplicationDocumentType, ApplicationDocumentType.UNKNOWN>;

/** Document types, as the reference page spells them. */
export const DOCUMENT_TYPES = wireVocabulary({
  [ApplicationDocumentType.AAN]: 'aan',
  [ApplicationDocumentType.LOAN_AGREEMENT]: 'loan_agreement',
  [ApplicationDocumentType.LOC_AGREEMENT]: 'loc_agreement',
  [ApplicationDocumentType.TRUTH_IN_LENDING_DOCUMENT]: 'truth_in_lending_document',
  [ApplicationDocumentType.ACH_AUTHORIZATION]: 'ach_authorization',
  [ApplicationDocumentType.NOTICE_OF_INCOMPLETENESS]: 'notice_of_incompleteness',
  [ApplicationDocumentType.CREDIT_SCORE_NOTICE]: 'credit_score_notice',
  [ApplicationDocumentType.OFFER_SUMMARY]: 'offer_summary',
  [ApplicationDocumentType.PERSONAL_GUARANTEE]: 'personal_guarantee',
  [ApplicationDocumentType.CONSUMER_CREDIT_AUTH]: 'consumer_credit_auth',
  [ApplicationDocumentType.PARTNER_PRIVACY_POLICY]: 'partner_privacy_policy',
  [ApplicationDocumentType.LEAD_PRIVACY_POLICY]: 'lead_privacy_policy',
  [ApplicationDocumentType.TERMS_OF_USE]: 'terms_of_use',
  [ApplicationDocumentType.FCRA_NOTICE]: 'fcra_notice',
  [ApplicationDocumentType.TCPA_CONSENT]: 'tcpa_consent',
  [ApplicationDocumentType.PATRIOT_ACT_NOTICE]: 'patriot_act_notice',
  [ApplicationDocumentType.MLA_NOTICE]: 'mla_notice',
  [ApplicationDocumentType.PRE_APPROVAL_TERMS]: 'pre_approval_terms',
  [ApplicationDocumentType.EFT_AUTHORIZATION]: 'eft_authorization',
  [ApplicationDocumentType.PROHIBITED_INDUSTRY_CERTIFICATION]: 'prohibited_industry_certification',
  [ApplicationDocumentType.DECISION_MAKER_DOCUMENT]: 'decision_maker_document',
  [ApplicationDocumentType.BO_CERTIFICATION]: 'bo_certification',
  [ApplicationDocumentType.MISSED_PAYMENTS_POLICY]: 'missed_payments_policy',
  [ApplicationDocumentType.LEAD_FUNDS_TRANSFER_AGREEMENT]: 'lead_funds_transfer_agreement',
  [ApplicationDocumentType.ESIGN_AGREEMENT]: 'esign_agreement',
  [ApplicationDocumentType.CREDIT_PULL_CONSENT]: 'credit_pull_consent',
  [ApplicationDocumentType.CONSENT_TO_LINK_ACCOUNT]: 'consent_to_link_account',
  [ApplicationDocumentType.CONSENT_TO_LINK_HSA]: 'consent_to_link_hsa',
  [ApplicationDocumentType.NEGATIVE_OPTION_CONSENT]: 'negative_option_consent',
} as const satisfies Record<KnownDocumentType, string>);
export type WireDocumentType = (typeof DOCUMENT_TYPES.wireValues)[number];

export const WIRE_DELIVERY_METHODS = ['email', 'text', 'other'] as const;

/** Document types that need `displayed_at` (the reference page's first list). */
export const DISPLAYED_DOCUMENT_TYPES = [
  'aan', 'loan_agreement', 'loc_agreement', 'truth_in_lending_document', 'ach_authorization', 'notice_of_incompleteness',
  'credit_score_notice', 'offer_summary', 'personal_guarantee', 'consumer_credit_auth', 'partner_privacy_policy',
  'lead_privacy_policy', 'terms_of_use', 'fcra_notice', 'tcpa_consent', 'patriot_act_notice', 'mla_notice',
  'pre_approval_terms', 'eft_authorization', 'prohibited_industry_certification', 'decision_maker_document',
  'bo_certification', 'missed_payments_policy', 'lead_funds_transfer_agreement',
] as const satisfies readonly WireDocumentType[];

/** Document types that need `consented_at` (the reference page's second list). */
export const CONSENTED_DOCUMENT_TYPES = [
  'esign_agreement', 'credit_pull_consent', 'consent_to_link_account', 'consent_to_link_hsa', 'negative_option_consent',
] as const satisfies readonly WireDocumentType[];

/** An ISO 4217 code, as Lead Bank checks `details.credit.currency`. */
export const CURRENCY = /^[A-Z]{3}$/;

/** `^application_\w+$`, the pattern of an application id. */
export const APPLICATION_ID = /^application_\w+$/;

/** Body of `POST /v1/oauth/token`. */
export interface WireTokenRequest {
  grant_type: 'client_credentials';
  client_id: string;
  client_secret: string;
  scope?: string;
}

/** 200 answer of `POST /v1/oauth/token`. */
export const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'token_type must be Bearer'),
  scope: z.string().optional(),
  expires_in: z.number().positive(),
});
export type WireToken = z.infer<typeof tokenResponse>;

/** One rule of a write, with the reason Lead Bank's sandbox gives when a value breaks it. */
const rule = <T extends z.ZodType>(schema: (error: string) => T, reason: string): T => schema(reason);
const text = () => rule((error) => z.string({ error }), 'must be a string');
const writtenInstant = () => rule((error) => z.iso.datetime({ offset: true, error }), 'must be an ISO 8601 date-time');

/**
 * The type of every member a write may carry, by where it sits in the body, stated once:
 * the sandbox enforces them (with these reasons), `validate.ts` checks a command
 * against them before it is sent. `null` is no value here: in a merge patch it removes
 * the member, so it is never checked against these.
 */
export const WRITE_MEMBERS = {
  status: { status: rule((error) => z.enum(WIRE_STATUSES, { error }), `must be one of ${WIRE_STATUSES.join(', ')}`) },
  details: { product_name: text() },
  'details.credit': {
    is_secured: rule((error) => z.boolean({ error }), 'must be a boolean'),
    is_mla: rule((error) => z.boolean({ error }), 'must be a boolean'),
    currency: rule((error) => z.string({ error }).regex(CURRENCY, { error }), 'must be an ISO 4217 currency code'),
    underwriting_grade: text(),
    limit: rule((error) => z.number({ error }).refine((v) => Number.isSafeInteger(v) && v >= 0, { error }), 'must be a non-negative integer (minor units)'),
    max_limit: rule((error) => z.number({ error }).refine((v) => Number.isSafeInteger(v) && v >= 0, { error }), 'must be a non-negative integer (minor units)'),
  },
  'details.adverse_action_notice': {
    delivered_at: writtenInstant(),
    reason: text(),
    // A string on the wire (the client sends what the command carries); the rule names the methods.
    delivery_method: rule((error) => z.string({ error }).refine((v) => (WIRE_DELIVERY_METHODS as readonly string[]).includes(v), { error }), `must be one of ${WIRE_DELIVERY_METHODS.join(', ')}`),
  },
  decision: { decided_at: writtenInstant(), reason: text(), exception_approval_reason: text() },
  'documents[]': { document_id: text(), type: text(), displayed_at: writtenInstant(), consented_at: writtenInstant(), version: text() },
} as const;

/** The members of a merge-patched object, each its write rule: absent leaves it as it is, `null` removes it. */
function removable<M extends Readonly<Record<string, z.ZodType>>>(members: M) {
  const shape = Object.fromEntries(Object.entries(members).map(([name, schema]) => [name, schema.nullish()]));
  return z.object(shape as { -readonly [K in keyof M]: z.ZodOptional<z.ZodNullable<M[K]>> });
}

/** `details.credit` of a patch. Limits are integer minor units. */
export const creditPatch = removable(WRITE_MEMBERS['details.credit']);
export type WireCredit = z.input<typeof creditPatch>;

/** `details.adverse_action_notice` of a patch: all three members, or `null` for none. */
export const adverseActionNoticePatch = z.object(WRITE_MEMBERS['details.adverse_action_notice']);
export type WireAdverseActionNotice = z.input<typeof adverseActionNoticePatch>;

/** One entry of `documents`: `type` is required, the rest may be left out. */
export const documentWrite = z.object(WRITE_MEMBERS['documents[]']).partial().required({ type: true });
export type WireDocument = z.input<typeof documentWrite>;

/**
 * Body of `PATCH /v0/applications/{id}`: a JSON Merge Patch, absent fields left as they
 * are, built from the write rules above. The client's request type is its input.
 */
export const applicationPatch = z.object({
  status: WRITE_MEMBERS.status.status.optional(),
  details: removable(WRITE_MEMBERS.details)
    .extend({ credit: creditPatch.nullish(), adverse_action_notice: adverseActionNoticePatch.nullish() })
    .optional(),
  decision: removable(WRITE_MEMBERS.decision).optional(),
  /** Replaces the whole list. */
  documents: z.array(documentWrite).optional(),
  /** Replaces the whole object. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type WireApplicationPatch = z.input<typeof applicationPatch>;

const instant = z.iso.datetime({ offset: true });
/** "All properties optional" on the response: absent or null. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

/**
 * The application object every application route answers with. `status` is checked
 * by the mapping, so an unknown value is named in the error.
 */
export const applicationResponse = z.object({
  id: z.string().regex(APPLICATION_ID),
  created_at: optional(instant),
  updated_at: optional(instant),
  status: optional(z.string()),
  entities: optional(z.record(z.string(), z.unknown())),
  details: optional(
    z.object({
      product_name: optional(z.string()),
      credit: optional(
        z.object({
          is_secured: optional(z.boolean()),
          is_mla: optional(z.boolean()),
          currency: optional(z.string()),
          underwriting_grade: optional(z.string()),
          limit: optional(z.number().int()),
          max_limit: optional(z.number().int()),
          report: optional(
            z.object({
              score: optional(z.number()),
              pulled_at: optional(instant),
              source: optional(z.string()),
            }),
          ),
        }),
      ),
      adverse_action_notice: optional(
        z.object({
          delivered_at: optional(instant),
          reason: optional(z.string()),
          delivery_method: optional(z.string()),
        }),
      ),
    }),
  ),
  decision: optional(
    z.object({
      decided_at: optional(instant),
      reason: optional(z.string()),
      exception_approval_reason: optional(z.string()),
    }),
  ),
  documents: optional(
    z.array(
      z.object({
        document_id: optional(z.string()),
        type: z.string(),
        displayed_at: optional(instant),
        consented_at: optional(instant),
        version: optional(z.string()),
      }),
    ),
  ),
  metadata: optional(z.record(z.string(), z.unknown())),
});
export type WireApplication = z.infer<typeof applicationResponse>;

/** One rejected field of a 422. */
export const invalidParameter = z.object({ parameter: z.string(), reason: z.string() });
export type WireInvalidParameter = z.infer<typeof invalidParameter>;

/** 422 of the application routes: `{error_type, error_message, invalid_parameters}`. */
export const invalidParametersError = z.object({
  error_type: z.string(),
  error_message: z.string(),
  invalid_parameters: z.array(invalidParameter).optional(),
});
export type WireInvalidParametersError = z.infer<typeof invalidParametersError>;

/**
 * Every other error: RFC 7807 problem details. All members are optional in RFC 7807;
 * Lead Bank's other APIs add `invalid_parameters` to some, so it is read when present.
 */
export const problemError = z.object({
  type: z.string().optional(),
  status: z.number().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  invalid_parameters: z.array(invalidParameter).optional(),
});
export interface WireProblem {
  type: string;
  status: number;
  title: string;
  detail: string;
  code: string;
}
