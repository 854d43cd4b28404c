import { randomUUID } from 'node:crypto';
import { findCallbackGrant } from '../../src/services/callback-tokens.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_ROLES, rootOperations } from '../../src/auth/operation-roles.js';
import { type Role, roleAllows } from '../../src/domain/roles.js';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import { type DecisionCloudSandbox } from '../../src/providers/decisioncloud/sandbox.js';
import { type LeadBankSandbox } from '../../src/providers/leadbank/sandbox.js';
import { type TecalisSandbox } from '../../src/providers/tecalis/sandbox.js';
import { type TecheaSandbox } from '../../src/providers/techea/sandbox.js';
import { seedLead, type SeededLead } from '../support/fixtures.js';
import { OTHER_TENANT, type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';
import { executeOverWebSocket } from '../support/ws-client.js';

const JWT_SECRET = 'matrix-test-secret-that-is-long-enough-for-hs256';

const CALLERS = [
  'no credentials',
  'bad key',
  'revoked key',
  'expired JWT',
  'viewer',
  'operator',
  'admin',
  'other tenant',
] as const;
type Caller = (typeof CALLERS)[number];

/**
 * What a cell must show. `BLIND`: the call works, but shows and touches nothing of tenant
 * A. `AS_UNKNOWN`: refused exactly as for an id that exists nowhere (BAD_USER_INPUT).
 */
type Outcome = 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'FORBIDDEN' | 'ALLOWED' | 'BLIND' | 'AS_UNKNOWN' | 'REFUSED';

/** One root operation: the least role it needs (the specification, stated here on its own), and a call to it about tenant A's data. */
interface OperationCase {
  readonly role: Role;
  readonly document: string;
  variables(caller: Caller): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Whether the answer shows (or the call changed) something of tenant A. */
  seesTenantA(data: any): Promise<boolean> | boolean;
  /** How another tenant's call is answered: it works blind (default), or as for an unknown id. */
  /** `REFUSED`: BAD_USER_INPUT because the input names one of tenant A's records (its lead). */
  readonly otherTenant?: 'BLIND' | 'AS_UNKNOWN' | 'REFUSED';
  /** A subscription: served over WebSocket only (over HTTP it is refused, never run). */
  readonly subscription?: true;
}

describe('authorization matrix: every operation × every kind of caller, over HTTP and WebSocket', () => {
  let gateway: TestGateway;
  let a: SeededLead;
  let dispatchId: string;
  let aKeyId: string;
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_JWT_SECRET: JWT_SECRET } });
    a = await seedLead(gateway.db, {
      techeaLeadId: (gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox).addLead(),
      lastEvent: LeadEvent.REGISTRATION,
      application: { status: ApplicationStatus.APPROVED },
      verification: { status: VerificationStatus.OK },
      loans: [{ loanStatus: LoanStatus.ORIGINATED }],
    });
    // The provider-side twins of A's records, so dispatches about them succeed upstream.
    (gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox).addApplication({ id: a.applicationId! });
    (gateway.providers.sandboxes.TECALIS!.behavior as TecalisSandbox).addProcess({ authUuid: a.authUuid! });
    (gateway.providers.sandboxes.DECISION_CLOUD!.behavior as DecisionCloudSandbox).addCustomer(a.customerId!);
    const [row] = await gateway.db.query<Array<{ id: string }>>(
      `INSERT INTO dispatch (tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state, max_attempts)
       VALUES ('default', 'LEAD_BANK', 'updateApplication', $1, '{}', 'matrix-key', 'hash', 'PENDING', 5) RETURNING id`,
      [a.leadId],
    );
    dispatchId = row!.id;
    // Its end, in the log (as the dispatcher writes it): what dispatchChanged replays for A.
    await gateway.db.query(
      `INSERT INTO status_change (tenant_id, kind, lead_id, dispatch_id, provider, entity_id, from_status, to_status)
       VALUES ('default', 'DISPATCH', $1, $2, 'LEAD_BANK', $3, 'PENDING', 'FAILED')`,
      [a.leadId, dispatchId, a.applicationId],
    );
    aKeyId = (await gateway.createKey('default', 'viewer')).id;
    // The other tenant's own change, after all of A's: its replay must start there, not at A's.
    await seedLead(gateway.db, { verification: { status: VerificationStatus.KO } }, OTHER_TENANT);
    const [theirs] = await gateway.db.query<Array<{ id: string }>>(
      `INSERT INTO dispatch (tenant_id, provider, operation, payload, idempotency_key, request_hash, state, max_attempts)
       VALUES ($1, 'TECALIS', 'updateVerificationStatus', '{}', 'matrix-key', 'hash', 'FAILED', 5) RETURNING id`,
      [OTHER_TENANT],
    );
    await gateway.db.query(
      `INSERT INTO status_change (tenant_id, kind, dispatch_id, provider, entity_id, from_status, to_status)
       VALUES ($1, 'DISPATCH', $2, 'TECALIS', 'theirs', 'PENDING', 'FAILED')`,
      [OTHER_TENANT, theirs!.id],
    );

    const revoked = await gateway.createKey('default', 'admin');
    await gateway.db.query(`UPDATE api_key SET revoked_at = now() WHERE id = $1`, [revoked.id]);
    const expired = await new SignJWT({ tenant: 'default', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('matrix')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));

    tokens.set('no credentials', undefined);
    tokens.set('bad key', 'lgk_' + 'x'.repeat(43));
    tokens.set('revoked key', revoked.key);
    tokens.set('expired JWT', expired);
    tokens.set('viewer', gateway.as('viewer').token);
    tokens.set('operator', gateway.as('operator').token);
    tokens.set('admin', gateway.as('admin').token);
    tokens.set('other tenant', gateway.other.token);
  });
  afterAll(() => gateway.stop());

  const headOf = async (tenant: string) =>
    (await gateway.db.query<Array<{ id: string }>>(`SELECT max(id)::text AS id FROM status_change WHERE tenant_id = $1`, [tenant]))[0]!.id;
  const tenantOf = async (table: 'lead' | 'api_key' | 'dispatch', id: string) =>
    (await gateway.db.query<Array<{ tenant_id: string }>>(`SELECT tenant_id FROM ${table} WHERE id = $1`, [id]))[0]?.tenant_id;

  const OPERATIONS: Record<string, OperationCase> = {
    'Query.lead': {
      role: 'viewer',
      document: `query ($id: ID!) { lead(id: $id) { id stage } }`,
      variables: () => ({ id: a.leadId }),
      seesTenantA: (data) => data.lead?.id === a.leadId,
    },
    'Query.leadByTecheaId': {
      role: 'viewer',
      document: `query ($t: ID!) { leadByTecheaId(techeaLeadId: $t) { id } }`,
      variables: () => ({ t: a.techeaLeadId }),
      seesTenantA: (data) => data.leadByTecheaId?.id === a.leadId,
    },
    'Query.leads': {
      role: 'viewer',
      document: `{ leads(first: 100) { totalCount edges { node { id } } } }`,
      variables: () => ({}),
      seesTenantA: (data) => data.leads.edges.some((e: any) => e.node.id === a.leadId),
    },
    'Query.application': {
      role: 'viewer',
      document: `query ($id: ID!) { application(id: $id) { id lead { id } } }`,
      variables: () => ({ id: a.applicationId }),
      // Another tenant may hold an application of the same id in its own account (issue #22): A's is the one on A's lead.
      seesTenantA: (data) => data.application?.lead?.id === a.leadId,
    },
    'Query.verification': {
      role: 'viewer',
      document: `query ($id: ID!) { verification(authUuid: $id) { authUuid lead { id } } }`,
      variables: () => ({ id: a.authUuid }),
      // As for applications: A's process is the one on A's lead.
      seesTenantA: (data) => data.verification?.lead?.id === a.leadId,
    },
    'Query.loan': {
      role: 'viewer',
      document: `query ($c: ID!, $l: ID!) { loan(customerId: $c, loanId: $l) { loanId } }`,
      variables: () => ({ c: a.customerId, l: a.loanIds[0] }),
      seesTenantA: (data) => data.loan !== null,
    },
    'Query.statusChanges': {
      role: 'viewer',
      document: `query ($lead: ID) { statusChanges(leadId: $lead) { id } }`,
      variables: () => ({ lead: a.leadId }),
      seesTenantA: (data) => data.statusChanges.length > 0,
    },
    'Query.statusHead': {
      role: 'viewer',
      document: `{ statusHead }`,
      variables: () => ({}),
      // A's head is past A's last change; the other tenant's is its own.
      seesTenantA: async (data) => data.statusHead === (await headOf('default')),
    },
    'Query.dispatch': {
      role: 'viewer',
      document: `query ($id: ID!) { dispatch(id: $id) { id state } }`,
      variables: () => ({ id: dispatchId }),
      seesTenantA: (data) => data.dispatch !== null,
    },
    'Query.apiKeys': {
      role: 'admin',
      document: `{ apiKeys { id role } }`,
      variables: () => ({}),
      seesTenantA: (data) => data.apiKeys.some((k: any) => k.id === aKeyId),
    },
    'Mutation.createLead': {
      role: 'operator',
      document: `mutation ($t: ID) { createLead(input: { techeaLeadId: $t }) { id } }`,
      // A fresh TECHEA id for everyone (TECHEA ids belong to one tenant: see tenant-isolation).
      variables: () => ({ t: randomUUID() }),
      seesTenantA: async (data) => (await tenantOf('lead', data.createLead.id)) === 'default',
    },
    'Mutation.reportLeadEvent': {
      role: 'operator',
      document: `mutation ($id: ID!) { reportLeadEvent(input: { leadId: $id, event: REGISTRATION }) { dispatch { state } lead { id } } }`,
      variables: () => ({ id: a.leadId }),
      seesTenantA: (data) => data.reportLeadEvent.lead.id === a.leadId,
      otherTenant: 'AS_UNKNOWN',
    },
    'Mutation.updateApplication': {
      role: 'operator',
      document: `mutation ($id: ID!) { updateApplication(input: { applicationId: $id, productName: "Matrix" }) { application { id } dispatch { id state } } }`,
      variables: () => ({ id: a.applicationId }),
      // The same id in another tenant's own account is that tenant's record (issue #22): whose dispatch it made says whose record it changed.
      seesTenantA: async (data) => (await tenantOf('dispatch', data.updateApplication.dispatch.id)) === 'default',
    },
    'Mutation.updateVerificationStatus': {
      role: 'operator',
      document: `mutation ($id: ID!) { updateVerificationStatus(input: { authUuid: $id, state: OK }) { verification { authUuid } dispatch { id state } } }`,
      variables: () => ({ id: a.authUuid }),
      seesTenantA: async (data) => (await tenantOf('dispatch', data.updateVerificationStatus.dispatch.id)) === 'default',
    },
    'Mutation.issueVerificationCallback': {
      role: 'operator',
      document: `mutation ($id: ID!) { issueVerificationCallback(authUuid: $id) { authUuid callbackUrl } }`,
      variables: () => ({ id: a.authUuid }),
      // The URL's token says whose process it opens: another tenant's is its own process of that id.
      seesTenantA: async (data) =>
        (await findCallbackGrant(gateway.db, new URL(data.issueVerificationCallback.callbackUrl).pathname.split('/').pop()!))?.tenantId === 'default',
    },
    'Mutation.upsertLoan': {
      role: 'operator',
      document: `mutation ($c: ID!, $l: ID!, $lead: ID) { upsertLoan(input: { customerId: $c, loanId: $l, leadId: $lead, decisionCloudLeadId: 1,
        loanAmountCents: 1000, appliedAt: "2026-10-01T10:00:00Z" }) { loan { loanId } dispatch { state } } }`,
      // With A's lead: the other tenant must be refused as for a lead that does not exist.
      variables: () => ({ c: a.customerId, l: a.loanIds[0], lead: a.leadId }),
      seesTenantA: (data) => data.upsertLoan.loan.loanId === a.loanIds[0],
      otherTenant: 'REFUSED',
    },
    'Mutation.retryDispatch': {
      role: 'admin',
      document: `mutation ($id: ID!) { retryDispatch(id: $id) { id state } }`,
      // A FAILED dispatch of A's for each call.
      variables: async () => {
        const [row] = await gateway.db.query<Array<{ id: string }>>(
          `INSERT INTO dispatch (tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state, attempts, max_attempts)
           VALUES ('default', 'TECHEA', 'reportLeadEvent', $1, $2, gen_random_uuid()::text, 'h', 'FAILED', 3, 3) RETURNING id`,
          [a.leadId, JSON.stringify({ operation: 'reportLeadEvent', techeaLeadId: a.techeaLeadId, event: 'REGISTRATION' })],
        );
        return { id: row!.id };
      },
      seesTenantA: (data) => data.retryDispatch.state === 'PENDING',
      otherTenant: 'AS_UNKNOWN',
    },
    'Subscription.statusChanged': {
      role: 'viewer',
      // Replays each tenant's log from the start: A's first change for A, the other tenant's own for it.
      document: `subscription { statusChanged(after: "0") { id leadId } }`,
      variables: () => ({}),
      seesTenantA: (data) => data.statusChanged.leadId === a.leadId,
      subscription: true,
    },
    'Subscription.dispatchChanged': {
      role: 'viewer',
      document: `subscription { dispatchChanged(after: "0") { id dispatch { id } } }`,
      variables: () => ({}),
      seesTenantA: (data) => data.dispatchChanged.dispatch.id === dispatchId,
      subscription: true,
    },
    'Mutation.createApiKey': {
      role: 'admin',
      document: `mutation { createApiKey(input: { role: VIEWER, label: "matrix" }) { key apiKey { id } } }`,
      variables: () => ({}),
      seesTenantA: async (data) => (await tenantOf('api_key', data.createApiKey.apiKey.id)) === 'default',
    },
    'Mutation.revokeApiKey': {
      role: 'admin',
      document: `mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`,
      // A throwaway key of tenant A for each call, so one cell's revocation cannot hide another's.
      variables: async () => ({ id: (await gateway.createKey('default', 'viewer')).id }),
      seesTenantA: (data) => data.revokeApiKey !== null,
    },
  };

  function expected(caller: Caller, operation: OperationCase): Outcome {
    switch (caller) {
      case 'no credentials':
      case 'bad key':
      case 'revoked key':
        return 'UNAUTHENTICATED';
      case 'expired JWT':
        return 'TOKEN_EXPIRED';
      case 'viewer':
      case 'operator':
      case 'admin':
        return roleAllows(caller, operation.role) ? 'ALLOWED' : 'FORBIDDEN';
      case 'other tenant':
        return operation.otherTenant ?? 'BLIND';
    }
  }

  it('covers every root operation of the schema, with the roles of OPERATION_ROLES', async () => {
    const schema = await buildGatewaySchema();
    expect(Object.keys(OPERATIONS).sort()).toEqual(rootOperations(schema).sort());
    for (const [name, operation] of Object.entries(OPERATIONS)) expect(`${name} ${OPERATION_ROLES[name]}`).toBe(`${name} ${operation.role}`);
  });

  const cells = Object.keys(OPERATIONS).flatMap((name) => CALLERS.map((caller) => [name, caller] as const));

  describe('over HTTP', () => {
    it.each(cells)('%s as %s', async (name, caller) => {
      const operation = OPERATIONS[name]!;
      const outcome = expected(caller, operation);
      const token = tokens.get(caller);
      const response = await postGraphQL({ url: gateway.url, ...(token !== undefined && { token }) }, operation.document, await operation.variables(caller));
      if (operation.subscription && outcome !== 'UNAUTHENTICATED' && outcome !== 'TOKEN_EXPIRED') {
        // Not a transport for subscriptions: refused as a request error, never executed.
        expect(response.status).toBe(400);
        expect(response.errors?.length).toBeGreaterThan(0);
        expect(response.data ?? null).toBeNull();
        return;
      }
      switch (outcome) {
        case 'UNAUTHENTICATED':
        case 'TOKEN_EXPIRED':
          expect(response.status).toBe(401);
          expect(response.headers?.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
          expect(response.errors?.[0]?.extensions?.code).toBe(outcome);
          expect(response.data).toBeUndefined();
          break;
        case 'FORBIDDEN':
          expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
          expect(Object.values(response.data ?? {}).every((value) => value === null)).toBe(true);
          break;
        case 'ALLOWED':
          expect(response.errors).toBeUndefined();
          expect(await operation.seesTenantA(response.data)).toBe(true);
          break;
        case 'BLIND':
          expect(response.errors).toBeUndefined();
          expect(await operation.seesTenantA(response.data)).toBe(false);
          break;
        case 'AS_UNKNOWN':
          expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          expect(response.errors?.[0]?.message).toMatch(/is known to the gateway/);
          break;
        case 'REFUSED':
          expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          break;
      }
    });
  });

  describe('over WebSocket (graphql-ws)', () => {
    it.each(cells)('%s as %s', async (name, caller) => {
      const operation = OPERATIONS[name]!;
      const outcome = expected(caller, operation);
      const result = await executeOverWebSocket(gateway.url, tokens.get(caller), operation.document, await operation.variables(caller), {
        firstEvent: operation.subscription === true,
      });
      switch (outcome) {
        case 'UNAUTHENTICATED':
          expect(result).toMatchObject({ kind: 'closed', code: 4401, reason: expect.stringMatching(/^UNAUTHENTICATED: /) });
          break;
        case 'TOKEN_EXPIRED':
          expect(result).toMatchObject({ kind: 'closed', code: 4419, reason: 'TOKEN_EXPIRED: The token was refused: the token has expired.' });
          break;
        case 'FORBIDDEN':
          expect(result.kind).toBe('result');
          if (result.kind === 'result') {
            expect(result.result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
            expect(Object.values(result.result.data ?? {}).every((value) => value === null)).toBe(true);
          }
          break;
        case 'ALLOWED':
        case 'BLIND':
          expect(result.kind).toBe('result');
          if (result.kind === 'result') {
            expect(result.result.errors).toBeUndefined();
            expect(await operation.seesTenantA(result.result.data)).toBe(outcome === 'ALLOWED');
          }
          break;
        case 'AS_UNKNOWN':
        case 'REFUSED':
          expect(result.kind).toBe('result');
          if (result.kind === 'result') expect(result.result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          break;
      }
    });
  });
});
