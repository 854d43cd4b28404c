import { type VerificationEntity } from '../../db/entities/index.js';
import { rejectedInput } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
import { Provider, type VerificationState } from '../../domain/vocabulary.js';
import { type UpdateVerificationStatusCommand } from '../../providers/index.js';
import { checkIdempotencyKey, checkText, type Dispatched, inputHash, type MutationDeps, requireKnownLead } from './input-checks.js';

/** The caller's input. */
export interface UpdateVerificationStatusRequest {
  readonly authUuid: string;
  readonly leadId?: string | null;
  readonly state: VerificationState;
  /** Absent (or null): Tecalis keeps its stored reasons; present, even empty: replaced. */
  readonly reasons?: string | null;
  readonly idempotencyKey?: string | null;
}

/** `updateVerificationStatus`: sets a final state on a Tecalis process the gateway knows. */
export async function updateVerificationStatus(
  deps: MutationDeps,
  tenantId: string,
  request: UpdateVerificationStatusRequest,
): Promise<Dispatched<VerificationEntity>> {
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  const authUuid = requireUuid(request.authUuid, 'input.authUuid');
  const reasons = checkText(request.reasons, 'input.reasons');
  const verification = await deps.records.findVerification(tenantId, authUuid);
  if (verification === null) throw rejectedInput('input.authUuid', `no Tecalis process ${authUuid} is known to the gateway`);
  let leadId = verification.leadId;
  if (request.leadId != null) {
    const lead = await requireKnownLead(deps.leads, tenantId, request.leadId, 'input.leadId');
    if (verification.leadId !== null && verification.leadId !== lead.id) {
      throw rejectedInput('input.leadId', `process ${authUuid} is already linked to another lead`);
    }
    leadId = lead.id;
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
  return { record: (await deps.records.findVerification(tenantId, authUuid))!, dispatch };
}
