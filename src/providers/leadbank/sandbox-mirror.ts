import { type ApplicationRecord } from '../../domain/records.js';
import { type RecordMirror } from '../sandbox/record-mirror.js';
import { toWireStatus } from './mapping.js';
import { type LeadBankSandbox } from './sandbox.js';

/** Lead Bank holds applications. */
export function leadBankMirror(sandbox: LeadBankSandbox): RecordMirror {
  return { application: (record) => mirrorApplication(sandbox, record) };
}

/** Puts a gateway-held application into the sandbox, in Lead Bank's shape, so the two agree. */
function mirrorApplication(sandbox: LeadBankSandbox, record: ApplicationRecord): void {
  const iso = (date: Date | null | undefined) => date?.toISOString();
  sandbox.addApplication({
    id: record.id,
    ...(record.status !== null && { status: toWireStatus(record.status) }),
    details: {
      ...(record.productName !== null && { product_name: record.productName }),
      ...(record.credit !== null && {
        credit: {
          ...(record.credit.isSecured !== null && { is_secured: record.credit.isSecured }),
          ...(record.credit.isMla !== null && { is_mla: record.credit.isMla }),
          ...(record.credit.currency !== null && { currency: record.credit.currency }),
          ...(record.credit.underwritingGrade !== null && { underwriting_grade: record.credit.underwritingGrade }),
          ...(record.credit.limitCents !== null && { limit: record.credit.limitCents }),
          ...(record.credit.maxLimitCents !== null && { max_limit: record.credit.maxLimitCents }),
        },
      }),
      ...(record.adverseActionNotice !== null && {
        adverse_action_notice: {
          delivered_at: iso(record.adverseActionNotice.deliveredAt),
          reason: record.adverseActionNotice.reason ?? undefined,
          delivery_method: record.adverseActionNotice.deliveryMethod ?? undefined,
        },
      }),
    },
    ...(record.decision !== null && {
      decision: {
        decided_at: iso(record.decision.decidedAt),
        reason: record.decision.reason ?? undefined,
        exception_approval_reason: record.decision.exceptionApprovalReason ?? undefined,
      },
    }),
    documents: record.documents.map((d) => ({
      ...(d.documentId !== null && { document_id: d.documentId }),
      type: d.type,
      ...(d.displayedAt !== null && { displayed_at: d.displayedAt.toISOString() }),
      ...(d.consentedAt !== null && { consented_at: d.consentedAt.toISOString() }),
      ...(d.version !== null && { version: d.version }),
    })),
    metadata: record.metadata ?? {},
    ...(record.entities !== null && {
      entities: {
        ...(record.entities.accountHolderType !== null && { account_holder_type: record.entities.accountHolderType }),
        account_holders: [...record.entities.accountHolders],
        authorized_signers: [...record.entities.authorizedSigners],
      },
    }),
  });
}
