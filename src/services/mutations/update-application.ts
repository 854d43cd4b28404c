import { type ApplicationEntity } from '../../db/entities/index.js';
import { invalidInput, rejectedInput } from '../../domain/errors.js';
import { requireApplicationId } from '../../domain/ids.js';
import { type ApplicationStatus, Provider } from '../../domain/vocabulary.js';
import { checkApplicationUpdate, type UpdateApplicationCommand } from '../../providers/index.js';
import {
  checkCents,
  checkIdempotencyKey,
  checkText,
  type Dispatched,
  inputHash,
  iso,
  type MutationDeps,
  requireKnownLead,
  throwFirstProblem,
} from './input-checks.js';

/** The caller's input (the GraphQL `UpdateApplicationInput`). */
export interface UpdateApplicationRequest {
  readonly applicationId: string;
  readonly leadId?: string | null;
  readonly status?: ApplicationStatus | null;
  readonly productName?: string | null;
  readonly credit?: {
    readonly isSecured?: boolean | null;
    readonly isMla?: boolean | null;
    readonly currency?: string | null;
    readonly underwritingGrade?: string | null;
    readonly limit?: number | null;
    readonly maxLimit?: number | null;
  } | null;
  readonly adverseActionNotice?: { readonly deliveredAt: Date; readonly reason: string; readonly deliveryMethod: string } | null;
  readonly decision?: { readonly decidedAt?: Date | null; readonly reason?: string | null; readonly exceptionApprovalReason?: string | null } | null;
  readonly documents?: ReadonlyArray<{
    readonly documentId?: string | null;
    readonly type: string;
    readonly displayedAt?: Date | null;
    readonly consentedAt?: Date | null;
    readonly version?: string | null;
  }> | null;
  readonly metadata?: Record<string, unknown> | null;
  readonly idempotencyKey?: string | null;
}

/** `updateApplication`: a merge patch of a Lead Bank application the gateway knows. */
export async function updateApplication(
  deps: MutationDeps,
  tenantId: string,
  request: UpdateApplicationRequest,
): Promise<Dispatched<ApplicationEntity>> {
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  const applicationId = requireApplicationId(request.applicationId, 'input.applicationId');
  const command = toCommand(applicationId, request);
  if (Object.keys(command).length === 2) {
    throw invalidInput('input', 'at least one change (status, productName, credit, adverseActionNotice, decision, documents or metadata)', 'none');
  }
  const application = await deps.records.findApplication(tenantId, applicationId);
  if (application === null) throw rejectedInput('input.applicationId', `no Lead Bank application ${applicationId} is known to the gateway`);
  let leadId = application.leadId;
  if (request.leadId != null) {
    const lead = await requireKnownLead(deps.leads, tenantId, request.leadId, 'input.leadId');
    if (application.leadId !== null && application.leadId !== lead.id) {
      throw rejectedInput('input.leadId', `application ${applicationId} is already linked to another lead`);
    }
    leadId = lead.id;
  }
  const filled = (value: string | null) => value !== null && value.trim() !== '';
  const storedNoticeComplete = application.aanDeliveredAt !== null && filled(application.aanReason) && filled(application.aanDeliveryMethod);
  throwFirstProblem(checkApplicationUpdate(command, storedNoticeComplete));

  const dispatch = await deps.dispatcher.submit({
    tenantId,
    provider: Provider.LEAD_BANK,
    command,
    leadId,
    idempotencyKey,
    requestHash: inputHash(command.operation, request),
  });
  return { record: (await deps.records.findApplication(tenantId, applicationId))!, dispatch };
}

function toCommand(applicationId: string, request: UpdateApplicationRequest): UpdateApplicationCommand {
  const { credit, adverseActionNotice: notice, decision } = request;
  const productName = checkText(request.productName, 'input.productName', 255);
  return {
    operation: 'updateApplication',
    applicationId,
    ...(request.status != null && { status: request.status }),
    ...(productName !== undefined && { productName }),
    ...(credit != null && {
      credit: {
        ...(credit.isSecured != null && { isSecured: credit.isSecured }),
        ...(credit.isMla != null && { isMla: credit.isMla }),
        ...(credit.currency != null && { currency: checkText(credit.currency, 'input.credit.currency', 3)! }),
        ...(credit.underwritingGrade != null && { underwritingGrade: checkText(credit.underwritingGrade, 'input.credit.underwritingGrade', 64)! }),
        ...(credit.limit != null && { limitCents: checkCents(credit.limit, 'input.credit.limit')! }),
        ...(credit.maxLimit != null && { maxLimitCents: checkCents(credit.maxLimit, 'input.credit.maxLimit')! }),
      },
    }),
    ...(notice != null && {
      adverseActionNotice: {
        deliveredAt: notice.deliveredAt.toISOString(),
        reason: checkText(notice.reason, 'input.adverseActionNotice.reason')!,
        deliveryMethod: notice.deliveryMethod,
      },
    }),
    ...(decision != null && {
      decision: {
        ...(decision.decidedAt != null && { decidedAt: iso(decision.decidedAt)! }),
        ...(decision.reason != null && { reason: checkText(decision.reason, 'input.decision.reason')! }),
        ...(decision.exceptionApprovalReason != null && {
          exceptionApprovalReason: checkText(decision.exceptionApprovalReason, 'input.decision.exceptionApprovalReason')!,
        }),
      },
    }),
    ...(request.documents != null && {
      documents: request.documents.map((d) => ({
        ...(d.documentId != null && { documentId: d.documentId }),
        type: d.type,
        ...(d.displayedAt != null && { displayedAt: d.displayedAt.toISOString() }),
        ...(d.consentedAt != null && { consentedAt: d.consentedAt.toISOString() }),
        ...(d.version != null && { version: d.version }),
      })),
    }),
    ...(request.metadata != null && { metadata: request.metadata }),
  };
}
