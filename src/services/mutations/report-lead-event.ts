import { type DispatchEntity, LeadEntity } from '../../db/entities/index.js';
import { appliedRecordOf } from '../../dispatch/apply-result.js';
import { rejectedInput } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
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
  const field = 'input.leadId';
  const leadId = requireUuid(request.leadId, field);
  await requireProviderAccount(deps.db, tenantId, Provider.TECHEA, field).catch(async (error: unknown) => {
    // An unknown lead is named before a missing connection, as it always was.
    await requireKnownLead(deps.leads, tenantId, request.leadId, field);
    throw error;
  });
  const event = {
    operation: 'reportLeadEvent' as const,
    event: request.event,
    ...(advertiserRef !== undefined && { advertiserRef }),
    ...(request.metadata != null && { metadata: request.metadata }),
  };
  const intent = { tenantId, provider: Provider.TECHEA, leadId, idempotencyKey, requestHash: inputHash(event.operation, request) };
  /** TECHEA's word on the event, and the lead as the dispatch's own transaction left it, when it came back from there; read otherwise. */
  const answer = async (dispatch: DispatchEntity, before: () => LeadEntity) => {
    const result = dispatch.state === DispatchState.SUCCEEDED ? (dispatch.result as { result?: { outcome?: LeadEventOutcome; providerStatus?: string } } | null)?.result : undefined;
    const record = appliedRecordOf(dispatch, LeadEntity) ?? (await recordAfterDispatch(() => deps.leads.findById(tenantId, leadId), before));
    return { record, dispatch, outcome: result?.outcome ?? null, providerStatus: result?.providerStatus ?? null };
  };

  // The lead is read in the statement that writes the dispatch, whose command takes the
  // lead's TECHEA id from it there: a round trip less. A lead the tenant does not hold,
  // or one not from TECHEA, writes nothing, and the checks below say why.
  const { dispatch, guarded } = await deps.dispatcher.submitGuarded({ ...intent, command: event }, deps.leads.techeaGuard(tenantId, leadId));
  if (dispatch !== null && guarded.found) return answer(dispatch, () => deps.leads.guardedLead(guarded.record));

  const lead = await requireKnownLead(deps.leads, tenantId, request.leadId, field);
  if (lead.techeaLeadId === null) {
    throw rejectedInput(field, `lead ${lead.id} did not come from TECHEA (it has no TECHEA lead id)`);
  }
  const command: ReportLeadEventCommand = { ...event, techeaLeadId: lead.techeaLeadId };
  return answer(await deps.dispatcher.submit({ ...intent, command }), () => lead);
}
