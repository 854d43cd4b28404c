import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type DecisionCloudSandbox } from '../../../src/providers/decisioncloud/sandbox.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/sandbox.js';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { type TecalisSandbox } from '../../../src/providers/tecalis/sandbox.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { type StatusSubscription, type StreamedChange, subscribeToStatusChanges } from '../../support/status-subscription.js';
import { lastChangeId } from '../../support/status-log.js';

/**
 * First contact, end to end, one journey per provider. Each starts from an empty
 * database, with a record that exists only at the provider (as in production: the
 * bank's onboarding flow, Tecalis's widget, the affiliate network made it). Through
 * HTTP and a real WebSocket: the frontend's mutation, the exact request the provider
 * receives, the record stored and linked, the live change, the unified lead, a later
 * provider webhook where the provider has them, and `statusChanged(after:)` replaying
 * the whole journey in order.
 */
const WEBHOOKS = { LEADBANK_WEBHOOK_SECRET: 'first-contact-leadbank-secret' };

const CREATE_LEAD = `mutation ($input: CreateLeadInput!) { createLead(input: $input) { id stage } }`;
const UNIFIED_LEAD = `query ($id: ID!) { lead(id: $id) {
  stage lastEvent techeaLeadId
  application { id status productName syncedAt decision { reason } documents { type kind } }
  verification { authUuid status statusReasons name syncedAt operations { type state } }
  loans { customerId loanId loanStatus loanAmountCents }
} }`;

interface Journey {
  gateway: TestGateway;
  leadId: string;
  live: StatusSubscription;
}

/** A fresh gateway on an empty database, a lead created by the frontend, and a subscriber on it. */
async function startJourney(input: Record<string, unknown> = {}, seed: (gateway: TestGateway) => Record<string, unknown> = () => ({})): Promise<Journey & { seeded: Record<string, unknown> }> {
  const gateway = await startTestGateway({ env: WEBHOOKS });
  expect(await lastChangeId(gateway.db)).toBe('0');
  const seeded = seed(gateway);
  const created = await queryData<{ createLead: { id: string; stage: string } }>(gateway.api, CREATE_LEAD, { input: { ...input, ...seeded } });
  // With `after`, the subscription misses nothing committed after it was asked for: no race with the mutation.
  const live = subscribeToStatusChanges(gateway.api, { after: await lastChangeId(gateway.db), leadId: created.createLead.id });
  return { gateway, leadId: created.createLead.id, live, seeded };
}

/** The journey replayed from the start of the log: the same changes, in the same order, as the live subscriber saw. */
async function expectReplay(journey: Journey, count: number): Promise<StreamedChange[]> {
  const live = await journey.live.untilCount(count);
  const replay = subscribeToStatusChanges(journey.gateway.api, { after: '0', leadId: journey.leadId });
  try {
    expect(await replay.untilCount(count)).toEqual(live.slice(0, count));
  } finally {
    await replay.close();
  }
  return live;
}

const behaviorOf = <T>(gateway: TestGateway, provider: Provider) => gateway.providers.sandboxes[provider]!.behavior as T;
const serverOf = (gateway: TestGateway, provider: Provider): SandboxServer => gateway.providers.sandboxes[provider]!;
const json = (raw: string): unknown => JSON.parse(raw);

