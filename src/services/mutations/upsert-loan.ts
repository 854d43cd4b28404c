import { LoanEntity } from '../../db/entities/index.js';
import { invalidInput, rejectedInput } from '../../domain/errors.js';
import { requireExternalId, requirePathSafeId } from '../../domain/ids.js';
import { type LoanApplicationType, type LoanStatus, type LoanType, Provider } from '../../domain/vocabulary.js';
import { loanAsSent, type UpsertLoanCommand } from '../../providers/index.js';
import { requireProviderAccount } from '../../connections/provider-accounts.js';
import { recordAfterDispatch } from './after-dispatch.js';
import {
  checkCalendarDate,
  checkCents,
  checkIdempotencyKey,
  type Dispatched,
  inputHash,
  iso,
  type MutationDeps,
  requireKnownLead,
} from './input-checks.js';

/** The caller's input. */
export interface UpsertLoanRequest {
  readonly customerId: string;
  readonly loanId: string;
  readonly leadId?: string | null;
  readonly decisionCloudLeadId?: number | null;
  readonly managementSystemId?: number | null;
  readonly applicationType?: LoanApplicationType | null;
  readonly loanType?: LoanType | null;
  readonly loanStatus?: LoanStatus | null;
  readonly loanAmountCents: number;
  readonly fundedAmountCents?: number | null;
  readonly firstPaymentDate?: string | null;
  readonly appliedAt: Date;
  readonly esignedAt?: Date | null;
  readonly withdrawnAt?: Date | null;
  readonly originatedAt?: Date | null;
  readonly idempotencyKey?: string | null;
}

/** `upsertLoan`: reports a new or changed loan to Decision Cloud. */
export async function upsertLoan(deps: MutationDeps, tenantId: string, request: UpsertLoanRequest): Promise<Dispatched<LoanEntity>> {
  const idempotencyKey = checkIdempotencyKey(request.idempotencyKey);
  const customerId = requirePathSafeId(request.customerId, 'input.customerId');
  const loanId = requireExternalId(request.loanId, 'input.loanId');
  const loanAmountCents = checkCents(request.loanAmountCents, 'input.loanAmountCents')!;
  const fundedAmountCents = checkCents(request.fundedAmountCents, 'input.fundedAmountCents');
  const firstPaymentDate = checkCalendarDate(request.firstPaymentDate, 'input.firstPaymentDate');
  for (const field of ['decisionCloudLeadId', 'managementSystemId'] as const) {
    const value = request[field];
    if (value != null && value < 0) throw invalidInput(`input.${field}`, 'a non-negative id', value);
  }
  if (request.decisionCloudLeadId == null && request.managementSystemId == null) {
    throw invalidInput('input.decisionCloudLeadId', 'decisionCloudLeadId or managementSystemId (Decision Cloud needs one of them)', 'neither');
  }
  // A customer id is an id of the tenant's own Decision Cloud account (another tenant's CUST-1039 is another person).
  await requireProviderAccount(deps.db, tenantId, Provider.DECISION_CLOUD, 'input.customerId');
  const existing = await deps.records.findLoan(tenantId, customerId, loanId);
  let leadId = existing?.leadId ?? null;
  if (request.leadId != null) {
    const lead = await requireKnownLead(deps.leads, tenantId, request.leadId, 'input.leadId');
    if (leadId !== null && leadId !== lead.id) throw rejectedInput('input.leadId', `loan ${loanId} is already linked to another lead`);
    leadId = lead.id;
  }
  const command: UpsertLoanCommand = {
    operation: 'upsertLoan',
    customerId,
    loanId,
    loanAmountCents,
    appliedAt: request.appliedAt.toISOString(),
    ...(request.decisionCloudLeadId != null && { decisionCloudLeadId: request.decisionCloudLeadId }),
    ...(request.managementSystemId != null && { managementSystemId: request.managementSystemId }),
    ...(request.applicationType != null && { applicationType: request.applicationType }),
    ...(request.loanType != null && { loanType: request.loanType }),
    ...(request.loanStatus != null && { loanStatus: request.loanStatus }),
    ...(fundedAmountCents !== undefined && { fundedAmountCents }),
    ...(firstPaymentDate !== undefined && { firstPaymentDate }),
    ...(request.esignedAt != null && { esignedAt: iso(request.esignedAt)! }),
    ...(request.withdrawnAt != null && { withdrawnAt: iso(request.withdrawnAt)! }),
    ...(request.originatedAt != null && { originatedAt: iso(request.originatedAt)! }),
  };
  const dispatch = await deps.dispatcher.submit({
    tenantId,
    provider: Provider.DECISION_CLOUD,
    command,
    leadId,
    idempotencyKey,
    requestHash: inputHash(command.operation, request),
  });
  const record = await recordAfterDispatch(() => deps.records.findLoan(tenantId, customerId, loanId), () => existing ?? requestedLoan(tenantId, leadId, command));
  return { record, dispatch };
}

/** A loan Decision Cloud has not confirmed: shown as requested, never stored. */
function requestedLoan(tenantId: string, leadId: string | null, command: UpsertLoanCommand): LoanEntity {
  return Object.assign(new LoanEntity(), { ...loanAsSent(command), tenantId, leadId });
}
