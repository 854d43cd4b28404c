import { type VerificationEntity } from '../../db/entities/index.js';
import { rejectedInput } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
import { Provider, type VerificationState } from '../../domain/vocabulary.js';
import { type UpdateVerificationStatusCommand } from '../../providers/index.js';
import { recordAfterDispatch } from './after-dispatch.js';
import { checkIdempotencyKey, checkText, type Dispatched, inputHash, type MutationDeps, requireKnownLead } from './input-checks.js';
import { requireProviderAccount } from '../../connections/provider-accounts.js';

/** The caller's input. */
export interface UpdateVerificationStatusRequest {
  readonly authUuid: string;
  readonly leadId?: string | null;
  readonly state: VerificationState;
  /** Absent (or null): Tecalis keeps its stored reasons; present, even empty: replaced. */
  readonly reasons?: string | null;
  readonly idempotencyKey?: string | null;
}

/**
 * `updateVerificationStatus`: sets a final state on a Tecalis process. One the tenant
 * does not hold yet is adopted first (Tecalis publishes no way to read a process);
 * Tecalis's answer fills it, and a refusal leaves it unconfirmed (`syncedAt` null).
 */
export async function updateVerificationStatus(
  deps: MutationDeps,
  tenantId: string,
  request: UpdateVerificationStatusRequest,
): Promise<Dispatched<VerificationEntity>> {
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  const authUuid = requireUuid(request.authUuid, 'input.authUuid');
  const reasons = checkText(request.reasons, 'input.reasons');
  const fields = { record: 'input.authUuid', lead: 'input.leadId' };
  const requestedLead = request.leadId == null ? null : await requireKnownLead(deps.leads, tenantId, request.leadId, fields.lead);
  await requireProviderAccount(deps.db, tenantId, Provider.TECALIS, fields.record);
  const verification =
    (await deps.records.findVerification(tenantId, authUuid)) ??
    (await deps.adoption.verification(tenantId, authUuid, requestedLead?.id ?? null, fields));
  let leadId = verification.leadId;
  if (requestedLead !== null) {
    if (verification.leadId !== null && verification.leadId !== requestedLead.id) {
      throw rejectedInput(fields.lead, `process ${authUuid} is already linked to another lead`);
    }
    leadId = requestedLead.id;
  }
  const command: UpdateVerificationStatusCommand = {
    operation: 'updateVerificationStatus',
    authUuid,
    state: request.state,
    ...(reasons !== undefined && { reasons }),
  };
  const dispatch = await deps.dispatcher.submit({
    tenantId,
    provider: Provider.TECALIS,
    command,
    leadId,
    idempotencyKey,
    requestHash: inputHash(command.operation, request),
  });
  return { record: await recordAfterDispatch(() => deps.records.findVerification(tenantId, authUuid), () => verification), dispatch };
}