describe('first contact: Lead Bank application created by the bank, then updated from the frontend', () => {
  let journey: Journey;
  let applicationId: string;
  beforeAll(async () => {
    const started = await startJourney({ advertiserRef: 'FC-LB' });
    journey = started;
    applicationId = behaviorOf<LeadBankSandbox>(journey.gateway, Provider.LEAD_BANK).addApplication({ details: { product_name: 'Onboarded at the bank' } });
  });
  afterAll(async () => {
    await journey.live.close();
    await journey.gateway.stop();
  });

  it('adopts it, sends Lead Bank the documented PATCH, stores its answer, streams the change, applies a later webhook, and replays it all', async () => {
    const { gateway, leadId } = journey;
    const result = await queryData<any>(
      gateway.as('operator'),
      `mutation ($input: UpdateApplicationInput!) { updateApplication(input: $input) {
        application { id status productName syncedAt entities { accountHolderType accountHolders authorizedSigners } lead { id } }
        dispatch { id state idempotencyKey lastError { message } }
      } }`,
      {
        input: {
          applicationId,
          leadId,
          status: 'APPROVED',
          decision: { decidedAt: '2026-11-20T10:00:00Z', reason: 'Meets the policy' },
          documents: [{ type: 'offer_summary', displayedAt: '2026-11-20T09:59:00Z' }],
        },
      },
    );
    const { application, dispatch } = result.updateApplication;
    expect(dispatch).toMatchObject({ state: 'SUCCEEDED', lastError: null });
    // Lead Bank's answer is the whole application: the product name the gateway never sent is now stored.
    const upstream = behaviorOf<LeadBankSandbox>(gateway, Provider.LEAD_BANK).application(applicationId) as {
      entities: { account_holder_type: string; account_holders: string[]; authorized_signers: string[] };
    };
    expect(application).toEqual({
      id: applicationId,
      status: 'APPROVED',
      productName: 'Onboarded at the bank',
      syncedAt: expect.any(String),
      // Read-only at Lead Bank, reachable here.
      entities: {
        accountHolderType: upstream.entities.account_holder_type,
        accountHolders: upstream.entities.account_holders,
        authorizedSigners: upstream.entities.authorized_signers,
      },
      lead: { id: leadId },
    });

    const patches = serverOf(gateway, Provider.LEAD_BANK).requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ path: `/v0/applications/${applicationId}` });
    expect(patches[0]!.headers.authorization).toMatch(/^Bearer \S+$/);
    // The dispatch's id: unique across tenants, the same on every attempt (README, "Security").
    expect(patches[0]!.headers['idempotency-key']).toBe(dispatch.id);
    expect(json(patches[0]!.rawBody)).toEqual({
      status: 'approved',
      decision: { decided_at: '2026-11-20T10:00:00.000Z', reason: 'Meets the policy' },
      documents: [{ type: 'offer_summary', displayed_at: '2026-11-20T09:59:00.000Z' }],
    });

    const [approved] = await journey.live.untilCount(1);
    expect(approved).toMatchObject({ leadId, provider: 'LEAD_BANK', entityId: applicationId, from: null, to: 'APPROVED' });
    expect((await queryData<any>(gateway.api, UNIFIED_LEAD, { id: leadId })).lead).toMatchObject({
      stage: 'APPROVED',
      application: {
        id: applicationId,
        status: 'APPROVED',
        productName: 'Onboarded at the bank',
        decision: { reason: 'Meets the policy' },
        documents: [{ type: 'offer_summary', kind: 'OFFER_SUMMARY' }],
      },
    });

    // Later, the bank cancels it on its side: the signed webhook reaches the gateway.
    const change = await fetch(new URL(`/__sandbox/applications/${applicationId}`, serverOf(gateway, Provider.LEAD_BANK).baseUrl), {
      method: 'POST',
      body: JSON.stringify({ status: 'canceled' }),
    });
    expect(change.status).toBe(200);
    const [, canceled] = await journey.live.untilCount(2);
    expect(canceled).toMatchObject({ provider: 'LEAD_BANK', entityId: applicationId, from: 'APPROVED', to: 'CANCELED' });
    expect((await queryData<any>(gateway.api, UNIFIED_LEAD, { id: leadId })).lead).toMatchObject({ stage: 'CANCELED', application: { status: 'CANCELED' } });

    await expectReplay(journey, 2);
  });
});

