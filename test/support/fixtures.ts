import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type ApplicationRecord, type LoanRecord, type VerificationRecord } from '../../src/domain/records.js';
import {
  type ApplicationStatus,
  type LeadEvent,
  LoanApplicationType,
  type LoanStatus,
  LoanType,
  VerificationOperationState,
  VERIFICATION_OPERATION_ORDER,
  VerificationStatus,
} from '../../src/domain/vocabulary.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { LeadCommands } from '../../src/services/lead-commands.js';
import { RecordWriter } from '../../src/services/record-writer.js';

let counter = 0;
const next = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A Lead Bank application as Lead Bank would report it. */
export function applicationRecord(overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    id: `application_${next()}`,
    status: null,
    productName: 'Growth Business Credit Line',
    credit: {
      isSecured: true,
      isMla: false,
      currency: 'USD',
      underwritingGrade: 'A2',
      limitCents: 5_000_000,
      maxLimitCents: 10_000_000,
      score: 712,
      scorePulledAt: new Date('2026-10-01T10:00:00Z'),
      scoreSource: 'equifax',
    },
    adverseActionNotice: null,
    decision: null,
    documents: [
      { documentId: `document_${next()}`, type: 'esign_agreement', displayedAt: null, consentedAt: new Date('2026-10-01T10:01:00Z'), version: 'v1' },
      { documentId: `document_${next()}`, type: 'credit_pull_consent', displayedAt: null, consentedAt: new Date('2026-10-01T10:02:00Z'), version: 'v1' },
      { documentId: `document_${next()}`, type: 'offer_summary', displayedAt: new Date('2026-10-01T10:03:00Z'), consentedAt: null, version: 'v2' },
    ],
    metadata: { external_id: `APP-${next()}` },
    entities: { accountHolderType: 'consumer', accountHolders: [`entity_${next()}`], authorizedSigners: [] },
    createdAt: new Date('2026-10-01T10:00:00Z'),
    updatedAt: new Date('2026-10-01T10:05:00Z'),
    ...overrides,
  };
}

/** A Tecalis process with its five operations. */
export function verificationRecord(overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  return {
    authUuid: randomUUID(),
    processUuid: randomUUID(),
    status: VerificationStatus.PENDING,
    statusReasons: null,
    name: 'Ana García',
    documentNumber: '12345678Z',
    documentType: 'ID_CARD',
    nationality: 'ESP',
    company: 'Tecalis',
    profileAlias: 'Onboarding',
    cleaned: false,
    operations: VERIFICATION_OPERATION_ORDER.map((type, i) => ({
      operationId: randomUUID(),
      type,
      providerType: type,
      state: i < 2 ? VerificationOperationState.OK : VerificationOperationState.NOT_STARTED,
      providerState: i < 2 ? VerificationOperationState.OK : VerificationOperationState.NOT_STARTED,
      totalTimeSeconds: i < 2 ? 10 + i : 0,
    })),
    createdAt: new Date('2026-10-01T09:00:00Z'),
    updatedAt: new Date('2026-10-01T09:10:00Z'),
    providerStatus: null,
    ...overrides,
  };
}

/** A Decision Cloud loan. */
export function loanRecord(overrides: Partial<LoanRecord> = {}): LoanRecord {
  return {
    customerId: `customer_${next()}`,
    loanId: `loan_${next()}`,
    decisionCloudLeadId: 1001,
    managementSystemId: null,
    applicationType: LoanApplicationType.NEW,
    loanType: LoanType.INSTALLMENT,
    loanStatus: null,
    loanAmountCents: 75_000,
    fundedAmountCents: 35_000,
    firstPaymentDate: '2026-12-01',
    appliedAt: new Date('2026-10-02T08:00:00Z'),
    esignedAt: null,
    withdrawnAt: null,
    originatedAt: null,
    ...overrides,
  };
}

/** What a seeded lead has; every part is optional. */
export interface LeadSpec {
  readonly techeaLeadId?: string;
  readonly advertiserRef?: string;
  readonly lastEvent?: LeadEvent;
  readonly application?: { readonly status: ApplicationStatus | null } & Partial<ApplicationRecord>;
  readonly verification?: { readonly status: VerificationStatus } & Partial<VerificationRecord>;
  /** Loans, oldest first. */
  readonly loans?: ReadonlyArray<{ readonly loanStatus: LoanStatus | null } & Partial<LoanRecord>>;
}

/** Ids of what {@link seedLead} wrote. */
export interface SeededLead {
  readonly leadId: string;
  readonly techeaLeadId: string | null;
  readonly applicationId: string | null;
  readonly authUuid: string | null;
  readonly customerId: string | null;
  readonly loanIds: string[];
}

/**
 * Writes a lead the way production does: provider records arrive through the
 * `RecordWriter`, then `createLead` links them, then later changes (the TECHEA
 * event, statuses) are applied on top, each logging its status change.
 */
export async function seedLead(db: DataSource, spec: LeadSpec = {}, tenantId = DEFAULT_TENANT): Promise<SeededLead> {
  const application = spec.application && applicationRecord({ ...spec.application, status: null });
  const verification = spec.verification && verificationRecord({ ...spec.verification, status: VerificationStatus.PENDING });
  const customerId = spec.loans && spec.loans.length > 0 ? `customer_${next()}` : null;
  await db.transaction(async (manager) => {
    const writer = new RecordWriter(manager, tenantId);
    if (application) await writer.applyApplication(application);
    if (verification) await writer.applyVerification(verification);
  });
  const lead = await new LeadCommands(db).createLead(tenantId, {
    techeaLeadId: spec.techeaLeadId ?? randomUUID(),
    advertiserRef: spec.advertiserRef ?? `ADV-${next()}`,
    applicationId: application?.id ?? null,
    verificationAuthUuid: verification?.authUuid ?? null,
    decisionCloudCustomerId: customerId,
  });
  const loanIds: string[] = [];
  await db.transaction(async (manager) => {
    const writer = new RecordWriter(manager, tenantId);
    // The verification moves from PENDING to its final state, the application is decided:
    // the same order of events a real lead goes through.
    if (verification && spec.verification && spec.verification.status !== VerificationStatus.PENDING) {
      await writer.applyVerification({ ...verification, status: spec.verification.status });
    }
    if (application && spec.application?.status != null) {
      await writer.applyApplication({ ...application, status: spec.application.status });
    }
    for (const [i, loan] of (spec.loans ?? []).entries()) {
      const record = loanRecord({ ...loan, customerId: customerId!, appliedAt: new Date(Date.UTC(2026, 9, 2 + i, 8)) });
      await writer.applyLoan(record);
      loanIds.push(record.loanId);
    }
    if (spec.lastEvent) await writer.applyLeadEvent(lead.id, spec.lastEvent);
  });
  return {
    leadId: lead.id,
    techeaLeadId: lead.techeaLeadId,
    applicationId: application?.id ?? null,
    authUuid: verification?.authUuid ?? null,
    customerId,
    loanIds,
  };
}
