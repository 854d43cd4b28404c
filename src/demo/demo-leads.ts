import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type ApplicationRecord, type LoanRecord, type VerificationRecord } from '../domain/records.js';
import { DEFAULT_TENANT } from '../domain/roles.js';
import {
  ApplicationStatus,
  LeadEvent,
  LoanApplicationType,
  LoanStatus,
  LoanType,
  VerificationOperationState,
  VERIFICATION_OPERATION_ORDER,
  VerificationStatus,
} from '../domain/vocabulary.js';
import { type SandboxMirror } from '../providers/index.js';
import { LeadCommands } from '../services/lead-commands.js';
import { RecordWriter } from '../services/record-writer.js';

/** How far one demo lead got: each provider's part, all optional. */
interface Journey {
  readonly event?: LeadEvent;
  readonly verification?: VerificationStatus;
  readonly application?: ApplicationStatus;
  readonly loans?: readonly LoanStatus[];
}

/** One journey per stage of the stage table, so the demo shows every stage. */
const JOURNEYS: readonly Journey[] = [
  {},
  { event: LeadEvent.REGISTRATION },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.PENDING },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.OK },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.KO },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.OK, application: ApplicationStatus.DECLINED },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.CANCELLED, application: ApplicationStatus.CANCELED },
  { event: LeadEvent.LOAN_ISSUED, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loans: [LoanStatus.CURRENT] },
  { event: LeadEvent.LOAN_REJECTED, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loans: [LoanStatus.DENIED] },
  { event: LeadEvent.LOAN_PAID, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loans: [LoanStatus.PAID_IN_FULL] },
  { event: LeadEvent.LOAN_DEFAULTED, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loans: [LoanStatus.ORIGINATED, LoanStatus.WRITTEN_OFF] },
  // In progress, ready for the first mutations of a demo: an application still undecided.
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.OK },
];

const NAMES = [
  'Ana García', 'Luis Fernández', 'María López', 'Javier Martín', 'Lucía Sánchez', 'Carlos Pérez', 'Elena Gómez',
  'Pablo Ruiz', 'Sofía Díaz', 'Diego Moreno', 'Carmen Muñoz', 'Miguel Álvarez', 'Laura Romero',
];

/** How many demo leads {@link seedDemoLeads} writes. */
export const DEMO_LEADS = JOURNEYS.length * 3;

/**
 * A few dozen realistic leads at every stage, for the first five minutes: written
 * the way production writes (provider records through the RecordWriter, leads
 * through createLead), and mirrored into the built-in sandboxes so mutations on
 * them work upstream too.
 */
export async function seedDemoLeads(db: DataSource, mirror: SandboxMirror): Promise<number> {
  const commands = new LeadCommands(db);
  for (let i = 0; i < DEMO_LEADS; i++) {
    const journey = JOURNEYS[i % JOURNEYS.length]!;
    const name = NAMES[i % NAMES.length]!;
    const day = new Date(Date.UTC(2026, 9, 1 + (i % 28), 9, 30));
    const application = journey.application === undefined && journey.verification === undefined ? undefined : demoApplication(day);
    const verification = journey.verification === undefined ? undefined : demoVerification(name, day);
    const techeaLeadId = randomUUID();
    const customerId = journey.loans === undefined ? undefined : `CUST-${String(1000 + i)}`;

    await db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, DEFAULT_TENANT);
      if (application) await writer.applyApplication(application);
      if (verification) await writer.applyVerification({ ...verification, status: VerificationStatus.PENDING });
    });
    const lead = await commands.createLead(DEFAULT_TENANT, {
      techeaLeadId,
      advertiserRef: `ADV-${String(20_000 + i)}`,
      applicationId: application?.id ?? null,
      verificationAuthUuid: verification?.authUuid ?? null,
      decisionCloudCustomerId: customerId ?? null,
    });
    // Then the journey happens, in the order a real one would: each step logged as it went.
    const loans: LoanRecord[] = [];
    await db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, DEFAULT_TENANT);
      if (journey.event !== undefined) await writer.applyLeadEvent(lead.id, LeadEvent.REGISTRATION);
      if (verification && journey.verification !== VerificationStatus.PENDING) {
        await writer.applyVerification({ ...verification, status: journey.verification! });
      }
      if (application && journey.application !== undefined) {
        await writer.applyApplication({ ...application, ...decided(journey.application, day) });
      }
      for (const [n, status] of (journey.loans ?? []).entries()) {
        const loan = demoLoan(customerId!, `LN-${String(5000 + i)}-${n + 1}`, status, new Date(day.getTime() + (n + 1) * 86_400_000 * 30));
        await writer.applyLoan(loan);
        loans.push(loan);
      }
      if (journey.event !== undefined && journey.event !== LeadEvent.REGISTRATION) await writer.applyLeadEvent(lead.id, journey.event);
    });

    mirror.mirror('lead', { id: lead.id, techeaLeadId, decisionCloudCustomerId: customerId ?? null });
    if (application) mirror.mirror('application', { ...application, ...(journey.application !== undefined && decided(journey.application, day)) });
    if (verification) mirror.mirror('verification', { ...verification, status: journey.verification! });
  }
  return DEMO_LEADS;
}

