import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VerificationStatus } from '../../../src/domain/vocabulary.js';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { seedLead } from '../../support/fixtures.js';
import { OTHER_TENANT, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData, type Target } from '../../support/graphql-client.js';
import {
  freshKey,
  interceptProvider,
  REPORT_LEAD_EVENT,
  type Sandboxes,
  settledDispatch,
  sideEffects,
  startMutationGateway,
  UPDATE_APPLICATION,
  UPDATE_VERIFICATION_STATUS,
  UPSERT_LOAN,
} from './mutation-harness.js';

/** One dispatching mutation, set up against its sandbox. */
interface Scenario {
  readonly document: string;
  readonly field: 'reportLeadEvent' | 'updateApplication' | 'updateVerificationStatus' | 'upsertLoan';
  readonly server: SandboxServer;
  /** A valid input, without a key. */
  readonly input: Record<string, unknown>;
  /** Another valid input for the same record. */
  readonly otherInput: Record<string, unknown>;
  /** How many changes the provider has applied to this scenario's record. */
  applied(): number;
}

describe('caller idempotency (idempotencyKey)', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    // A short wait for the first attempt: the in-flight tests need the mutation to answer
    // while its first attempt is still held at the provider. Every other test waits on
    // dispatcher.settled, so nothing here depends on how long an attempt takes.
    ({ gateway, sandboxes } = await startMutationGateway({ DISPATCH_WAIT_MS: '50' }));
  });
  afterEach(() => {
    for (const { server } of Object.values(sandboxes)) server.clearFaults();
  });
  afterAll(() => gateway.stop());

  const scenarios: Record<Scenario['field'], () => Promise<Scenario>> = {
    reportLeadEvent: async () => {
      const { techea } = sandboxes;
      const { leadId, techeaLeadId } = await seedLead(gateway.db, { techeaLeadId: techea.behavior.addLead() });
      return {
        document: REPORT_LEAD_EVENT,
        field: 'reportLeadEvent',
        server: techea.server,
        input: { leadId, event: 'REGISTRATION' },
        otherInput: { leadId, event: 'LOAN_ISSUED' },
        applied: () => techea.behavior.received.filter((r) => r.leadId === techeaLeadId).length,
      };
    },
    updateApplication: async () => {
      const { leadBank } = sandboxes;
      const id = leadBank.behavior.addApplication();
      await seedLead(gateway.db, { application: { status: null, id } });
      return {
        document: UPDATE_APPLICATION,
        field: 'updateApplication',
        server: leadBank.server,
        input: { applicationId: id, status: 'APPROVED', metadata: { channel: 'web' } },
        otherInput: { applicationId: id, status: 'CANCELED' },
        applied: () => leadBank.behavior.appliedUpdates(id),
      };
    },
    updateVerificationStatus: async () => {
      const { tecalis } = sandboxes;
      const authUuid = tecalis.behavior.addProcess();
      await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING, authUuid } });
      return {
        document: UPDATE_VERIFICATION_STATUS,
        field: 'updateVerificationStatus',
        server: tecalis.server,
        input: { authUuid, state: 'OK', reasons: 'match' },
        otherInput: { authUuid, state: 'OK', reasons: 'match, second look' },
        applied: () => tecalis.behavior.applied.filter((change) => change.authUuid === authUuid).length,
      };
    },
    upsertLoan: () => {
      const { decisionCloud } = sandboxes;
      const customerId = decisionCloud.behavior.addCustomer(`customer_${randomUUID()}`);
      const loan = { customerId, loanId: `loan_${randomUUID()}`, decisionCloudLeadId: 7, appliedAt: '2026-11-01T08:00:00.000Z' };
      return Promise.resolve({
        document: UPSERT_LOAN,
        field: 'upsertLoan',
        server: decisionCloud.server,
        input: { ...loan, loanAmountCents: 50_000 },
        otherInput: { ...loan, loanAmountCents: 60_000 },
        applied: () => decisionCloud.behavior.applied.filter((change) => change.customerId === customerId).length,
      });
    },
  };
  const fields = Object.keys(scenarios) as Array<Scenario['field']>;

  /** Runs the scenario's mutation and answers its payload (failing the test on any GraphQL error). */
  const run = async (scenario: Scenario, input: Record<string, unknown>, as: Target = gateway.api) =>
    (await queryData<Record<string, any>>(as, scenario.document, { input }))[scenario.field];

  describe('the same key with the same input', () => {
    it.each(fields)('%s: answers the first dispatch and its result, and sends nothing again', async (field) => {
      const scenario = await scenarios[field]();
      const key = freshKey(field);
      const first = await run(scenario, { ...scenario.input, idempotencyKey: key });
      const settled = await settledDispatch(gateway, first.dispatch.id);
      expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 1, idempotencyKey: key });
      const calls = scenario.server.stats.calls;
      const dispatches = (await sideEffects(gateway, sandboxes)).dispatches;

      const replay = await run(scenario, { ...scenario.input, idempotencyKey: key });

      expect(replay.dispatch).toMatchObject({ id: first.dispatch.id, state: 'SUCCEEDED', attempts: 1, idempotencyKey: key, lastError: null });
      expect(scenario.server.stats.calls).toBe(calls);
      expect((await sideEffects(gateway, sandboxes)).dispatches).toBe(dispatches);
      expect(scenario.applied()).toBe(1);
      // TECHEA would have said IGNORED to a second call: RECEIVED is the first result, replayed.
      if (field === 'reportLeadEvent') expect(replay.outcome).toBe('RECEIVED');
    });

    it('answers a refused dispatch the same way: the FAILED dispatch, not a second try', async () => {
      const scenario = await scenarios.updateApplication();
      const key = freshKey('refused');
      scenario.server.setFaults({ forceStatus: 422, forceCount: 1 });
      const first = await run(scenario, { ...scenario.input, idempotencyKey: key });
      expect(await settledDispatch(gateway, first.dispatch.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
      const calls = scenario.server.stats.calls;

      const replay = await run(scenario, { ...scenario.input, idempotencyKey: key });

      expect(replay.dispatch).toMatchObject({
        id: first.dispatch.id,
        state: 'FAILED',
        attempts: 1,
        lastError: { code: 'REJECTED', httpStatus: 422, message: 'Request failed with status 422' },
      });
      expect(scenario.server.stats.calls).toBe(calls);
      expect(scenario.applied()).toBe(0);
    });

    it('answers the same PENDING dispatch while Lead Bank still holds the first attempt, and Lead Bank applies it once', async () => {
      const scenario = await scenarios.updateApplication();
      const { behavior: leadBank } = sandboxes.leadBank;
      const key = freshKey('in-flight');
      // Lead Bank's own processing delay holds the write (with its key in flight) until released:
      // the first answer is PENDING for certain, and the replay comes while the call is open.
      leadBank.processingDelayMs = 60_000;
      const keyInFlight = leadBank.nextInFlight();
      try {
        const first = await run(scenario, { ...scenario.input, idempotencyKey: key });
        expect(first.dispatch).toMatchObject({ state: 'PENDING', attempts: 1, idempotencyKey: key });
        expect(await keyInFlight).toBe(first.dispatch.id); // upstream, the key is the dispatch's id
        const calls = scenario.server.stats.calls;

        const replay = await run(scenario, { ...scenario.input, idempotencyKey: key });

        expect(replay.dispatch).toMatchObject({ id: first.dispatch.id, state: 'PENDING', attempts: 1 });
        expect(scenario.server.stats.calls).toBe(calls);
        leadBank.processingDelayMs = 0;
        leadBank.releaseInFlight();
        expect(await settledDispatch(gateway, first.dispatch.id)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
        expect(scenario.applied()).toBe(1);
        expect((await run(scenario, { ...scenario.input, idempotencyKey: key })).application.status).toBe('APPROVED');
      } finally {
        leadBank.processingDelayMs = 0;
        leadBank.releaseInFlight();
      }
    });

    it('answers the same PENDING dispatch while TECHEA has not answered yet, and TECHEA records the event once', async () => {
      const scenario = await scenarios.reportLeadEvent();
      const key = freshKey('in-flight');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let arrived!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      // TECHEA sees the request, then waits for the test before answering.
      const restore = interceptProvider(scenario.server, async (_request, next) => {
        arrived();
        await gate;
        return next();
      });
      try {
        const first = await run(scenario, { ...scenario.input, idempotencyKey: key });
        expect(first.dispatch).toMatchObject({ state: 'PENDING', attempts: 1 });
        expect(first.outcome).toBeNull();
        await reached;
        const calls = scenario.server.stats.calls;

        const replay = await run(scenario, { ...scenario.input, idempotencyKey: key });

        expect(replay).toMatchObject({ outcome: null, dispatch: { id: first.dispatch.id, state: 'PENDING', attempts: 1 } });
        expect(scenario.server.stats.calls).toBe(calls);
        release();
        expect(await settledDispatch(gateway, first.dispatch.id)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
        expect(scenario.applied()).toBe(1);
        const after = await run(scenario, { ...scenario.input, idempotencyKey: key });
        expect(after).toMatchObject({ outcome: 'RECEIVED', dispatch: { id: first.dispatch.id }, lead: { lastEvent: 'REGISTRATION' } });
      } finally {
        release();
        restore();
      }
    });
  });

  describe('the same key with other input', () => {
    it.each(fields)('%s: is refused with IDEMPOTENCY_KEY_REUSED on input.idempotencyKey, and nothing is written or sent', async (field) => {
      const scenario = await scenarios[field]();
      const key = freshKey(field);
      const first = await run(scenario, { ...scenario.input, idempotencyKey: key });
      await settledDispatch(gateway, first.dispatch.id);
      const before = await sideEffects(gateway, sandboxes);

      const response = await postGraphQL(gateway.api, scenario.document, { input: { ...scenario.otherInput, idempotencyKey: key } });

      expect(response.data).toBeNull();
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: `input.idempotencyKey: the key "${key}" was used with other input for ${field}; use a new key for a new request`,
          extensions: { code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' },
        }),
      ]);
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
      expect(scenario.applied()).toBe(1);
    });
  });

  describe('keys are scoped', () => {
    it('makes two dispatches, each with a key of its own, for two identical calls without a key', async () => {
      const scenario = await scenarios.updateApplication();
      const first = await run(scenario, scenario.input);
      const second = await run(scenario, scenario.input);
      const [a, b] = [await settledDispatch(gateway, first.dispatch.id), await settledDispatch(gateway, second.dispatch.id)];

      expect(a.id).not.toBe(b.id);
      expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
      expect([a.state, b.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      // Two separate requests: Lead Bank applied both.
      expect(scenario.applied()).toBe(2);
    });

    it('keeps the same key on different mutations independent', async () => {
      const key = freshKey('shared');
      const results = [];
      for (const field of fields) {
        const scenario = await scenarios[field]();
        const payload = await run(scenario, { ...scenario.input, idempotencyKey: key });
        results.push({ field, dispatch: await settledDispatch(gateway, payload.dispatch.id), applied: scenario.applied() });
      }
      expect(new Set(results.map((r) => r.dispatch.id)).size).toBe(fields.length);
      for (const result of results) {
        expect(result).toMatchObject({ dispatch: { state: 'SUCCEEDED', attempts: 1, idempotencyKey: key }, applied: 1 });
      }
    });

    // BUG (src/providers/leadbank/client.ts with src/dispatch/outbox.ts): the gateway scopes a
    // caller's key to (tenant, operation), but sends it to Lead Bank verbatim, and Lead Bank
    // scopes keys to the API client: one for every tenant of the gateway. So the first tenant to
    // use a key takes it from all others: another tenant's unrelated update with the same key is
    // refused upstream (422 "This Idempotency-Key was used with a different request") and its
    // dispatch FAILS. (With the same application and body it would instead be answered with the
    // first tenant's stored response.) The key sent upstream should be derived per tenant.
    it("keeps one tenant's key from colliding with another tenant's at Lead Bank", async () => {
      const key = freshKey('per-tenant');
      const ours = await scenarios.updateApplication();
      const mine = await run(ours, { ...ours.input, idempotencyKey: key });
      expect(await settledDispatch(gateway, mine.dispatch.id)).toMatchObject({ state: 'SUCCEEDED' });

      // Two tenants whose connections reach one Lead Bank account (an administrator's choice): their keys must still not meet there.
      const { credentials } = sandboxes.leadBank.behavior;
      await gateway.connections.set(OTHER_TENANT, 'LEAD_BANK', {
        LEADBANK_BASE_URL: sandboxes.leadBank.server.baseUrl!.href,
        LEADBANK_CLIENT_ID: credentials.clientId,
        LEADBANK_CLIENT_SECRET: credentials.clientSecret,
      });
      const theirId = sandboxes.leadBank.behavior.addApplication();
      await seedLead(gateway.db, { application: { status: null, id: theirId } }, OTHER_TENANT);
      const theirs = await queryData<{ updateApplication: any }>(gateway.other, UPDATE_APPLICATION, {
        input: { applicationId: theirId, status: 'CANCELED', idempotencyKey: key },
      });
      const settled = await settledDispatch(gateway, theirs.updateApplication.dispatch.id, OTHER_TENANT);

      expect(settled).toMatchObject({ state: 'SUCCEEDED', lastError: null });
      expect(sandboxes.leadBank.behavior.appliedUpdates(theirId)).toBe(1);
    });
  });

  describe("Lead Bank's Idempotency-Key", () => {
    it('is the dispatch key through two 503s and the success after them: attempts 3, applied once', async () => {
      const scenario = await scenarios.updateApplication();
      const { behavior: leadBank } = sandboxes.leadBank;
      sandboxes.leadBank.server.setFaults({ forceStatus: 503, forceCount: 2 });
      const keyThatGotThrough = leadBank.nextInFlight();

      const payload = await run(scenario, scenario.input);
      expect(payload.dispatch).toMatchObject({
        state: 'PENDING',
        attempts: 1,
        lastError: { code: 'UNAVAILABLE', httpStatus: 503, message: 'Internal server error' },
      });
      const settled = await settledDispatch(gateway, payload.dispatch.id);

      expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 3, lastError: null, idempotencyKey: payload.dispatch.idempotencyKey });
      // Upstream the key is the dispatch's id: stable across attempts, unique across tenants.
      expect(await keyThatGotThrough).toBe(settled.id);
      expect(scenario.applied()).toBe(1);
    });

    it('arrives, the same, on every attempt of one dispatch', async () => {
      const scenario = await scenarios.updateApplication();
      const keys: Array<string | undefined> = [];
      // Lead Bank itself answers the first two PATCHes with its 503, after the request (and its
      // headers) reached it: unlike an injected fault, every attempt is seen.
      const restore = interceptProvider(sandboxes.leadBank.server, async (request, next) => {
        if (request.method !== 'PATCH') return next();
        keys.push(request.headers['idempotency-key'] as string | undefined);
        return keys.length <= 2 ? sandboxes.leadBank.behavior.errorResponse(503) : next();
      });
      try {
        const payload = await run(scenario, scenario.input, gateway.as('operator'));
        const settled = await settledDispatch(gateway, payload.dispatch.id);

        expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 3 });
        expect(keys).toEqual([settled.id, settled.id, settled.id]);
        expect(scenario.applied()).toBe(1);
      } finally {
        restore();
      }
    });
  });
});
