import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_FIRST_PARAMETER } from '../../../src/dispatch/record-guard.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/sandbox.js';
import { type SandboxBehavior } from '../../../src/providers/sandbox/sandbox-server.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { LeadStore } from '../../../src/services/lead-store.js';
import { RecordStore } from '../../../src/services/record-store.js';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { postGraphQL } from '../../support/graphql-client.js';
import { SqlCounter } from '../../support/sql-counter.js';

const UPDATE_APPLICATION = `mutation ($i: UpdateApplicationInput!) {
  updateApplication(input: $i) { application { id productName lead { id } } dispatch { id state attempts } }
}`;

/**
 * A dispatching mutation about a record the tenant holds reads that record in the
 * statement that writes its dispatch (`dispatch/record-guard.ts`); every other case
 * takes the full path, as before.
 */
describe('the record read with the dispatch it is written for', () => {
  const sql = new SqlCounter();
  let gateway: TestGateway;
  let leadBank: LeadBankSandbox;

  beforeAll(async () => {
    // As in n-plus-one.test.ts: no poller statements, and the key checked once for the whole file.
    gateway = await startTestGateway({ sqlLogger: sql, apiKeyClock: () => 0, env: { DISPATCH_POLL_MS: '3600000' } });
    leadBank = gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox;
    await postGraphQL(gateway.api, '{ leads(first: 1) { totalCount } }');
  });
  afterAll(() => gateway.stop());

  /**
   * Runs `send`; answers with its result the statements sent before `sandbox` received
   * its first PATCH (the mutation's writes before its provider call).
   */
  const beforeFirstPatch = async <T>(sandbox: SandboxBehavior, send: () => Promise<T>): Promise<{ response: T; beforeCall: string[] | undefined }> => {
    const handle = sandbox.handle.bind(sandbox);
    let beforeCall: string[] | undefined;
    sandbox.handle = (request) => {
      if (request.method === 'PATCH') {
        sandbox.handle = handle;
        beforeCall = [...sql.statements];
      }
      return handle(request);
    };
    sql.reset();
    try {
      return { response: await send(), beforeCall };
    } finally {
      sandbox.handle = handle;
    }
  };

  /**
   * Sends the mutation (see {@link beforeFirstPatch}), and returns once Lead Bank's
   * webhook about the change has been handled: its statements, which run beside the
   * mutation's, are then over.
   */
  const update = async (input: Record<string, unknown>) => {
    const webhookHandled = once(leadBank.events, 'webhook-sent');
    const sent = await beforeFirstPatch(leadBank, () =>
      postGraphQL<{ updateApplication: { application: { id: string; productName: string | null; lead: { id: string } | null }; dispatch: { state: string } } }>(
        gateway.api,
        UPDATE_APPLICATION,
        { i: input },
      ),
    );
    if (sent.beforeCall !== undefined) await webhookHandled;
    return sent;
  };
  const dispatchesOf = async (applicationId: string) =>
    (await gateway.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM dispatch WHERE payload->>'applicationId' = $1`, [applicationId]))[0]!.n;

  it('updateApplication on a held application: one statement before the call, the guarded write', async () => {
    const id = leadBank.addApplication();
    const { leadId } = await seedLead(gateway.db, { application: { status: null, id } });
    const { response, beforeCall } = await update({ applicationId: id, productName: 'Guarded' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.updateApplication).toMatchObject({ application: { id, productName: 'Guarded', lead: { id: leadId } }, dispatch: { state: 'SUCCEEDED' } });
    expect(beforeCall).toHaveLength(1);
    expect(beforeCall![0]).toMatch(/^WITH guard AS \(SELECT a\.lead_id/);
    expect(await dispatchesOf(id)).toBe(1);
  });

  it('an application the tenant does not hold: the guard writes nothing, and it is adopted on first contact', async () => {
    const id = leadBank.addApplication();
    const { response, beforeCall } = await update({ applicationId: id, productName: 'First contact' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.updateApplication).toMatchObject({ application: { id, productName: 'First contact', lead: null }, dispatch: { state: 'SUCCEEDED' } });
    expect(beforeCall![0]).toMatch(/^WITH guard AS/);
    // The guarded write that found nothing, then the full path's own write.
    expect(beforeCall!.filter((statement) => statement.includes('INSERT INTO dispatch'))).toHaveLength(2);
    expect(await dispatchesOf(id)).toBe(1);
  });

  it('an application linked to another lead than the one asked for: nothing written, the full check says why', async () => {
    const id = leadBank.addApplication();
    await seedLead(gateway.db, { application: { status: null, id } });
    const other = await seedLead(gateway.db);
    const { response } = await update({ applicationId: id, leadId: other.leadId, productName: 'Refused' });
    expect(response.errors?.[0]).toMatchObject({
      message: `input.leadId: application ${id} is already linked to another lead`,
      extensions: { code: 'BAD_USER_INPUT', field: 'input.leadId' },
    });
    expect(await dispatchesOf(id)).toBe(0);
    expect(leadBank.appliedUpdates(id)).toBe(0);
  });

  it('hands back the application exactly as the store reads it', async () => {
    const id = leadBank.addApplication();
    await seedLead(gateway.db, { application: { status: null, id } });
    const records = new RecordStore(gateway.db);
    const guard = records.applicationGuard(DEFAULT_TENANT, id, null);
    // The guard's text on its own: its parameters renumbered from $1.
    const alone = guard.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) - GUARD_FIRST_PARAMETER + 1}`);
    const [row] = await gateway.db.query<Array<{ record: string; fits: boolean }>>(alone, [...guard.parameters]);
    expect(row!.fits).toBe(true);
    expect(records.guardedApplication(row!.record)).toEqual(await records.findApplication(DEFAULT_TENANT, id));
  });

  it('answers the dispatch, as written and as settled, exactly as it is stored', async () => {
    const id = leadBank.addApplication();
    const { leadId } = await seedLead(gateway.db, { application: { status: null, id } });
    const command = { operation: 'updateApplication' as const, applicationId: id, productName: 'As stored' };
    const intent = { tenantId: DEFAULT_TENANT, provider: Provider.LEAD_BANK, command, leadId: null, idempotencyKey: undefined, requestHash: requestHash(command) };
    // Lead Bank's webhook about the change is handled before the test ends: its statements must not reach the next test's count.
    const webhookHandled = once(leadBank.events, 'webhook-sent');
    const { dispatch, guarded } = await gateway.dispatcher.submitGuarded(intent, new RecordStore(gateway.db).applicationGuard(DEFAULT_TENANT, id, null));
    await webhookHandled;
    expect(guarded.found).toBe(true);
    expect(dispatch).toMatchObject({ state: 'SUCCEEDED', leadId, attempts: 1 });
    expect(dispatch).toEqual(await gateway.dispatcher.outbox.find(DEFAULT_TENANT, dispatch!.id));

    // As written, claimed, before any attempt (the outbox alone: nothing sends it).
    const again = { ...command, productName: 'Written' };
    const written = await gateway.dispatcher.outbox.record(
      { ...intent, command: again, requestHash: requestHash(again) },
      { maxAttempts: 3, leaseMs: 60_000, claim: true, runAt: new Date() },
    );
    expect(written.dispatch.lockToken).not.toBeNull();
    expect(written.dispatch).toEqual(await gateway.dispatcher.outbox.find(DEFAULT_TENANT, written.dispatch.id));
  });

  describe('reportLeadEvent', () => {
    const REPORT = `mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { outcome lead { id } dispatch { id state } } }`;
    const techea = () => gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;

    /** Sends the mutation (see {@link beforeFirstPatch}). */
    const report = (input: Record<string, unknown>) =>
      beforeFirstPatch(techea(), () =>
        postGraphQL<{ reportLeadEvent: { outcome: string | null; dispatch: { id: string; state: string } } }>(gateway.api, REPORT, { i: input }),
      );
    const dispatchesAbout = async (leadId: string) =>
      (await gateway.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM dispatch WHERE lead_id = $1`, [leadId]))[0]!.n;

    it('a lead from TECHEA: one statement before the call, whose command takes the TECHEA lead id from the lead', async () => {
      const techeaLeadId = techea().addLead();
      const { leadId } = await seedLead(gateway.db, { techeaLeadId });
      const { response, beforeCall } = await report({ leadId, event: 'REGISTRATION' });
      expect(response.errors).toBeUndefined();
      expect(response.data!.reportLeadEvent).toMatchObject({ outcome: 'RECEIVED', dispatch: { state: 'SUCCEEDED' } });
      expect(beforeCall).toHaveLength(1);
      expect(beforeCall![0]).toMatch(/^WITH guard AS \(SELECT l\.id AS lead_id/);
      const [stored] = await gateway.db.query<Array<{ payload: Record<string, unknown> }>>(`SELECT payload FROM dispatch WHERE id = $1`, [response.data!.reportLeadEvent.dispatch.id]);
      expect(stored!.payload).toEqual({ operation: 'reportLeadEvent', techeaLeadId, event: 'REGISTRATION' });
    });

    it('a lead not from TECHEA, and an unknown one: nothing written, the full check says why', async () => {
      const { leadId } = await seedLead(gateway.db);
      await gateway.db.query(`UPDATE lead SET techea_lead_id = NULL WHERE id = $1`, [leadId]);
      const notFromTechea = await report({ leadId, event: 'REGISTRATION' });
      expect(notFromTechea.response.errors?.[0]).toMatchObject({
        message: `input.leadId: lead ${leadId} did not come from TECHEA (it has no TECHEA lead id)`,
        extensions: { code: 'BAD_USER_INPUT', field: 'input.leadId' },
      });
      expect(await dispatchesAbout(leadId)).toBe(0);
      const unknown = randomUUID();
      const { response } = await report({ leadId: unknown, event: 'REGISTRATION' });
      expect(response.errors?.[0]).toMatchObject({ message: `input.leadId: no lead ${unknown} is known to the gateway`, extensions: { field: 'input.leadId' } });
      expect(await dispatchesAbout(unknown)).toBe(0);
    });

    it('hands back the lead exactly as the store reads it, its bigint seq a string', async () => {
      const { leadId } = await seedLead(gateway.db, { techeaLeadId: techea().addLead() });
      const leads = new LeadStore(gateway.db);
      const guard = leads.techeaGuard(DEFAULT_TENANT, leadId);
      const alone = guard.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) - GUARD_FIRST_PARAMETER + 1}`);
      const [row] = await gateway.db.query<Array<{ record: string; fits: boolean; payload: unknown }>>(alone, [...guard.parameters]);
      const lead = leads.guardedLead(row!.record);
      expect(typeof lead.seq).toBe('string');
      expect(lead).toEqual(await leads.findById(DEFAULT_TENANT, leadId));
      expect(row!.payload).toEqual({ techeaLeadId: lead.techeaLeadId });
    });
  });
});
