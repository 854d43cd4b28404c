import { type Logger } from '../../../src/logger.js';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type DecisionCloudSandbox } from '../../../src/providers/decisioncloud/sandbox.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/sandbox.js';
import { type SandboxRequest, type SandboxResponse, type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { type TecalisSandbox } from '../../../src/providers/tecalis/sandbox.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { type GraphQLResponse } from '../../support/graphql-client.js';

/**
 * What the mutation tests share: a gateway tuned for them, typed handles on its
 * in-process sandboxes, the GraphQL documents, and the "nothing written, nothing
 * sent" snapshot. Not a test file itself (vitest only collects `*.test.ts`).
 */

/** A mutation's whole dispatch, as every test reads it. */
export const DISPATCH_FIELDS = `id provider operation state attempts idempotencyKey lastError { code httpStatus message } createdAt updatedAt`;

export const REPORT_LEAD_EVENT = `mutation ($input: ReportLeadEventInput!) {
  reportLeadEvent(input: $input) {
    outcome
    lead { id techeaLeadId stage lastEvent history(first: 5) { provider entityId from to } }
    dispatch { ${DISPATCH_FIELDS} }
  }
}`;

export const UPDATE_APPLICATION = `mutation ($input: UpdateApplicationInput!) {
  updateApplication(input: $input) {
    application {
      id status productName
      credit { isSecured isMla currency underwritingGrade limit maxLimit score }
      adverseActionNotice { deliveredAt reason deliveryMethod }
      decision { decidedAt reason exceptionApprovalReason }
      documents { documentId type displayedAt consentedAt version }
      metadata
      lead { id stage history(first: 5) { provider entityId from to } }
    }
    dispatch { ${DISPATCH_FIELDS} }
  }
}`;

export const UPDATE_VERIFICATION_STATUS = `mutation ($input: UpdateVerificationStatusInput!) {
  updateVerificationStatus(input: $input) {
    verification {
      authUuid processUuid status statusReasons name company profileAlias
      operations { type state }
      lead { id stage history(first: 5) { provider entityId from to } }
    }
    dispatch { ${DISPATCH_FIELDS} }
  }
}`;

export const UPSERT_LOAN = `mutation ($input: UpsertLoanInput!) {
  upsertLoan(input: $input) {
    loan {
      customerId loanId decisionCloudLeadId managementSystemId applicationType loanType loanStatus
      loanAmountCents fundedAmountCents firstPaymentDate appliedAt esignedAt withdrawnAt originatedAt
      lead { id stage history(first: 5) { provider entityId from to } }
    }
    dispatch { ${DISPATCH_FIELDS} }
  }
}`;

export const RETRY_DISPATCH = `mutation ($id: ID!) { retryDispatch(id: $id) { ${DISPATCH_FIELDS} } }`;

export const READ_DISPATCH = `query ($id: ID!) { dispatch(id: $id) { ${DISPATCH_FIELDS} } }`;

export const READ_LEAD = `query ($id: ID!) {
  lead(id: $id) {
    id stage lastEvent
    history(first: 10) { provider entityId from to }
  }
}`;

/** The four sandboxes of a gateway: the server (faults, call counts) and the provider behaviour (state). */
export interface Sandboxes {
  readonly techea: { server: SandboxServer; behavior: TecheaSandbox };
  readonly leadBank: { server: SandboxServer; behavior: LeadBankSandbox };
  readonly tecalis: { server: SandboxServer; behavior: TecalisSandbox };
  readonly decisionCloud: { server: SandboxServer; behavior: DecisionCloudSandbox };
}

export function sandboxesOf(gateway: TestGateway): Sandboxes {
  const server = (provider: Provider): SandboxServer => {
    const found = gateway.providers.sandboxes[provider];
    if (found === undefined) throw new Error(`${provider} is not a sandbox in this gateway`);
    return found;
  };
  const techea = server(Provider.TECHEA);
  const leadBank = server(Provider.LEAD_BANK);
  const tecalis = server(Provider.TECALIS);
  const decisionCloud = server(Provider.DECISION_CLOUD);
  return {
    techea: { server: techea, behavior: techea.behavior as TecheaSandbox },
    leadBank: { server: leadBank, behavior: leadBank.behavior as LeadBankSandbox },
    tecalis: { server: tecalis, behavior: tecalis.behavior as TecalisSandbox },
    decisionCloud: { server: decisionCloud, behavior: decisionCloud.behavior as DecisionCloudSandbox },
  };
}

/**
 * A gateway for mutation tests. The first attempt is awaited longer than a provider
 * call can take (DISPATCH_WAIT_MS > PROVIDER_TIMEOUT_MS), so a mutation's answer always
 * shows the outcome of its first attempt, whatever the machine's speed; retries are
 * quick (10 ms backoff, 20 ms polling).
 */
export async function startMutationGateway(env: Record<string, string> = {}, logger?: Logger): Promise<{ gateway: TestGateway; sandboxes: Sandboxes }> {
  const gateway = await startTestGateway({
    ...(logger !== undefined && { logger }),
    env: {
      DISPATCH_BACKOFF_BASE_MS: '10',
      DISPATCH_BACKOFF_MAX_MS: '50',
      DISPATCH_POLL_MS: '20',
      PROVIDER_TIMEOUT_MS: '10000',
      DISPATCH_WAIT_MS: '20000',
      ...env,
    },
  });
  const sandboxes = sandboxesOf(gateway);
  await warmUpTokens(gateway, sandboxes);
  for (const { server } of Object.values(sandboxes)) server.clearFaults();
  return { gateway, sandboxes };
}

/**
 * Lead Bank and Decision Cloud ask for an OAuth token on their first call. Fetching
 * it once, up front, makes a forced fault hit the API call under test rather than
 * the token request.
 */
async function warmUpTokens(gateway: TestGateway, sandboxes: Sandboxes): Promise<void> {
  await gateway.providers.adapters.leadBank.send(
    { operation: 'updateApplication', applicationId: sandboxes.leadBank.behavior.addApplication(), metadata: { warmUp: true } },
    { idempotencyKey: `warm-up-${randomUUID()}` },
  );
  await gateway.providers.adapters.decisionCloud.send(
    {
      operation: 'upsertLoan',
      customerId: sandboxes.decisionCloud.behavior.addCustomer(`warm-up-${randomUUID()}`),
      loanId: 'warm-up',
      decisionCloudLeadId: 1,
      loanAmountCents: 100,
      appliedAt: '2026-01-01T00:00:00.000Z',
    },
    { idempotencyKey: `warm-up-${randomUUID()}` },
  );
}

/** What a mutation can leave behind: dispatch rows, and calls each sandbox answered. */
export interface SideEffects {
  readonly dispatches: number;
  readonly records: number;
  readonly calls: Record<keyof Sandboxes, number>;
}

export async function sideEffects(gateway: TestGateway, sandboxes: Sandboxes): Promise<SideEffects> {
  const [row] = await gateway.db.query<Array<{ n: string; records: string }>>(
    `SELECT (SELECT count(*) FROM dispatch) AS n,
            (SELECT count(*) FROM lead) + (SELECT count(*) FROM application) + (SELECT count(*) FROM verification) + (SELECT count(*) FROM loan) AS records`,
  );
  return {
    dispatches: Number(row!.n),
    // Leads and provider records: a refusal adopts nothing either.
    records: Number(row!.records),
    calls: {
      techea: sandboxes.techea.server.stats.calls,
      leadBank: sandboxes.leadBank.server.stats.calls,
      tecalis: sandboxes.tecalis.server.stats.calls,
      decisionCloud: sandboxes.decisionCloud.server.stats.calls,
    },
  };
}

/** Fails unless the response is exactly one BAD_USER_INPUT error on `field`, with no data. */
export function expectBadUserInput(response: GraphQLResponse, field: string, message?: string | RegExp): void {
  expect(response.data ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  if (message !== undefined) {
    if (typeof message === 'string') expect(response.errors![0]!.message).toBe(message);
    else expect(response.errors![0]!.message).toMatch(message);
  }
}

/** Resolves when the dispatch is SUCCEEDED or FAILED, then reads it back over GraphQL's own shape. */
export async function settledDispatch(gateway: TestGateway, id: string, tenantId = DEFAULT_TENANT) {
  const entity = await gateway.dispatcher.settled(tenantId, id);
  return {
    id: entity.id,
    state: entity.state,
    attempts: entity.attempts,
    idempotencyKey: entity.idempotencyKey,
    lastError: entity.lastError,
  };
}

/** A key no other test uses. */
export const freshKey = (label: string) => `${label}-${randomUUID()}`;

/**
 * A response with `id` replaced by a placeholder, so the answer about another
 * tenant's record can be compared whole (status, data, errors) with the answer
 * about an id nobody has.
 */
export function withoutId(response: GraphQLResponse, id: string): unknown {
  const { headers: _headers, ...rest } = response;
  return JSON.parse(JSON.stringify(rest).replaceAll(id, '<id>'));
}

/**
 * Puts `around` in front of a sandbox's provider behaviour (after the server's own fault
 * injection), to see each request that reaches the provider, hold it, or answer it.
 * Returns the function that takes it away again.
 */
export function interceptProvider(
  server: SandboxServer,
  around: (request: SandboxRequest, next: () => Promise<SandboxResponse>) => Promise<SandboxResponse>,
): () => void {
  const behavior = server.behavior;
  const handle = behavior.handle.bind(behavior);
  behavior.handle = (request) => around(request, async () => handle(request));
  // The behaviour's own method is on its prototype: removing the instance property restores it.
  return () => void Reflect.deleteProperty(behavior, 'handle');
}
