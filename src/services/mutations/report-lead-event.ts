import { LeadEntity } from '../../db/entities/index.js';
import { appliedRecordOf } from '../../dispatch/apply-result.js';
import { rejectedInput } from '../../domain/errors.js';
import { DispatchState, type LeadEvent, type LeadEventOutcome, Provider } from '../../domain/vocabulary.js';
import { type ReportLeadEventCommand } from '../../providers/index.js';
import { recordAfterDispatch } from './after-dispatch.js';
import { checkIdempotencyKey, checkText, type Dispatched, inputHash, type MutationDeps, requireKnownLead } from './input-checks.js';
import { requireProviderAccount } from '../../connections/provider-accounts.js';

/** The caller's input. */
export interface ReportLeadEventRequest {
  readonly leadId: string;
  readonly event: LeadEvent;
  readonly advertiserRef?: string | null;
  readonly metadata?: Record<string, unknown> | null;
  readonly idempotencyKey?: string | null;
}

/** `reportLeadEvent`: tells TECHEA what happened to one of its leads. */
export async function reportLeadEvent(
  deps: MutationDeps,
  tenantId: string,
  request: ReportLeadEventRequest,
): Promise<Dispatched<LeadEntity> & { outcome: LeadEventOutcome | null; providerStatus: string | null }> {
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  const advertiserRef = checkText(request.advertiserRef, 'input.advertiserRef', 255);
  const lead = await requireKnownLead(deps.leads, tenantId, request.leadId, 'input.leadId');
  await requireProviderAccount(deps.db, tenantId, Provider.TECHEA, 'input.leadId');
  if (lead.techeaLeadId === null) {
    throw rejectedInput('input.leadId', `lead ${lead.id} did not come from TECHEA (it has no TECHEA lead id)`);
  }
  const command: ReportLeadEventCommand = {
    operation: 'reportLeadEvent',
    techeaLeadId: lead.techeaLeadId,
    event: request.event,
    ...(advertiserRef !== undefined && { advertiserRef }),
    ...(request.metadata != null && { metadata: request.metadata }),
  };
  const dispatch = await deps.dispatcher.submit({
    tenantId,
    provider: Provider.TECHEA,
    command,
    leadId: lead.id,
    idempotencyKey,
    requestHash: inputHash(command.operation, request),
  });
  const result = dispatch.state === DispatchState.SUCCEEDED ? (dispatch.result as { result?: { outcome?: LeadEventOutcome; providerStatus?: string } } | null)?.result : undefined;
  // The lead as the dispatch's own transaction left it, when it came back from there; read otherwise.
  const record = appliedRecordOf(dispatch, LeadEntity) ?? (await recordAfterDispatch(() => deps.leads.findById(tenantId, lead.id), () => lead));
  return { record, dispatch, outcome: result?.outcome ?? null, providerStatus: result?.providerStatus ?? null };
}
