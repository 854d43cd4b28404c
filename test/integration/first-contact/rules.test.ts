import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/sandbox.js';
import { type TecalisSandbox } from '../../../src/providers/tecalis/sandbox.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData } from '../../support/graphql-client.js';

/** The rules of first contact (see src/services/record-adoption.ts and the README). */
describe('first contact: the rules', () => {
  let gateway: TestGateway;
  let leadBank: LeadBankSandbox;
  let tecalis: TecalisSandbox;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { DISPATCH_WAIT_MS: '10000' } });
    leadBank = gateway.providers.sandboxes[Provider.LEAD_BANK]!.behavior as LeadBankSandbox;
    tecalis = gateway.providers.sandboxes[Provider.TECALIS]!.behavior as TecalisSandbox;
  });
  afterAll(() => gateway.stop());

  const newLead = async () =>
    (await queryData<{ createLead: { id: string } }>(gateway.api, `mutation { createLead(input: {}) { id } }`)).createLead.id;
  const newApplicationId = () => `application_${randomUUID().replaceAll('-', '')}`;
  const records = async () =>
    Number((await gateway.db.query<Array<{ n: string }>>(`SELECT (SELECT count(*) FROM application) + (SELECT count(*) FROM verification) AS n`))[0]!.n);

  const UPDATE_VERIFICATION = `mutation ($input: UpdateVerificationStatusInput!) { updateVerificationStatus(input: $input) {
    verification { authUuid status syncedAt lead { id stage history(first: 5) { provider from to } } }
    dispatch { id state lastError { code httpStatus message } }
  } }`;
  const UPDATE_APPLICATION = `mutation ($input: UpdateApplicationInput!) { updateApplication(input: $input) {
    application { id status productName syncedAt adverseActionNotice { reason } lead { id stage } }
    dispatch { id state lastError { code httpStatus message } }
  } }`;
  const RETRY = `mutation ($id: ID!) { retryDispatch(id: $id) { id state attempts lastError { message } } }`;
  const dispatchState = async (id: string) =>
    (await queryData<{ dispatch: { state: string } }>(gateway.api, `query ($id: ID!) { dispatch(id: $id) { state } }`, { id })).dispatch.state;

  describe('when the provider says the record does not exist', () => {
    it('Tecalis: the dispatch FAILS with its message; the adopted process stays unconfirmed and the stage does not move; a retry once it exists confirms it', async () => {
      const leadId = await newLead();
      const authUuid = randomUUID(); // exists nowhere, yet
      const refused = await queryData<any>(gateway.api, UPDATE_VERIFICATION, { input: { authUuid, leadId, state: 'OK' } });
      expect(refused.updateVerificationStatus).toEqual({
        verification: { authUuid, status: 'PENDING', syncedAt: null, lead: { id: leadId, stage: 'NEW', history: [] } },
        dispatch: { id: expect.any(String), state: 'FAILED', lastError: { code: 'UNAUTHORIZED', httpStatus: 401, message: 'Not authorized' } },
      });

      // The process appears at Tecalis (the customer opened the widget); the operator retries.
      tecalis.addProcess({ authUuid });
      const dispatchId = refused.updateVerificationStatus.dispatch.id as string;
      const retried = await queryData<any>(gateway.api, RETRY, { id: dispatchId });
      expect(retried.retryDispatch.id).toBe(dispatchId);
      await expect.poll(() => dispatchState(dispatchId), { interval: 50, timeout: 10_000 }).toBe('SUCCEEDED');
      const confirmed = await queryData<any>(
        gateway.api,
        `query ($id: ID!) { verification(authUuid: $id) { status syncedAt lead { stage history(first: 5) { provider from to } } } }`,
        { id: authUuid },
      );
      expect(confirmed.verification).toEqual({
        status: 'OK',
        syncedAt: expect.any(String),
        lead: { stage: 'VERIFIED', history: [{ provider: 'TECALIS', from: null, to: 'OK' }] },
      });
    });

    it('Lead Bank: the dispatch FAILS with its 404 message, and the adopted application stays unconfirmed', async () => {
      const leadId = await newLead();
      const applicationId = newApplicationId();
      const refused = await queryData<any>(gateway.api, UPDATE_APPLICATION, { input: { applicationId, leadId, status: 'APPROVED' } });
      expect(refused.updateApplication.application).toEqual({
        id: applicationId,
        status: null,
        productName: null,
        syncedAt: null,
        adverseActionNotice: null,
        lead: { id: leadId, stage: 'NEW' },
      });
      expect(refused.updateApplication.dispatch).toMatchObject({ state: 'FAILED', lastError: { code: 'NOT_FOUND', httpStatus: 404, message: expect.stringContaining(applicationId) } });
    });
  });

  it('two concurrent first mutations of one application by one tenant make one record, applied in the order Lead Bank applied them', async () => {
    // Several rounds: the race between the two is real, and one round may not show it.
    for (let round = 0; round < 8; round++) {
      const applicationId = leadBank.addApplication();
      const [a, b] = await Promise.all(
        ['First', 'Second'].map((productName) => queryData<any>(gateway.api, UPDATE_APPLICATION, { input: { applicationId, productName } })),
      );
      expect([a.updateApplication.dispatch.state, b.updateApplication.dispatch.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      const rows = await gateway.db.query<Array<{ tenant_id: string; product_name: string }>>(
        `SELECT tenant_id, product_name FROM application WHERE id = $1`,
        [applicationId],
      );
      expect(rows).toHaveLength(1);
      expect(leadBank.appliedUpdates(applicationId)).toBe(2);
      // The local copy is what Lead Bank holds after both.
      expect(rows[0]!.product_name).toBe((leadBank.application(applicationId) as { details?: { product_name?: string } }).details?.product_name);
    }
  });

  it('two tenants racing for one application id: each adopts its own, in its own account, and each call reaches its own account once', async () => {
    const applicationId = leadBank.addApplication();
    // Issue #22: the other tenant's Lead Bank account holds an application of the same id (another lender's).
    const theirAccount = gateway.otherAccounts.LEAD_BANK!.behavior as LeadBankSandbox;
    theirAccount.addApplication({ id: applicationId });
    const responses = await Promise.all(
      [gateway.api, gateway.other].map((caller) => postGraphQL<any>(caller, UPDATE_APPLICATION, { input: { applicationId, productName: 'Race' } })),
    );
    expect(responses.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(leadBank.appliedUpdates(applicationId)).toBe(1);
    expect(theirAccount.appliedUpdates(applicationId)).toBe(1);
  });

  describe('DECLINED on an adopted application', () => {
    it('needs the adverse action notice in the same input: without it, a clear error and nothing adopted or sent', async () => {
      const applicationId = leadBank.addApplication();
      const before = await records();
      const response = await postGraphQL<any>(gateway.api, UPDATE_APPLICATION, { input: { applicationId, status: 'DECLINED' } });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^input\.adverseActionNotice/) });
      expect(await records()).toBe(before);
      expect(leadBank.appliedUpdates(applicationId)).toBe(0);
    });

    it('with the notice in the input, Lead Bank declines it and the lead shows DECLINED', async () => {
      const leadId = await newLead();
      const applicationId = leadBank.addApplication();
      const declined = await queryData<any>(gateway.api, UPDATE_APPLICATION, {
        input: {
          applicationId,
          leadId,
          status: 'DECLINED',
          adverseActionNotice: { deliveredAt: '2026-11-21T12:00:00Z', reason: 'Insufficient income', deliveryMethod: 'email' },
        },
      });
      expect(declined.updateApplication).toMatchObject({
        application: { status: 'DECLINED', syncedAt: expect.any(String), adverseActionNotice: { reason: 'Insufficient income' }, lead: { id: leadId, stage: 'DECLINED' } },
        dispatch: { state: 'SUCCEEDED' },
      });
    });
  });

  it('a lead that already has an application cannot adopt a second one', async () => {
    const leadId = await newLead();
    await queryData(gateway.api, UPDATE_APPLICATION, { input: { applicationId: leadBank.addApplication(), leadId, productName: 'One' } });
    const second = leadBank.addApplication();
    const response = await postGraphQL<any>(gateway.api, UPDATE_APPLICATION, { input: { applicationId: second, leadId, productName: 'Two' } });
    expect(response.errors![0]).toMatchObject({
      message: `input.leadId: lead ${leadId} already has a Lead Bank application`,
      extensions: { code: 'BAD_USER_INPUT', field: 'input.leadId' },
    });
    expect(leadBank.appliedUpdates(second)).toBe(0);
  });
});
