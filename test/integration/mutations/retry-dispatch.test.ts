import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData } from '../../support/graphql-client.js';
import {
  expectBadUserInput,
  freshKey,
  READ_DISPATCH,
  RETRY_DISPATCH,
  type Sandboxes,
  settledDispatch,
  sideEffects,
  startMutationGateway,
  UPDATE_APPLICATION,
  UPSERT_LOAN,
  withoutId,
} from './mutation-harness.js';

describe('retryDispatch', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    ({ gateway, sandboxes } = await startMutationGateway());
  });
  afterEach(() => {
    for (const { server } of Object.values(sandboxes)) server.clearFaults();
  });
  afterAll(() => gateway.stop());

  const leadBank = () => sandboxes.leadBank.behavior;
  /** An application known on both sides, and an update of it that Lead Bank refused once (a forced 422). */
  const refusedUpdate = async (idempotencyKey?: string) => {
    const id = leadBank().addApplication();
    await seedLead(gateway.db, { application: { status: null, id } });
    sandboxes.leadBank.server.setFaults({ forceStatus: 422, forceCount: 1 });
    const response = await queryData<{ updateApplication: any }>(gateway.api, UPDATE_APPLICATION, {
      input: { applicationId: id, status: 'APPROVED', ...(idempotencyKey !== undefined && { idempotencyKey }) },
    });
    const dispatch = response.updateApplication.dispatch;
    expect(dispatch).toMatchObject({ state: 'FAILED', attempts: 1, lastError: { code: 'REJECTED', httpStatus: 422 } });
    return { id, dispatch };
  };
  const readDispatch = async (id: string) => (await queryData<{ dispatch: any }>(gateway.api, READ_DISPATCH, { id })).dispatch;
  const retry = (id: string, as = gateway.api) => postGraphQL<{ retryDispatch: any }>(as, RETRY_DISPATCH, { id });

  it('sends a FAILED dispatch again with its original idempotency key, and applies what the provider then confirms', async () => {
    const key = freshKey('retry');
    const { id, dispatch } = await refusedUpdate(key);
    const keyAtLeadBank = leadBank().nextInFlight();

    const response = await retry(dispatch.id);

    expect(response.errors).toBeUndefined();
    expect(response.data!.retryDispatch).toMatchObject({
      id: dispatch.id,
      provider: 'LEAD_BANK',
      operation: 'updateApplication',
      state: 'PENDING',
      idempotencyKey: key,
      attempts: 1,
    });
    const settled = await settledDispatch(gateway, dispatch.id);
    expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 2, idempotencyKey: key, lastError: null });
    // The original key: upstream it is the dispatch's id, the same as on the first attempt.
    expect(await keyAtLeadBank).toBe(dispatch.id);
    expect(await readDispatch(dispatch.id)).toMatchObject({ state: 'SUCCEEDED', attempts: 2, idempotencyKey: key, lastError: null });
    // The retried update is applied like a first one: the record, its lead's stage, its history.
    expect(leadBank().appliedUpdates(id)).toBe(1);
    const application = await queryData<{ application: any }>(
      gateway.api,
      `query ($id: ID!) { application(id: $id) { status lead { stage history(first: 1) { provider entityId from to } } } }`,
      { id },
    );
    expect(application.application).toEqual({
      status: 'APPROVED',
      lead: { stage: 'APPROVED', history: [{ provider: 'LEAD_BANK', entityId: id, from: null, to: 'APPROVED' }] },
    });
  });

  it('lets a dispatch refused for a missing upstream record succeed once the record exists (Decision Cloud)', async () => {
    const customerId = `customer_${randomUUID()}`;
    const { leadId } = await seedLead(gateway.db);
    const input = { customerId, loanId: 'loan_1', leadId, decisionCloudLeadId: 9, loanStatus: 'APPROVED', loanAmountCents: 10_000, appliedAt: '2026-11-01T08:00:00.000Z' };
    const first = await queryData<{ upsertLoan: any }>(gateway.api, UPSERT_LOAN, { input });
    expect(first.upsertLoan.dispatch).toMatchObject({ state: 'FAILED', lastError: { code: 'NOT_FOUND', httpStatus: 404 } });

    sandboxes.decisionCloud.behavior.addCustomer(customerId);
    const response = await retry(first.upsertLoan.dispatch.id);

    expect(response.data!.retryDispatch).toMatchObject({ state: 'PENDING', idempotencyKey: first.upsertLoan.dispatch.idempotencyKey });
    expect(await settledDispatch(gateway, first.upsertLoan.dispatch.id)).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    const loan = await queryData<{ loan: any }>(gateway.api, `query ($c: ID!) { loan(customerId: $c, loanId: "loan_1") { loanStatus lead { id stage } } }`, {
      c: customerId,
    });
    expect(loan.loan).toEqual({ loanStatus: 'APPROVED', lead: { id: leadId, stage: 'APPROVED' } });
  });

  it('fails again, with the new refusal, when the provider still refuses', async () => {
    const { dispatch } = await refusedUpdate();
    sandboxes.leadBank.server.setFaults({ forceStatus: 400, forceCount: 1 });
    expect((await retry(dispatch.id)).data!.retryDispatch).toMatchObject({ state: 'PENDING' });
    expect(await settledDispatch(gateway, dispatch.id)).toMatchObject({
      state: 'FAILED',
      attempts: 2,
      lastError: { code: 'REJECTED', httpStatus: 400, message: 'Request failed with status 400' },
    });
  });

  describe('refusals, which change and send nothing', () => {
    /** Retries `id` as `as`, checking that no dispatch changed or was added and no provider was called. */
    const refused = async (id: string, as = gateway.api) => {
      const before = await sideEffects(gateway, sandboxes);
      const dispatch = await readDispatch(id).catch(() => null);
      const response = await retry(id, as);
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
      expect(await readDispatch(id).catch(() => null)).toEqual(dispatch);
      return response;
    };

    it('refuses a SUCCEEDED dispatch with BAD_USER_INPUT on id', async () => {
      const { dispatch } = await refusedUpdate();
      await retry(dispatch.id);
      await settledDispatch(gateway, dispatch.id);
      expectBadUserInput(await refused(dispatch.id), 'id', `id: dispatch ${dispatch.id} is SUCCEEDED; only a FAILED dispatch can be retried`);
    });

    it('refuses a PENDING dispatch with BAD_USER_INPUT on id', async () => {
      const id = leadBank().addApplication();
      await seedLead(gateway.db, { application: { status: null, id } });
      // A 503 asking to come back in an hour keeps the dispatch PENDING for the rest of this file.
      sandboxes.leadBank.server.setFaults({ forceStatus: 503, forceCount: 1, retryAfterSeconds: 3600 });
      const response = await queryData<{ updateApplication: any }>(gateway.api, UPDATE_APPLICATION, { input: { applicationId: id, status: 'APPROVED' } });
      const pending = response.updateApplication.dispatch;
      expect(pending).toMatchObject({ state: 'PENDING', attempts: 1, lastError: { code: 'UNAVAILABLE', httpStatus: 503 } });

      expectBadUserInput(await refused(pending.id), 'id', `id: dispatch ${pending.id} is PENDING; only a FAILED dispatch can be retried`);
    });

    it('answers an operator, and a viewer, with FORBIDDEN: retrying is for admins', async () => {
      const { dispatch } = await refusedUpdate();
      for (const role of ['operator', 'viewer'] as const) {
        const response = await refused(dispatch.id, gateway.as(role));
        expect(response.data).toBeNull();
        expect(response.errors).toEqual([
          expect.objectContaining({
            message: `Mutation.retryDispatch needs the admin role; this credential has ${role}.`,
            extensions: { code: 'FORBIDDEN' },
          }),
        ]);
      }
      expect(await readDispatch(dispatch.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
    });

    it('refuses a malformed id, and an id the gateway does not know', async () => {
      expectBadUserInput(await refused('dispatch-1'), 'id', 'id: expected a UUID, but got "dispatch-1"');
      const unknown = randomUUID();
      expectBadUserInput(await refused(unknown), 'id', `id: no dispatch ${unknown} is known to the gateway`);
    });

    it("answers another tenant's admin about our FAILED dispatch exactly as about an unknown one", async () => {
      const { dispatch } = await refusedUpdate();
      const unknown = randomUUID();
      const aboutOurs = await refused(dispatch.id, gateway.other);
      const aboutNobody = await refused(unknown, gateway.other);
      expectBadUserInput(aboutOurs, 'id');
      expect(withoutId(aboutOurs, dispatch.id)).toEqual(withoutId(aboutNobody, unknown));
      expect(await readDispatch(dispatch.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
    });
  });
});