function demoApplication(day: Date): ApplicationRecord {
  return {
    id: `application_demo${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    status: null,
    productName: 'Personal Credit Line',
    credit: {
      isSecured: false,
      isMla: false,
      currency: 'USD',
      underwritingGrade: 'B',
      limitCents: 500_000,
      maxLimitCents: 1_000_000,
      score: 640 + Math.floor(Math.random() * 150),
      scorePulledAt: day,
      scoreSource: 'equifax',
    },
    adverseActionNotice: null,
    decision: null,
    documents: [
      { documentId: null, type: 'esign_agreement', displayedAt: null, consentedAt: day, version: 'v3' },
      { documentId: null, type: 'credit_pull_consent', displayedAt: null, consentedAt: day, version: 'v2' },
      { documentId: null, type: 'offer_summary', displayedAt: day, consentedAt: null, version: 'v1' },
    ],
    metadata: { channel: 'techea' },
    entities: { accountHolderType: 'consumer', accountHolders: [`entity_${randomUUID().slice(0, 12)}`], authorizedSigners: [] },
    createdAt: day,
    updatedAt: day,
  };
}

/** The parts a decision adds to an application: Lead Bank wants a notice with a decline. */
function decided(status: ApplicationStatus, day: Date): Partial<ApplicationRecord> {
  const decidedAt = new Date(day.getTime() + 3 * 3_600_000);
  return {
    status,
    decision: { decidedAt, reason: status === ApplicationStatus.APPROVED ? 'meets policy' : 'outside policy', exceptionApprovalReason: null },
    ...(status === ApplicationStatus.DECLINED && {
      adverseActionNotice: { deliveredAt: decidedAt, reason: 'insufficient credit history', deliveryMethod: 'email' },
    }),
  };
}

function demoVerification(name: string, day: Date): VerificationRecord {
  return {
    authUuid: randomUUID(),
    processUuid: randomUUID(),
    status: VerificationStatus.PENDING,
    statusReasons: null,
    name,
    documentNumber: `${String(10_000_000 + Math.floor(Math.random() * 89_999_999))}Z`,
    documentType: 'ID_CARD',
    nationality: 'ESP',
    company: 'Tecalis',
    profileAlias: 'Onboarding',
    cleaned: false,
    operations: VERIFICATION_OPERATION_ORDER.map((type, i) => ({
      operationId: randomUUID(),
      type,
      providerType: type,
      state: i < 3 ? VerificationOperationState.OK : VerificationOperationState.NOT_STARTED,
      providerState: i < 3 ? VerificationOperationState.OK : VerificationOperationState.NOT_STARTED,
      totalTimeSeconds: i < 3 ? 9 + i * 4 : 0,
    })),
    createdAt: day,
    updatedAt: day,
    providerStatus: null,
  };
}

function demoLoan(customerId: string, loanId: string, status: LoanStatus, appliedAt: Date): LoanRecord {
  const funded = status !== LoanStatus.DENIED;
  return {
    customerId,
    loanId,
    decisionCloudLeadId: 10_000 + Math.floor(Math.random() * 1000),
    managementSystemId: null,
    applicationType: LoanApplicationType.NEW,
    loanType: LoanType.INSTALLMENT,
    loanStatus: status,
    loanAmountCents: 250_000,
    fundedAmountCents: funded ? 250_000 : null,
    firstPaymentDate: funded ? new Date(appliedAt.getTime() + 30 * 86_400_000).toISOString().slice(0, 10) : null,
    appliedAt,
    esignedAt: funded ? appliedAt : null,
    withdrawnAt: null,
    originatedAt: funded ? new Date(appliedAt.getTime() + 86_400_000) : null,
  };
}
