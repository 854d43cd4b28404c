import {
  type ApplicationStatus,
  type LoanApplicationType,
  type LoanStatus,
  type LoanType,
  type VerificationOperationState,
  type VerificationOperationType,
  type VerificationStatus,
} from './vocabulary.js';

/**
 * Provider records in the unified model: what an adapter makes of a provider's
 * response or webhook, and what the gateway stores. No provider spelling here.
 */

/** A Lead Bank application, whole, as Lead Bank last confirmed it. */
export interface ApplicationRecord {
  readonly id: string;
  readonly status: ApplicationStatus | null;
  readonly productName: string | null;
  readonly credit: {
    readonly isSecured: boolean | null;
    readonly isMla: boolean | null;
    readonly currency: string | null;
    readonly underwritingGrade: string | null;
    readonly limitCents: number | null;
    readonly maxLimitCents: number | null;
    readonly score: number | null;
    readonly scorePulledAt: Date | null;
    readonly scoreSource: string | null;
  } | null;
  readonly adverseActionNotice: {
    readonly deliveredAt: Date | null;
    readonly reason: string | null;
    readonly deliveryMethod: string | null;
  } | null;
  readonly decision: {
    readonly decidedAt: Date | null;
    readonly reason: string | null;
    readonly exceptionApprovalReason: string | null;
  } | null;
  readonly documents: readonly ApplicationDocumentRecord[];
  readonly metadata: Record<string, unknown> | null;
  /** Lead Bank's `status` as sent (a value the gateway does not know is kept here); null when none. */
  readonly providerStatus?: string | null;
  /** Lead Bank's entity relationships (read-only there); null when its answer had none. */
  readonly entities: ApplicationEntitiesRecord | null;
  /**
   * Fields Lead Bank's message did not let the gateway read: the stored values stand
   * for them. Empty or undefined: the message was read whole.
   */
  readonly absent?: readonly ApplicationField[];
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

/** The fields of an application a Lead Bank message may leave unreadable. */
export type ApplicationField = Exclude<keyof ApplicationRecord, 'id' | 'absent'>;

/** Who holds and may sign for the account an application opens, as Lead Bank's entity ids. */
export interface ApplicationEntitiesRecord {
  /** e.g. `consumer`, `commercial`. */
  readonly accountHolderType: string | null;
  readonly accountHolders: readonly string[];
  readonly authorizedSigners: readonly string[];
}

export interface ApplicationDocumentRecord {
  readonly documentId: string | null;
  readonly type: string;
  readonly displayedAt: Date | null;
  readonly consentedAt: Date | null;
  readonly version: string | null;
}

/** A Tecalis verification process, whole. */
export interface VerificationRecord {
  readonly authUuid: string;
  readonly processUuid: string | null;
  readonly status: VerificationStatus;
  readonly statusReasons: string | null;
  readonly name: string | null;
  readonly documentNumber: string | null;
  readonly documentType: string | null;
  readonly nationality: string | null;
  readonly company: string | null;
  readonly profileAlias: string | null;
  readonly cleaned: boolean | null;
  readonly operations: readonly VerificationOperationRecord[];
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  /** Tecalis's own `status`, as sent (an in-progress value shows as PENDING in `status`). */
  readonly providerStatus: string | null;
  /**
   * Fields the provider's message left out: the stored values stand for them (a
   * missing key is absent, not null). Empty or undefined: the message was whole.
   */
  readonly absent?: readonly VerificationField[];
}

/** The fields of a verification a Tecalis message may leave out. */
export type VerificationField = Exclude<keyof VerificationRecord, 'authUuid' | 'status' | 'absent' | 'providerStatus'>;

export interface VerificationOperationRecord {
  readonly operationId: string;
  /** UNKNOWN for a type this gateway does not know; `providerType` has Tecalis's word. */
  readonly type: VerificationOperationType;
  readonly providerType: string;
  readonly state: VerificationOperationState;
  readonly providerState: string;
  /** Seconds, fractions included. */
  readonly totalTimeSeconds: number;
}

/** A loan as stored at Decision Cloud. */
export interface LoanRecord {
  readonly customerId: string;
  readonly loanId: string;
  readonly decisionCloudLeadId: number | null;
  readonly managementSystemId: number | null;
  readonly applicationType: LoanApplicationType | null;
  readonly loanType: LoanType | null;
  readonly loanStatus: LoanStatus | null;
  /**
   * Decision Cloud's own spellings, as its answer carried them (null when it did not):
   * shown beside the unified values, which keep the value sent when Decision Cloud
   * answers one the gateway does not know.
   */
  readonly providerApplicationType?: string | null;
  readonly providerLoanType?: string | null;
  readonly providerLoanStatus?: string | null;
  readonly loanAmountCents: number;
  readonly fundedAmountCents: number | null;
  /** `YYYY-MM-DD`. */
  readonly firstPaymentDate: string | null;
  readonly appliedAt: Date;
  readonly esignedAt: Date | null;
  readonly withdrawnAt: Date | null;
  readonly originatedAt: Date | null;
}
