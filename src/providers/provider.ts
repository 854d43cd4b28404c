import { type Logger } from '../logger.js';
import { type ApplicationRecord, type LoanRecord, type VerificationRecord } from '../domain/records.js';
import {
  type ApplicationStatus,
  type LeadEvent,
  type LeadEventOutcome,
  type LoanApplicationType,
  type LoanStatus,
  type LoanType,
  type Provider,
} from '../domain/vocabulary.js';

/**
 * The calls leadgraph makes upstream, in the unified model. Each is plain JSON (ISO
 * strings for instants), so the outbox can store it and any instance can send it.
 */
export type ProviderCommand = ReportLeadEventCommand | UpdateApplicationCommand | UpdateVerificationStatusCommand | UpsertLoanCommand;

/** TECHEA: report a lead status event. */
export interface ReportLeadEventCommand {
  readonly operation: 'reportLeadEvent';
  readonly techeaLeadId: string;
  readonly event: LeadEvent;
  readonly advertiserRef?: string;
  readonly metadata?: Record<string, unknown>;
}

/** Lead Bank: a merge patch of an application; absent fields are left as they are. */
export interface UpdateApplicationCommand {
  readonly operation: 'updateApplication';
  readonly applicationId: string;
  readonly status?: ApplicationStatus;
  /**
   * A JSON Merge Patch, as Lead Bank takes it: an absent member is left as it is, and
   * `null` removes it where the page allows (the product name, credit members, the
   * whole credit or notice, decision members).
   */
  readonly productName?: string | null;
  readonly credit?: {
    readonly isSecured?: boolean | null;
    readonly isMla?: boolean | null;
    readonly currency?: string | null;
    readonly underwritingGrade?: string | null;
    readonly limitCents?: number | null;
    readonly maxLimitCents?: number | null;
  } | null;
  readonly adverseActionNotice?: { readonly deliveredAt: string; readonly reason: string; readonly deliveryMethod: string } | null;
  readonly decision?: { readonly decidedAt?: string | null; readonly reason?: string | null; readonly exceptionApprovalReason?: string | null };
  /** Replaces the whole list. */
  readonly documents?: ReadonlyArray<{
    readonly documentId?: string;
    readonly type: string;
    readonly displayedAt?: string;
    readonly consentedAt?: string;
    readonly version?: string;
  }>;
  /** Replaces the whole object. */
  readonly metadata?: Record<string, unknown>;
}

/** The final states that can be set on a Tecalis process. */
export type VerificationFinalState = 'OK' | 'KO' | 'CANCELLED';

/** Tecalis: set a process's final state. `reasons` absent leaves the stored reasons; present (even "") replaces them. */
export interface UpdateVerificationStatusCommand {
  readonly operation: 'updateVerificationStatus';
  readonly authUuid: string;
  readonly state: VerificationFinalState;
  readonly reasons?: string;
}

/** Decision Cloud: create or update a loan, keyed by customer and loan id. */
export interface UpsertLoanCommand {
  readonly operation: 'upsertLoan';
  readonly customerId: string;
  readonly loanId: string;
  readonly decisionCloudLeadId?: number;
  readonly managementSystemId?: number;
  readonly applicationType?: LoanApplicationType;
  readonly loanType?: LoanType;
  readonly loanStatus?: LoanStatus;
  readonly loanAmountCents: number;
  readonly fundedAmountCents?: number;
  /** `YYYY-MM-DD`. */
  readonly firstPaymentDate?: string;
  readonly appliedAt: string;
  readonly esignedAt?: string;
  readonly withdrawnAt?: string;
  readonly originatedAt?: string;
}

/** What each call yields when the provider confirms it. */
export interface ProviderResults {
  reportLeadEvent: AnswerNotes & {
    readonly techeaLeadId: string;
    readonly event: LeadEvent;
    /** Null when TECHEA's answer did not say (in a way the gateway reads). */
    readonly outcome: LeadEventOutcome | null;
    /** TECHEA's `status` as sent (e.g. a value the gateway does not know, when `outcome` is null). */
    readonly providerStatus?: string;
    /** The advertiser reference TECHEA accepted with the event, when one was sent. */
    readonly advertiserRef?: string;
  };
  updateApplication: AnswerNotes & { readonly application: ApplicationRecord };
  updateVerificationStatus: AnswerNotes & { readonly verification: VerificationRecord };
  upsertLoan: AnswerNotes & { readonly loan: LoanRecord; readonly created: boolean };
}

/**
 * What a tolerant reader noted about a successful answer: a provider's 2xx is a
 * success whatever its body, so what could not be read is noted here (and logged and
 * counted), never turned into a failure. Stored with the dispatch.
 */
export interface AnswerNotes {
  /** One line per part of the answer that could not be read, e.g. `status: unknown value "queued"`. */
  readonly unread?: readonly string[];
  /** The answer as received (bounded, secrets removed), kept when something in it could not be read. */
  readonly answer?: string;
}

export type OperationOf<C extends ProviderCommand> = C['operation'];
export type ResultOf<C extends ProviderCommand> = ProviderResults[OperationOf<C>];

/** Per-call context: the same idempotency key goes upstream on every attempt of one dispatch. */
export interface CallContext {
  readonly idempotencyKey: string;
}

/**
 * A provider, as the rest of leadgraph sees it: it takes commands in the unified
 * model and answers results in the unified model, or throws a `ProviderCallError`
 * with a neutral code. Wire formats and HTTP stay behind this interface.
 */
export interface ProviderAdapter<C extends ProviderCommand = ProviderCommand> {
  readonly provider: Provider;
  send(command: C, context: CallContext): Promise<ResultOf<C>>;
}

/**
 * An adapter that can also read an application as its provider holds it now (Lead
 * Bank's `GET /v0/applications/{id}`): what the gateway asks when two messages about
 * one application carry the same `updated_at` and cannot be ordered otherwise.
 */
export interface ApplicationReader {
  readApplication(applicationId: string): Promise<ApplicationRecord>;
}

/** Whether `adapter` reads applications (see {@link ApplicationReader}). */
export function isApplicationReader(adapter: unknown): adapter is ApplicationReader {
  return typeof adapter === 'object' && adapter !== null && typeof (adapter as Partial<ApplicationReader>).readApplication === 'function';
}

/** What every adapter factory needs besides the provider's own settings. */
export interface AdapterOptions {
  /** Bound on every call, connection included. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}