describe('first contact: Tecalis process created by its own widget, then decided from the frontend', () => {
  let journey: Journey;
  let authUuid: string;
  beforeAll(async () => {
    journey = await startJourney();
    authUuid = behaviorOf<TecalisSandbox>(journey.gateway, Provider.TECALIS).addProcess({ name: 'Ana García', operationStates: { DOCUMENTS: 'OK' } });
  });
  afterAll(async () => {
    await journey.live.close();
    await journey.gateway.stop();
  });

  it('adopts it, sends Tecalis the documented PATCH, stores its answer, streams the change, applies a later callback, and replays it all', async () => {
    const { gateway, leadId } = journey;
    const result = await queryData<any>(
      gateway.as('operator'),
      `mutation ($input: UpdateVerificationStatusInput!) { updateVerificationStatus(input: $input) {
        verification { authUuid status statusReasons name syncedAt lead { id } } dispatch { state lastError { message } }
      } }`,
      { input: { authUuid, leadId, state: 'KO', reasons: 'Selfie does not match' } },
    );
    expect(result.updateVerificationStatus).toEqual({
      verification: { authUuid, status: 'KO', statusReasons: 'Selfie does not match', name: 'Ana García', syncedAt: expect.any(String), lead: { id: leadId } },
      dispatch: { state: 'SUCCEEDED', lastError: null },
    });

    const tecalis = behaviorOf<TecalisSandbox>(gateway, Provider.TECALIS);
    const patches = serverOf(gateway, Provider.TECALIS).requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual(['/customer/status']);
    expect(json(patches[0]!.rawBody)).toEqual({ auth_uuid: authUuid, api_key: tecalis.credentials.apiKey, state: 'KO', reasons: 'Selfie does not match' });

    const [failed] = await journey.live.untilCount(1);
    expect(failed).toMatchObject({ leadId, provider: 'TECALIS', entityId: authUuid, from: null, to: 'KO' });
    expect((await queryData<any>(gateway.api, UNIFIED_LEAD, { id: leadId })).lead).toMatchObject({
      stage: 'VERIFICATION_FAILED',
      verification: { authUuid, status: 'KO', name: 'Ana García', operations: expect.arrayContaining([{ type: 'DOCUMENTS', state: 'OK' }]) },
    });

    // The process's callback URL, given to Tecalis (here: handed to the built-in sandbox by the gateway).
    const issued = await queryData<any>(gateway.as('operator'), `mutation ($id: ID!) { issueVerificationCallback(authUuid: $id) { callbackUrl } }`, { id: authUuid });
    expect(tecalis.processOf(authUuid)).toMatchObject({ callback: issued.issueVerificationCallback.callbackUrl });
    // Later, an agent at Tecalis accepts a new selfie: the callback reaches the gateway through that URL.
    const change = await fetch(new URL(`/__sandbox/processes/${authUuid}`, serverOf(gateway, Provider.TECALIS).baseUrl), {
      method: 'POST',
      body: JSON.stringify({ status: 'OK', reasons: 'Second selfie matches' }),
    });
    expect(change.status).toBe(200);
    const [, ok] = await journey.live.untilCount(2);
    expect(ok).toMatchObject({ provider: 'TECALIS', entityId: authUuid, from: 'KO', to: 'OK' });
    expect((await queryData<any>(gateway.api, UNIFIED_LEAD, { id: leadId })).lead).toMatchObject({
      stage: 'VERIFIED',
      verification: { status: 'OK', statusReasons: 'Second selfie matches' },
    });

    await expectReplay(journey, 2);
  });
});

describe('first contact: TECHEA lead submitted by a publisher, known to the gateway only from createLead', () => {
  let journey: Journey & { seeded: Record<string, unknown> };
  beforeAll(async () => {
    journey = await startJourney({}, (gateway) => ({ techeaLeadId: behaviorOf<TecheaSandbox>(gateway, Provider.TECHEA).addLead() }));
  });
  afterAll(async () => {
    await journey.live.close();
    await journey.gateway.stop();
  });

  it('reports events to TECHEA with the documented PATCH, streams them, and replays them', async () => {
    const { gateway, leadId } = journey;
    const techeaLeadId = journey.seeded.techeaLeadId as string;
    const report = (event: string) =>
      queryData<any>(
        gateway.as('operator'),
        `mutation ($input: ReportLeadEventInput!) { reportLeadEvent(input: $input) { outcome lead { stage lastEvent advertiserRef } dispatch { state } } }`,
        { input: { leadId, event, advertiserRef: 'ADV-77' } },
      );
    expect((await report('REGISTRATION')).reportLeadEvent).toMatchObject({ outcome: 'RECEIVED', lead: { stage: 'REGISTERED', lastEvent: 'REGISTRATION' }, dispatch: { state: 'SUCCEEDED' } });
    expect((await report('LOAN_ISSUED')).reportLeadEvent).toMatchObject({ outcome: 'RECEIVED', lead: { lastEvent: 'LOAN_ISSUED' }, dispatch: { state: 'SUCCEEDED' } });

    const techea = behaviorOf<TecheaSandbox>(gateway, Provider.TECHEA);
    const patches = serverOf(gateway, Provider.TECHEA).requests.filter((r) => r.method === 'PATCH');
    // The tenant base URL is `https://{tenant}.techea.eu/api/v1`; the sandbox serves the same path.
    expect(patches.map((r) => r.path)).toEqual([`/api/v1/lead/${techeaLeadId}/status`, `/api/v1/lead/${techeaLeadId}/status`]);
    expect(patches[0]!.headers.apikey).toBe(techea.credentials.advertiserKey);
    expect(patches.map((r) => json(r.rawBody))).toEqual([
      { event: 'registration', advertiser_ref: 'ADV-77' },
      { event: 'loan_issued', advertiser_ref: 'ADV-77' },
    ]);

    const changes = await journey.live.untilCount(2);
    expect(changes.map((c) => [c.provider, c.entityId, c.from, c.to])).toEqual([
      ['TECHEA', techeaLeadId, null, 'REGISTRATION'],
      ['TECHEA', techeaLeadId, 'REGISTRATION', 'LOAN_ISSUED'],
    ]);
    await expectReplay(journey, 2);
  });
});

