import { ApplicationEntity, type DispatchEntity } from '../../db/entities/index.js';
import { appliedRecordOf } from '../../dispatch/apply-result.js';
import { invalidInput, rejectedInput } from '../../domain/errors.js';
import { requireApplicationId } from '../../domain/ids.js';
import { type ApplicationStatus, Provider } from '../../domain/vocabulary.js';
import { checkApplicationUpdate, type UpdateApplicationCommand } from '../../providers/index.js';
import { requireProviderAccount } from '../../connections/provider-accounts.js';
import { recordAfterDispatch } from './after-dispatch.js';
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

/**
 * `updateApplication`: a merge patch of a Lead Bank application. One the tenant does
 * not hold yet is adopted first (see `record-adoption.ts`); Lead Bank's answer, the
 * whole application, then fills it.
 */
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
  const fields = { record: 'input.applicationId', lead: 'input.leadId' };
  const requestedLead = request.leadId == null ? null : await requireKnownLead(deps.leads, tenantId, request.leadId, fields.lead);
  await requireProviderAccount(deps.db, tenantId, Provider.LEAD_BANK, fields.record);
  const intent = {
    tenantId,
    provider: Provider.LEAD_BANK,
    command,
    leadId: requestedLead?.id ?? null,
    idempotencyKey,
    requestHash: inputHash(command.operation, request),
  };
  /** The application as the dispatch's own transaction left it, when it came back from there; read otherwise. */
  const answer = async (dispatch: DispatchEntity, before: () => ApplicationEntity): Promise<Dispatched<ApplicationEntity>> => ({
    record: appliedRecordOf(dispatch, ApplicationEntity) ?? (await recordAfterDispatch(() => deps.records.findApplication(tenantId, applicationId), before)),
    dispatch,
  });

  // When the checks below cannot depend on the stored application (no notice needed from
  // it), the application is read in the statement that writes the dispatch: a round trip
  // less. When the tenant does not hold it, or it is linked to another lead, nothing is
  // written, and the full path below says why or adopts it.
  if (checkApplicationUpdate(command, false).length === 0) {
    const { dispatch, guarded } = await deps.dispatcher.submitGuarded(intent, deps.records.applicationGuard(tenantId, applicationId, intent.leadId));
    if (dispatch !== null && guarded.found) return answer(dispatch, () => deps.records.guardedApplication(guarded.record));
  }

  // A stored notice counts for `DECLINED` only when Lead Bank confirmed it; an application
  // adopted on first contact has none, so its notice must come in this input.
  const checkAgainst = (stored: ApplicationEntity) => throwFirstProblem(checkApplicationUpdate(command, storedNoticeComplete(stored)));
  const held = await deps.records.findApplication(tenantId, applicationId);
  const application = held ?? (await deps.adoption.application(tenantId, applicationId, requestedLead?.id ?? null, fields, checkAgainst));
  let leadId = application.leadId;
  if (requestedLead !== null) {
    if (application.leadId !== null && application.leadId !== requestedLead.id) {
      throw rejectedInput(fields.lead, `application ${applicationId} is already linked to another lead`);
    }
    leadId = requestedLead.id;
  }
  if (held !== null) checkAgainst(held);
  return answer(await deps.dispatcher.submit({ ...intent, leadId }), () => application);
}

function toCommand(applicationId: string, request: UpdateApplicationRequest): UpdateApplicationCommand {
  const { credit, adverseActionNotice: notice, decision } = request;
  // Merge patch: an absent member is left as it is; an explicit null clears it at Lead Bank
  // where its page allows (product name, credit and its members, the notice, decision
  // members). Elsewhere (status, documents, metadata, the whole decision) null means absent.
  /** `{}` when absent, `{ name: null }` when cleared, else `{ name: keep(value) }`: typed, so the command's field types are checked. */
  const member = <K extends string, T, V>(name: K, value: T | null | undefined, keep: (value: T) => V): Partial<Record<K, V | null>> =>
    value === undefined ? {} : ({ [name]: value === null ? null : keep(value) } as Record<K, V | null>);
  return {
    operation: 'updateApplication',
    applicationId,
    ...(request.status != null && { status: request.status }),
    ...member('productName', request.productName, (name) => checkText(name, 'input.productName', 255)),
    ...(credit !== undefined && {
      credit:
        credit === null
          ? null
          : {
              ...member('isSecured', credit.isSecured, (v) => v),
              ...member('isMla', credit.isMla, (v) => v),
              ...member('currency', credit.currency, (v) => v),
              ...member('underwritingGrade', credit.underwritingGrade, (v) => checkText(v, 'input.credit.underwritingGrade', 64)),
              ...member('limitCents', credit.limit, (v) => checkCents(v, 'input.credit.limit')),
              ...member('maxLimitCents', credit.maxLimit, (v) => checkCents(v, 'input.credit.maxLimit')),
            },
    }),
    ...(notice !== undefined && {
      adverseActionNotice:
        notice === null
          ? null
          : { deliveredAt: notice.deliveredAt.toISOString(), reason: checkText(notice.reason, 'input.adverseActionNotice.reason')!, deliveryMethod: notice.deliveryMethod },
    }),
    ...(decision != null && {
      decision: {
        ...member('decidedAt', decision.decidedAt, (v) => iso(v)),
        ...member('reason', decision.reason, (v) => checkText(v, 'input.decision.reason')),
        ...member('exceptionApprovalReason', decision.exceptionApprovalReason, (v) => checkText(v, 'input.decision.exceptionApprovalReason')),
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

/** Whether the stored adverse action notice is complete and was confirmed by Lead Bank. */
function storedNoticeComplete(application: ApplicationEntity): boolean {
  const filled = (value: string | null) => value !== null && value.trim() !== '';
  return application.syncedAt !== null && application.aanDeliveredAt !== null && filled(application.aanReason) && filled(application.aanDeliveryMethod);
}
