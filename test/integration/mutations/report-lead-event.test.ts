import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedLead } from '../../support/fixtures.js';
import { OTHER_TENANT, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData } from '../../support/graphql-client.js';
import {
  expectBadUserInput,
  READ_DISPATCH,
  READ_LEAD,
  REPORT_LEAD_EVENT,
  type Sandboxes,
  settledDispatch,
  sideEffects,
  startMutationGateway,
  withoutId,
} from './mutation-harness.js';

describe('reportLeadEvent (TECHEA)', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    ({ gateway, sandboxes } = await startMutationGateway());
  });
  afterEach(() => sandboxes.techea.server.clearFaults());
  afterAll(() => gateway.stop());

  /** A lead that came from TECHEA and that TECHEA knows. */
  const techeaLead = async () => seedLead(gateway.db, { techeaLeadId: sandboxes.techea.behavior.addLead() });
  const readLead = async (id: string) => (await queryData<{ lead: any }>(gateway.api, READ_LEAD, { id })).lead;
  const receivedFor = (techeaLeadId: string) => sandboxes.techea.behavior.received.filter((r) => r.leadId === techeaLeadId);

  describe('when TECHEA accepts', () => {
    it('records the event TECHEA received, and the lead takes it as its last event, its stage and a history entry', async () => {
      const seeded = await techeaLead();
      const response = await queryData<{ reportLeadEvent: any }>(gateway.as('operator'), REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION', advertiserRef: 'ADV-2026-1', metadata: { campaign: 'spring' } },
      });

      const { outcome, lead, dispatch } = response.reportLeadEvent;
      expect(outcome).toBe('RECEIVED');
      expect(dispatch).toMatchObject({
        provider: 'TECHEA',
        operation: 'reportLeadEvent',
        state: 'SUCCEEDED',
        attempts: 1,
        lastError: null,
        idempotencyKey: expect.any(String),
      });
      expect(lead).toMatchObject({ id: seeded.leadId, techeaLeadId: seeded.techeaLeadId, lastEvent: 'REGISTRATION', stage: 'REGISTERED' });
      expect(lead.history).toEqual([{ provider: 'TECHEA', entityId: seeded.techeaLeadId, from: null, to: 'REGISTRATION' }]);

      // TECHEA got the event in its own words, with the advertiser's reference and metadata.
      expect(receivedFor(seeded.techeaLeadId!)).toEqual([
        { leadId: seeded.techeaLeadId, event: 'registration', advertiserRef: 'ADV-2026-1', metadata: { campaign: 'spring' } },
      ]);
      // The stored dispatch says the same as the mutation's answer.
      const stored = await queryData<{ dispatch: any }>(gateway.api, READ_DISPATCH, { id: dispatch.id });
      expect(stored.dispatch).toEqual(dispatch);
    });

    it('moves the lead on with each later event, one history entry per move', async () => {
      const seeded = await techeaLead();
      for (const event of ['REGISTRATION', 'LOAN_ISSUED']) {
        await queryData(gateway.api, REPORT_LEAD_EVENT, { input: { leadId: seeded.leadId, event } });
      }
      expect(await readLead(seeded.leadId)).toEqual({
        id: seeded.leadId,
        stage: 'LOAN_ISSUED',
        lastEvent: 'LOAN_ISSUED',
        history: [
          { provider: 'TECHEA', entityId: seeded.techeaLeadId, from: 'REGISTRATION', to: 'LOAN_ISSUED' },
          { provider: 'TECHEA', entityId: seeded.techeaLeadId, from: null, to: 'REGISTRATION' },
        ],
      });
    });

    it('answers a duplicate event with outcome IGNORED: TECHEA records it once and the lead does not move', async () => {
      const seeded = await techeaLead();
      const first = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION' },
      });
      // No idempotency key: a second, separate dispatch, which TECHEA itself recognises as a duplicate.
      const second = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION' },
      });

      expect(first.reportLeadEvent.outcome).toBe('RECEIVED');
      expect(second.reportLeadEvent.outcome).toBe('IGNORED');
      expect(second.reportLeadEvent.dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1, lastError: null });
      expect(second.reportLeadEvent.dispatch.id).not.toBe(first.reportLeadEvent.dispatch.id);
      expect(receivedFor(seeded.techeaLeadId!)).toHaveLength(1);
      expect(second.reportLeadEvent.lead).toMatchObject({ lastEvent: 'REGISTRATION', stage: 'REGISTERED' });
      expect(second.reportLeadEvent.lead.history).toEqual([{ provider: 'TECHEA', entityId: seeded.techeaLeadId, from: null, to: 'REGISTRATION' }]);
    });

    // BUG (src/dispatch/apply-result.ts, case 'reportLeadEvent'): an IGNORED outcome is applied
    // like a RECEIVED one, so re-reporting an older event that TECHEA already has overwrites the
    // lead's lastEvent with it. The contract defines lastEvent as "the last event accepted by
    // TECHEA"; TECHEA accepted nothing new, yet the lead goes back from LOAN_ISSUED to
    // REGISTERED and a LOAN_ISSUED → REGISTRATION status change is logged.
    it('keeps the last accepted event when TECHEA ignores a duplicate of an earlier one', async () => {
      const seeded = await techeaLead();
      for (const event of ['REGISTRATION', 'LOAN_ISSUED']) {
        await queryData(gateway.api, REPORT_LEAD_EVENT, { input: { leadId: seeded.leadId, event } });
      }
      const before = await readLead(seeded.leadId);

      const duplicate = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION' },
      });

      expect(duplicate.reportLeadEvent.outcome).toBe('IGNORED');
      expect(await readLead(seeded.leadId)).toEqual(before);
    });
  });

  describe('when TECHEA refuses', () => {
    it('fails at once with the message TECHEA gave for a 422, and leaves the lead as it was', async () => {
      const seeded = await techeaLead();
      const before = await readLead(seeded.leadId);
      sandboxes.techea.server.setFaults({ forceStatus: 422, forceCount: 1 });

      const response = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION' },
      });

      const { dispatch, outcome, lead } = response.reportLeadEvent;
      expect(outcome).toBeNull();
      expect(dispatch).toMatchObject({
        state: 'FAILED',
        attempts: 1,
        lastError: { code: 'REJECTED', httpStatus: 422, message: 'Request failed with status 422' },
      });
      // A refusal is final: the dispatcher does not try again.
      expect(await settledDispatch(gateway, dispatch.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
      expect(lead).toMatchObject({ lastEvent: null, stage: 'NEW', history: [] });
      expect(await readLead(seeded.leadId)).toEqual(before);
      expect(receivedFor(seeded.techeaLeadId!)).toEqual([]);
    });

    it('fails at once with NOT_FOUND when TECHEA does not know the lead the gateway has', async () => {
      // Known to the gateway with a TECHEA id, but never submitted to this TECHEA.
      const stranger = randomUUID();
      const seeded = await seedLead(gateway.db, { techeaLeadId: stranger });

      const response = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
        input: { leadId: seeded.leadId, event: 'REGISTRATION' },
      });

      expect(response.reportLeadEvent.dispatch).toMatchObject({
        state: 'FAILED',
        attempts: 1,
        lastError: { code: 'NOT_FOUND', httpStatus: 404, message: `Lead ${stranger} not found` },
      });
      expect(response.reportLeadEvent.outcome).toBeNull();
      expect(await readLead(seeded.leadId)).toMatchObject({ lastEvent: null, stage: 'NEW', history: [] });
    });
  });

  describe('input checks, before anything is written or sent', () => {
    /** Posts the mutation and checks that no dispatch was recorded and no provider was called. */
    const refused = async (input: Record<string, unknown>) => {
      const before = await sideEffects(gateway, sandboxes);
      const response = await postGraphQL(gateway.api, REPORT_LEAD_EVENT, { input });
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
      return response;
    };

    it('refuses a malformed lead id', async () => {
      expectBadUserInput(await refused({ leadId: 'lead-1', event: 'REGISTRATION' }), 'input.leadId', 'input.leadId: expected a UUID, but got "lead-1"');
    });

    it('refuses a lead id the gateway does not know', async () => {
      const unknown = randomUUID();
      expectBadUserInput(
        await refused({ leadId: unknown, event: 'REGISTRATION' }),
        'input.leadId',
        `input.leadId: no lead ${unknown} is known to the gateway`,
      );
    });

    it("answers another tenant's lead exactly as an unknown one", async () => {
      const theirs = await seedLead(gateway.db, { techeaLeadId: sandboxes.techea.behavior.addLead() }, OTHER_TENANT);
      const unknown = randomUUID();
      const aboutTheirs = await refused({ leadId: theirs.leadId, event: 'REGISTRATION' });
      const aboutNobody = await refused({ leadId: unknown, event: 'REGISTRATION' });
      expectBadUserInput(aboutTheirs, 'input.leadId');
      expect(withoutId(aboutTheirs, theirs.leadId)).toEqual(withoutId(aboutNobody, unknown));
      expect(receivedFor(theirs.techeaLeadId!)).toEqual([]);
    });

    it('refuses a lead that did not come from TECHEA', async () => {
      const created = await queryData<{ createLead: { id: string } }>(
        gateway.api,
        `mutation { createLead(input: { advertiserRef: "walk-in" }) { id } }`,
      );
      const id = created.createLead.id;
      expectBadUserInput(
        await refused({ leadId: id, event: 'REGISTRATION' }),
        'input.leadId',
        `input.leadId: lead ${id} did not come from TECHEA (it has no TECHEA lead id)`,
      );
    });

    it('refuses an idempotency key over 255 characters, or an empty one', async () => {
      const seeded = await techeaLead();
      expectBadUserInput(
        await refused({ leadId: seeded.leadId, event: 'REGISTRATION', idempotencyKey: 'k'.repeat(256) }),
        'input.idempotencyKey',
        'input.idempotencyKey: expected at most 255 characters, but got 256',
      );
      expectBadUserInput(await refused({ leadId: seeded.leadId, event: 'REGISTRATION', idempotencyKey: '' }), 'input.idempotencyKey');
    });

    it('refuses an advertiser reference over 255 characters', async () => {
      const seeded = await techeaLead();
      expectBadUserInput(
        await refused({ leadId: seeded.leadId, event: 'REGISTRATION', advertiserRef: 'r'.repeat(256) }),
        'input.advertiserRef',
        'input.advertiserRef: expected at most 255 characters, but got 256',
      );
    });

    it('refuses an unknown event in variables with BAD_USER_INPUT, naming the value and where it is', async () => {
      const seeded = await techeaLead();
      const response = await refused({ leadId: seeded.leadId, event: 'LOAN_APPROVED' });
      // graphql-js rejects the variable before any resolver runs: Apollo answers 400, with the
      // path inside the variable in the message and no `field` extension (that one is the gateway's).
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
      expect(response.errors![0]!.message).toContain('"LOAN_APPROVED"');
      expect(response.errors![0]!.message).toContain('"input.event"');
    });

    it('refuses an unknown event written inline in the document with GRAPHQL_VALIDATION_FAILED', async () => {
      const seeded = await techeaLead();
      const before = await sideEffects(gateway, sandboxes);
      const response = await postGraphQL(
        gateway.api,
        `mutation { reportLeadEvent(input: { leadId: "${seeded.leadId}", event: LOAN_APPROVED }) { outcome } }`,
      );
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(response.errors![0]!.message).toContain('LOAN_APPROVED');
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
    });
  });
});