describe('first contact: Decision Cloud customer and loan the gateway has never seen', () => {
  let journey: Journey & { seeded: Record<string, unknown> };
  beforeAll(async () => {
    journey = await startJourney({}, (gateway) => ({ decisionCloudCustomerId: behaviorOf<DecisionCloudSandbox>(gateway, Provider.DECISION_CLOUD).addCustomer() }));
  });
  afterAll(async () => {
    await journey.live.close();
    await journey.gateway.stop();
  });

  it('reports the loan with the documented POST, stores Decision Cloud’s answer on the lead, streams it, and replays it', async () => {
    const { gateway, leadId } = journey;
    const customerId = journey.seeded.decisionCloudCustomerId as string;
    const loanId = `loan-${randomUUID()}`;
    const upsert = (loanStatus: string) =>
      queryData<any>(
        gateway.as('operator'),
        `mutation ($input: UpsertLoanInput!) { upsertLoan(input: $input) { loan { customerId loanId loanStatus lead { id } } dispatch { state } } }`,
        { input: { customerId, loanId, managementSystemId: 7, loanType: 'INSTALLMENT', loanStatus, loanAmountCents: 150000, appliedAt: '2026-11-02T08:30:00Z' } },
      );
    expect((await upsert('ORIGINATED')).upsertLoan).toEqual({
      loan: { customerId, loanId, loanStatus: 'ORIGINATED', lead: { id: leadId } },
      dispatch: { state: 'SUCCEEDED' },
    });
    expect((await upsert('PAID_IN_FULL')).upsertLoan.loan.loanStatus).toBe('PAID_IN_FULL');

    const posts = serverOf(gateway, Provider.DECISION_CLOUD).requests.filter((r) => r.path.includes('/loan-performance/'));
    expect(posts.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v1/loan-performance/customers/${customerId}/loans`,
      `POST /api/v1/loan-performance/customers/${customerId}/loans`,
    ]);
    expect(posts[0]!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(json(posts[0]!.rawBody)).toEqual({
      loan_id: loanId,
      management_system_id: 7,
      loan_type: 'Installment',
      loan_status: 'Originated',
      loan_amount: 150000,
      applied_at: '2026-11-02T08:30:00Z',
    });

    const changes = await journey.live.untilCount(2);
    expect(changes.map((c) => [c.provider, c.entityId, c.from, c.to])).toEqual([
      ['DECISION_CLOUD', loanId, null, 'ORIGINATED'],
      ['DECISION_CLOUD', loanId, 'ORIGINATED', 'PAID_IN_FULL'],
    ]);
    expect((await queryData<any>(gateway.api, UNIFIED_LEAD, { id: leadId })).lead).toMatchObject({
      stage: 'LOAN_PAID',
      loans: [{ customerId, loanId, loanStatus: 'PAID_IN_FULL', loanAmountCents: 150000 }],
    });
    await expectReplay(journey, 2);
  });
});
