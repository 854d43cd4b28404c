/**
 * The unified vocabulary of the gateway. Values are the GraphQL enum names of the
 * public contract; they are what the database stores. Provider spellings
 * (`loan_issued`, `Paid In Full`, …) live only under `src/providers/`.
 */

/** The upstream system that owns a record or receives a dispatch. */
export enum Provider {
  TECHEA = 'TECHEA',
  LEAD_BANK = 'LEAD_BANK',
  TECALIS = 'TECALIS',
  DECISION_CLOUD = 'DECISION_CLOUD',
}

/** The unified stage of one lead across every provider. Derived, never set: see `stage-table.ts`. */
export enum LeadStage {
  NEW = 'NEW',
  REGISTERED = 'REGISTERED',
  VERIFYING = 'VERIFYING',
  VERIFIED = 'VERIFIED',
  VERIFICATION_FAILED = 'VERIFICATION_FAILED',
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
  CANCELED = 'CANCELED',
  LOAN_ISSUED = 'LOAN_ISSUED',
  LOAN_REJECTED = 'LOAN_REJECTED',
  LOAN_PAID = 'LOAN_PAID',
  LOAN_DEFAULTED = 'LOAN_DEFAULTED',
}

/** A TECHEA lead status event. */
export enum LeadEvent {
  REGISTRATION = 'REGISTRATION',
  LOAN_ISSUED = 'LOAN_ISSUED',
  LOAN_REJECTED = 'LOAN_REJECTED',
  LOAN_PAID = 'LOAN_PAID',
  LOAN_DEFAULTED = 'LOAN_DEFAULTED',
}

/** What TECHEA did with a reported event. */
export enum LeadEventOutcome {
  RECEIVED = 'RECEIVED',
  IGNORED = 'IGNORED',
}

/** Terminal states of a Lead Bank application (there is no in-progress state upstream). */
export enum ApplicationStatus {
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
  CANCELED = 'CANCELED',
}

/** State of a Tecalis verification process. */
export enum VerificationStatus {
  PENDING = 'PENDING',
  OK = 'OK',
  KO = 'KO',
  CANCELLED = 'CANCELLED',
}

export enum VerificationOperationType {
  DOCUMENTS = 'DOCUMENTS',
  HOME = 'HOME',
  OCR = 'OCR',
  POL = 'POL',
  FINISH = 'FINISH',
  /** A type Tecalis sent that is not one of the above (its page lists them in an example only). */
  UNKNOWN = 'UNKNOWN',
}

/** The operations of a Tecalis process, in the order the process runs them. */
export const VERIFICATION_OPERATION_ORDER: readonly VerificationOperationType[] = [
  VerificationOperationType.DOCUMENTS,
  VerificationOperationType.HOME,
  VerificationOperationType.OCR,
  VerificationOperationType.POL,
  VerificationOperationType.FINISH,
];

export enum VerificationOperationState {
  NOT_STARTED = 'NOT_STARTED',
  OK = 'OK',
  KO = 'KO',
  /** A state Tecalis sent that is not one of the above. */
  UNKNOWN = 'UNKNOWN',
}

export enum LoanApplicationType {
  NEW = 'NEW',
  RETURNING = 'RETURNING',
  REFINANCED = 'REFINANCED',
}

export enum LoanType {
  PAYDAY = 'PAYDAY',
  INSTALLMENT = 'INSTALLMENT',
  LINE_OF_CREDIT = 'LINE_OF_CREDIT',
}

export enum LoanStatus {
  PENDING = 'PENDING',
  EXPIRED = 'EXPIRED',
  WITHDRAWN = 'WITHDRAWN',
  DENIED = 'DENIED',
  APPROVED = 'APPROVED',
  ORIGINATED = 'ORIGINATED',
  REVERSED = 'REVERSED',
  PAST_DUE = 'PAST_DUE',
  WRITTEN_OFF = 'WRITTEN_OFF',
  CURRENT = 'CURRENT',
  PAID_IN_FULL = 'PAID_IN_FULL',
}

/** Lifecycle of one call to one provider in the outbox. */
export enum DispatchState {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** The final states a caller can set on a verification process. */
export enum VerificationState {
  OK = 'OK',
  KO = 'KO',
  CANCELLED = 'CANCELLED',
}

/** The kinds of document Lead Bank's reference page lists for an application. */
export enum ApplicationDocumentType {
  AAN = 'AAN',
  LOAN_AGREEMENT = 'LOAN_AGREEMENT',
  LOC_AGREEMENT = 'LOC_AGREEMENT',
  TRUTH_IN_LENDING_DOCUMENT = 'TRUTH_IN_LENDING_DOCUMENT',
  ACH_AUTHORIZATION = 'ACH_AUTHORIZATION',
  NOTICE_OF_INCOMPLETENESS = 'NOTICE_OF_INCOMPLETENESS',
  CREDIT_SCORE_NOTICE = 'CREDIT_SCORE_NOTICE',
  OFFER_SUMMARY = 'OFFER_SUMMARY',
  PERSONAL_GUARANTEE = 'PERSONAL_GUARANTEE',
  CONSUMER_CREDIT_AUTH = 'CONSUMER_CREDIT_AUTH',
  PARTNER_PRIVACY_POLICY = 'PARTNER_PRIVACY_POLICY',
  LEAD_PRIVACY_POLICY = 'LEAD_PRIVACY_POLICY',
  TERMS_OF_USE = 'TERMS_OF_USE',
  FCRA_NOTICE = 'FCRA_NOTICE',
  TCPA_CONSENT = 'TCPA_CONSENT',
  PATRIOT_ACT_NOTICE = 'PATRIOT_ACT_NOTICE',
  MLA_NOTICE = 'MLA_NOTICE',
  PRE_APPROVAL_TERMS = 'PRE_APPROVAL_TERMS',
  EFT_AUTHORIZATION = 'EFT_AUTHORIZATION',
  PROHIBITED_INDUSTRY_CERTIFICATION = 'PROHIBITED_INDUSTRY_CERTIFICATION',
  DECISION_MAKER_DOCUMENT = 'DECISION_MAKER_DOCUMENT',
  BO_CERTIFICATION = 'BO_CERTIFICATION',
  MISSED_PAYMENTS_POLICY = 'MISSED_PAYMENTS_POLICY',
  LEAD_FUNDS_TRANSFER_AGREEMENT = 'LEAD_FUNDS_TRANSFER_AGREEMENT',
  ESIGN_AGREEMENT = 'ESIGN_AGREEMENT',
  CREDIT_PULL_CONSENT = 'CREDIT_PULL_CONSENT',
  CONSENT_TO_LINK_ACCOUNT = 'CONSENT_TO_LINK_ACCOUNT',
  CONSENT_TO_LINK_HSA = 'CONSENT_TO_LINK_HSA',
  NEGATIVE_OPTION_CONSENT = 'NEGATIVE_OPTION_CONSENT',
  /** A type the page does not list: see the document's `type`. */
  UNKNOWN = 'UNKNOWN',
}
