import { type DataSource } from 'typeorm';
import {
  ApplicationDocumentEntity,
  ApplicationEntity,
  LeadEntity,
  LoanEntity,
  VerificationEntity,
  VerificationOperationEntity,
} from '../db/entities/index.js';
import { type SandboxMirror } from '../providers/index.js';

/**
 * A built-in sandbox starts empty, the database does not: after a restart, the
 * gateway's records must exist at its sandboxes again, or a mutation on them would
 * fail upstream. Offers every stored lead, application, process and loan customer to
 * the sandboxes, each taking the kinds it holds (nothing for live providers).
 */
export async function mirrorStoredRecords(db: DataSource, mirror: SandboxMirror): Promise<void> {
  if (!mirror.any) return;
  for (const lead of await db.getRepository(LeadEntity).find()) {
    mirror.mirror('lead', { id: lead.id, techeaLeadId: lead.techeaLeadId, decisionCloudCustomerId: lead.decisionCloudCustomerId });
  }
  const customers = await db.getRepository(LoanEntity).createQueryBuilder('loan').select('DISTINCT loan.customer_id', 'customerId').getRawMany<{ customerId: string }>();
  for (const { customerId } of customers) mirror.mirror('loanCustomer', customerId);

  const documents = groupBy(await db.getRepository(ApplicationDocumentEntity).find({ order: { position: 'ASC' } }), (d) => d.applicationId);
  for (const a of await db.getRepository(ApplicationEntity).find()) {
    mirror.mirror('application', {
      id: a.id,
      status: a.status,
      productName: a.productName,
      credit: {
        isSecured: a.creditIsSecured,
        isMla: a.creditIsMla,
        currency: a.creditCurrency,
        underwritingGrade: a.creditUnderwritingGrade,
        limitCents: a.creditLimitCents,
        maxLimitCents: a.creditMaxLimitCents,
        score: a.creditScore,
        scorePulledAt: a.creditScorePulledAt,
        scoreSource: a.creditScoreSource,
      },
      adverseActionNotice:
        a.aanDeliveredAt === null ? null : { deliveredAt: a.aanDeliveredAt, reason: a.aanReason, deliveryMethod: a.aanDeliveryMethod },
      decision:
        a.decisionDecidedAt === null && a.decisionReason === null
          ? null
          : { decidedAt: a.decisionDecidedAt, reason: a.decisionReason, exceptionApprovalReason: a.decisionExceptionApprovalReason },
      documents: (documents.get(a.id) ?? []).map((d) => ({
        documentId: d.documentId,
        type: d.type,
        displayedAt: d.displayedAt,
        consentedAt: d.consentedAt,
        version: d.version,
      })),
      metadata: a.metadata,
      entities: a.entities,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    });
  }

  const operations = groupBy(await db.getRepository(VerificationOperationEntity).find({ order: { position: 'ASC' } }), (o) => o.authUuid);
  for (const v of await db.getRepository(VerificationEntity).find()) {
    mirror.mirror('verification', {
      ...v,
      operations: (operations.get(v.authUuid) ?? []).map((o) => ({
        operationId: o.operationId,
        type: o.type,
        providerType: o.providerType ?? o.type,
        state: o.state,
        providerState: o.providerState ?? o.state,
        totalTimeSeconds: o.totalTime,
      })),
    });
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}
