import {
  ApplicationStatus,
  LeadEvent,
  LeadStage,
  LoanStatus,
  VerificationStatus,
} from './vocabulary.js';

/**
 * THE table: which provider state moves a lead to which stage. `null` means the state
 * says nothing about the journey yet (an application still undecided, a loan still
 * pending). Each row is a `Record` over the whole vocabulary, so a new upstream value
 * does not compile until it has a row here. The README's stage table is checked
 * against this object by `test/unit/stage-table.test.ts`.
 */
export const STAGE_TABLE = {
  /** TECHEA: the last event TECHEA accepted for the lead. */
  TECHEA: {
    [LeadEvent.REGISTRATION]: LeadStage.REGISTERED,
    [LeadEvent.LOAN_ISSUED]: LeadStage.LOAN_ISSUED,
    [LeadEvent.LOAN_REJECTED]: LeadStage.LOAN_REJECTED,
    [LeadEvent.LOAN_PAID]: LeadStage.LOAN_PAID,
    [LeadEvent.LOAN_DEFAULTED]: LeadStage.LOAN_DEFAULTED,
  },
  /** Tecalis: the verification process status. */
  TECALIS: {
    [VerificationStatus.PENDING]: LeadStage.VERIFYING,
    [VerificationStatus.OK]: LeadStage.VERIFIED,
    [VerificationStatus.KO]: LeadStage.VERIFICATION_FAILED,
    [VerificationStatus.CANCELLED]: LeadStage.VERIFICATION_FAILED,
  },
  /** Lead Bank: the application status (null while undecided contributes nothing). */
  LEAD_BANK: {
    [ApplicationStatus.APPROVED]: LeadStage.APPROVED,
    [ApplicationStatus.DECLINED]: LeadStage.DECLINED,
    [ApplicationStatus.CANCELED]: LeadStage.CANCELED,
  },
  /** Decision Cloud: the status of the lead's most recent loan. */
  DECISION_CLOUD: {
    [LoanStatus.PENDING]: null,
    [LoanStatus.APPROVED]: LeadStage.APPROVED,
    [LoanStatus.EXPIRED]: LeadStage.CANCELED,
    [LoanStatus.WITHDRAWN]: LeadStage.CANCELED,
    [LoanStatus.REVERSED]: LeadStage.CANCELED,
    [LoanStatus.DENIED]: LeadStage.LOAN_REJECTED,
    [LoanStatus.ORIGINATED]: LeadStage.LOAN_ISSUED,
    [LoanStatus.CURRENT]: LeadStage.LOAN_ISSUED,
    [LoanStatus.PAST_DUE]: LeadStage.LOAN_ISSUED,
    [LoanStatus.PAID_IN_FULL]: LeadStage.LOAN_PAID,
    [LoanStatus.WRITTEN_OFF]: LeadStage.LOAN_DEFAULTED,
  },
} as const satisfies {
  TECHEA: Record<LeadEvent, LeadStage>;
  TECALIS: Record<VerificationStatus, LeadStage>;
  LEAD_BANK: Record<ApplicationStatus, LeadStage>;
  DECISION_CLOUD: Record<LoanStatus, LeadStage | null>;
};

/** The sources of {@link STAGE_TABLE}, most authoritative first: the tie-break when two sources reach the same step. */
export const STAGE_SOURCES = ['DECISION_CLOUD', 'LEAD_BANK', 'TECALIS', 'TECHEA'] as const;
export type StageSource = (typeof STAGE_SOURCES)[number];

/**
 * How far along the journey a stage is. When the sources disagree, the stage furthest
 * along wins: a later step can only be reached through the earlier ones, so it is the
 * better summary of where the lead stands.
 */
export const STAGE_STEP: Readonly<Record<LeadStage, number>> = {
  [LeadStage.NEW]: 0,
  [LeadStage.REGISTERED]: 1,
  [LeadStage.VERIFYING]: 2,
  [LeadStage.VERIFIED]: 3,
  [LeadStage.VERIFICATION_FAILED]: 3,
  [LeadStage.APPROVED]: 4,
  [LeadStage.DECLINED]: 4,
  [LeadStage.CANCELED]: 4,
  [LeadStage.LOAN_ISSUED]: 5,
  [LeadStage.LOAN_REJECTED]: 5,
  [LeadStage.LOAN_PAID]: 6,
  [LeadStage.LOAN_DEFAULTED]: 6,
};

/** What is known about a lead's linked records: the inputs of {@link deriveStage}. */
export interface StageFacts {
  /** The last event TECHEA accepted, if any. */
  readonly lastEvent: LeadEvent | null;
  /** Status of the linked Lead Bank application; null when none is linked or it is undecided. */
  readonly applicationStatus: ApplicationStatus | null;
  /** Status of the linked Tecalis process, if one is linked. */
  readonly verificationStatus: VerificationStatus | null;
  /** Status of the lead's most recent loan (latest `appliedAt`), if it has loans. */
  readonly latestLoanStatus: LoanStatus | null;
}

/** One source's say about the stage, for explaining a derivation. */
export interface StageCandidate {
  readonly source: StageSource;
  readonly stage: LeadStage;
}

/** Each source's candidate stage, in {@link STAGE_SOURCES} order; sources that say nothing are left out. */
export function stageCandidates(facts: StageFacts): StageCandidate[] {
  const bySource: Record<StageSource, LeadStage | null> = {
    DECISION_CLOUD: facts.latestLoanStatus === null ? null : STAGE_TABLE.DECISION_CLOUD[facts.latestLoanStatus],
    LEAD_BANK: facts.applicationStatus === null ? null : STAGE_TABLE.LEAD_BANK[facts.applicationStatus],
    TECALIS: facts.verificationStatus === null ? null : STAGE_TABLE.TECALIS[facts.verificationStatus],
    TECHEA: facts.lastEvent === null ? null : STAGE_TABLE.TECHEA[facts.lastEvent],
  };
  return STAGE_SOURCES.flatMap((source) => {
    const stage = bySource[source];
    return stage === null ? [] : [{ source, stage }];
  });
}

/**
 * The lead's stage: the candidate furthest along the journey ({@link STAGE_STEP});
 * on a tie, the more authoritative source ({@link STAGE_SOURCES}); with no candidate, `NEW`.
 */
export function deriveStage(facts: StageFacts): LeadStage {
  let best: LeadStage = LeadStage.NEW;
  // Candidates arrive most authoritative first, so a strict `>` keeps the tie-break.
  for (const { stage } of stageCandidates(facts)) {
    if (STAGE_STEP[stage] > STAGE_STEP[best]) best = stage;
  }
  return best;
}
