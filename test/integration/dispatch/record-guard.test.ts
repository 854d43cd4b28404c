import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_FIRST_PARAMETER } from '../../../src/dispatch/record-guard.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/sandbox.js';
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
   * Sends the mutation; answers with it the statements sent before Lead Bank's PATCH
   * arrived (the write before the call), once Lead Bank's webhook about the change
   * has been handled: its statements, which run beside the mutation's, are then over.
   */
  const update = async (input: Record<string, unknown>) => {
    const handle = leadBank.handle.bind(leadBank);
    let beforeCall: string[] | undefined;
    leadBank.handle = (request) => {
      if (request.method === 'PATCH') {
        leadBank.handle = handle;
        beforeCall = [...sql.statements];
      }
      return handle(request);
    };
    const webhookHandled = once(leadBank.events, 'webhook-sent');
    sql.reset();
    const response = await postGraphQL<{ updateApplication: { application: { id: string; productName: string | null; lead: { id: string } | null }; dispatch: { state: string } } }>(
      gateway.api,
      UPDATE_APPLICATION,
      { i: input },
    );
    leadBank.handle = handle;
    if (beforeCall !== undefined) await webhookHandled;
    return { response, beforeCall };
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
    const { dispatch, guarded } = await gateway.dispatcher.submitGuarded(intent, new RecordStore(gateway.db).applicationGuard(DEFAULT_TENANT, id, null));
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
});
