import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeadBankSandbox } from '../../src/providers/leadbank/sandbox.js';
import { signLeadBankWebhook } from '../../src/providers/leadbank/webhook.js';
import { seedLead, type SeededLead } from '../support/fixtures.js';
import { OTHER_TENANT, type TestGateway, startTestGateway } from '../support/gateway.js';
import { LEAD_BANK } from '../../src/providers/leadbank/index.js';
import { queryData } from '../support/graphql-client.js';
import { executeOverWebSocket } from '../support/ws-client.js';

const SECRET = 'leadbank-webhook-secret-for-tests';

/** Lead Bank's webhooks. Tecalis's callbacks have their own file: `tecalis-callbacks.test.ts`. */
describe('provider webhooks', () => {
  let gateway: TestGateway;
  let leadBank: LeadBankSandbox;
  let lead: SeededLead;
  const webhookUrl = (path: string) => new URL(`/webhooks/${path}`, gateway.url);

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { LEADBANK_WEBHOOK_SECRET: SECRET } });
    leadBank = gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox;
    const applicationId = leadBank.addApplication();
    lead = await seedLead(gateway.db, { application: { status: null, id: applicationId } });
  });
  afterAll(() => gateway.stop());

  const lastChangeId = async () => {
    const data = await queryData<{ statusChanges: Array<{ id: string }> }>(gateway.api, `query ($l: ID) { statusChanges(leadId: $l, first: 1000) { id } }`, { l: lead.leadId });
    return data.statusChanges.at(-1)?.id ?? '0';
  };

  it('applies a change made at Lead Bank, and a subscriber sees it arrive', async () => {
    const after = await lastChangeId();
    const event = executeOverWebSocket(gateway.url, gateway.api.token, `subscription ($a: ID, $l: ID) { statusChanged(after: $a, leadId: $l, providers: [LEAD_BANK]) { provider entityId from to } }`, { a: after, l: lead.leadId }, { firstEvent: true });
    // An underwriter approves the application at Lead Bank: the sandbox sends the signed webhook.
    const sent = once(leadBank.events, 'webhook-sent');
    const response = await fetch(new URL(`/__sandbox/applications/${lead.applicationId}`, gateway.providers.sandboxes.LEAD_BANK!.baseUrl ?? ''), {
      method: 'POST',
      body: JSON.stringify({ status: 'approved' }),
    });
    expect(response.status).toBe(200);
    expect(await event).toEqual({ kind: 'result', result: { data: { statusChanged: { provider: 'LEAD_BANK', entityId: lead.applicationId, from: null, to: 'APPROVED' } } } });
    const data = await queryData<any>(gateway.api, `query ($id: ID!) { lead(id: $id) { stage application { status } } }`, { id: lead.leadId });
    expect(data.lead).toEqual({ stage: 'APPROVED', application: { status: 'APPROVED' } });
    expect((await sent)[0]).toMatchObject({ event: 'application.updated', status: 200 });
  });

  describe('Lead Bank signatures', () => {
    const body = () =>
      JSON.stringify({
        id: `evt_${randomUUID()}`,
        created_at: new Date().toISOString(),
        event: 'application.updated',
        object: leadBank.application(lead.applicationId!),
      });
    const send = (raw: string, signature: string | undefined) =>
      fetch(webhookUrl('leadbank'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature !== undefined && { 'lead-signature': signature }) },
        body: raw,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

    it('accepts a signed event once, and answers its replay as a duplicate that changes nothing', async () => {
      const raw = body();
      const signature = signLeadBankWebhook(SECRET, Date.now(), raw);
      const changesBefore = await lastChangeId();
      // It says what the gateway stored already (the application as Lead Bank holds it): accepted, nothing to change.
      expect(await send(raw, signature)).toEqual({ status: 200, body: { status: 'unchanged' } });
      expect(await send(raw, signLeadBankWebhook(SECRET, Date.now(), raw))).toEqual({ status: 200, body: { status: 'duplicate' } });
      // No new status change either time.
      expect(await lastChangeId()).toBe(changesBefore);
    });

    it.each([
      ['no signature', () => undefined, 'signature missing'],
      ['a signature without a timestamp', () => 'v0=abc', 'signature malformed'],
      ['a signature made with another secret', (raw: string) => signLeadBankWebhook('another-secret-entirely', Date.now(), raw), 'signature mismatch'],
      ['a signature of other bytes', (raw: string) => signLeadBankWebhook(SECRET, Date.now(), `${raw} `), 'signature mismatch'],
      ['a timestamp ten minutes old', (raw: string) => signLeadBankWebhook(SECRET, Date.now() - 600_000, raw), 'signature stale'],
      ['a timestamp ten minutes ahead', (raw: string) => signLeadBankWebhook(SECRET, Date.now() + 600_000, raw), 'signature stale'],
    ])('refuses %s with 401 and applies nothing', async (_what, sign, error) => {
      const raw = JSON.stringify({ ...(JSON.parse(body()) as object), object: { ...leadBank.application(lead.applicationId!), status: 'canceled' } });
      expect(await send(raw, sign(raw))).toEqual({ status: 401, body: { error } });
      const data = await queryData<any>(gateway.api, `query ($id: ID!) { application(id: $id) { status } }`, { id: lead.applicationId });
      expect(data.application.status).not.toBe('CANCELED');
    });

    it('answers a signed body that is not a Lead Bank event with 400', async () => {
      const raw = JSON.stringify({ hello: 'world' });
      expect((await send(raw, signLeadBankWebhook(SECRET, Date.now(), raw))).status).toBe(400);
    });

    it('acknowledges events it does not use, and leaves them alone', async () => {
      const raw = JSON.stringify({ id: `evt_${randomUUID()}`, created_at: new Date().toISOString(), event: 'account.updated', object: {} });
      expect(await send(raw, signLeadBankWebhook(SECRET, Date.now(), raw))).toEqual({ status: 200, body: { status: 'ignored' } });
    });
  });

  it('answers 404 for a provider whose webhooks are not configured (live, no secret)', async () => {
    const { startLiveSandboxes } = await import('../support/live-sandboxes.js');
    const live = await startLiveSandboxes();
    const other = await startTestGateway({ env: { ...live.env } });
    try {
      const response = await fetch(new URL('/webhooks/leadbank', other.url), { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
    } finally {
      await other.stop();
      await live.stop();
    }
  });

  it("keeps a webhook about an application its account's tenant does not hold (200, nothing visible), and applies it when that tenant adopts the application, not another", async () => {
    const id = leadBank.addApplication({ status: 'canceled', details: { product_name: 'Kept aside' } });
    const raw = JSON.stringify({ id: `evt_${randomUUID()}`, created_at: new Date().toISOString(), event: 'application.created', object: leadBank.application(id) });
    const response = await fetch(webhookUrl('leadbank'), { method: 'POST', headers: { 'lead-signature': signLeadBankWebhook(SECRET, Date.now(), raw) }, body: raw });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'kept' });
    // No tenant holds it: no tenant sees it.
    for (const caller of [gateway.api, gateway.other]) {
      expect((await queryData<any>(caller, `query ($id: ID!) { application(id: $id) { id } }`, { id })).application).toBeNull();
    }
    const adopt = `mutation ($id: ID) { createLead(input: { applicationId: $id }) { id stage application { id status productName syncedAt } history(first: 5) { provider entityId from to } } }`;
    const unclaimed = async () => (await gateway.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM unclaimed_webhook WHERE record_id = $1`, [id]))[0]!.n;
    // Issue #22: the webhook came from the environment's Lead Bank account (its secret): another
    // tenant's application of that id, in its own account, is another record, and gets nothing of it.
    const theirs = await queryData<any>(gateway.other, adopt, { id });
    expect(theirs.createLead).toMatchObject({ stage: 'NEW', application: { id, status: null, productName: null, syncedAt: null }, history: [] });
    expect(await unclaimed()).toBe(1);
    // The account's own tenant's first contact adopts it, with what the webhook said, as Lead Bank's confirmed word.
    const created = await queryData<any>(gateway.api, adopt, { id });
    expect(created.createLead).toMatchObject({
      stage: 'CANCELED',
      application: { id, status: 'CANCELED', productName: 'Kept aside', syncedAt: expect.any(String) },
      history: [{ provider: 'LEAD_BANK', entityId: id, from: null, to: 'CANCELED' }],
    });
    expect(await unclaimed()).toBe(0);
  });

  it("takes a tenant's own Lead Bank webhooks at its connection's URL, signed with its secret, into its records only", async () => {
    const account = gateway.otherAccounts.LEAD_BANK!;
    const theirs = account.behavior as LeadBankSandbox;
    const theirSecret = 'other-tenant-webhook-secret-0123456789';
    await gateway.connections.set(OTHER_TENANT, 'LEAD_BANK', {
      ...LEAD_BANK.settings.env(account.connection as Parameters<typeof LEAD_BANK.settings.env>[0]),
      LEADBANK_WEBHOOK_SECRET: theirSecret,
    });
    // One application id in both accounts, held by each tenant.
    const id = leadBank.addApplication();
    theirs.addApplication({ id });
    const adopt = `mutation ($id: ID) { createLead(input: { applicationId: $id }) { id } }`;
    const ours = (await queryData<any>(gateway.api, adopt, { id })).createLead.id;
    const theirsLead = (await queryData<any>(gateway.other, adopt, { id })).createLead.id;
    const statusOf = async (caller: typeof gateway.api, leadId: string) =>
      (await queryData<any>(caller, `query ($id: ID!) { lead(id: $id) { application { status } } }`, { id: leadId })).lead.application.status;

    // Their account's underwriter declines it: their sandbox sends to their connection's URL.
    const connectionUrl = webhookUrl(`leadbank/connections/${OTHER_TENANT}`);
    theirs.setWebhook(connectionUrl, theirSecret);
    const sent = once(theirs.events, 'webhook-sent');
    await fetch(new URL(`/__sandbox/applications/${id}`, account.baseUrl), { method: 'POST', body: JSON.stringify({ status: 'canceled' }) });
    expect((await sent)[0]).toMatchObject({ status: 200 });
    expect(await statusOf(gateway.other, theirsLead)).toBe('CANCELED');
    expect(await statusOf(gateway.api, ours)).toBeNull();

    // Each URL takes only its own account's signature; a tenant with no connection has no URL.
    const raw = JSON.stringify({ id: `evt_${randomUUID()}`, created_at: new Date().toISOString(), event: 'application.updated', object: theirs.application(id) });
    const post = (url: URL, secret: string) => fetch(url, { method: 'POST', headers: { 'lead-signature': signLeadBankWebhook(secret, Date.now(), raw) }, body: raw });
    expect((await post(webhookUrl('leadbank'), theirSecret)).status).toBe(401);
    expect((await post(connectionUrl, SECRET)).status).toBe(401);
    expect((await post(webhookUrl('leadbank/connections/nobody'), theirSecret)).status).toBe(404);
    expect(await statusOf(gateway.api, ours)).toBeNull();
  });
});
