import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_BANK } from '../../src/providers/leadbank/index.js';
import { type LeadBankSandbox } from '../../src/providers/leadbank/sandbox.js';
import { signLeadBankWebhook } from '../../src/providers/leadbank/webhook.js';
import { type SandboxServer } from '../../src/providers/sandbox/sandbox-server.js';
import { OTHER_TENANT, startTestGateway, type TestGateway } from '../support/gateway.js';
import { queryData, type Target } from '../support/graphql-client.js';

const SECRET = 'leadbank-webhook-secret-for-order-tests';
const THEIR_SECRET = 'other-tenant-webhook-secret-for-order-tests';

/**
 * Lead Bank's webhooks arrive late, more than once and in any order, and its
 * `updated_at` is printed to the second: a webhook is applied only when it is newer
 * than the stored application, and one of the same second that says something else is
 * settled by asking Lead Bank (see src/services/application-order.ts).
 */
describe('Lead Bank webhooks out of order', () => {
  let gateway: TestGateway;
  let leadBank: LeadBankSandbox;
  let server: SandboxServer;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { LEADBANK_WEBHOOK_SECRET: SECRET } });
    leadBank = gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox;
    server = gateway.providers.sandboxes.LEAD_BANK!;
  });
  afterAll(() => gateway.stop());

  const at = (second: number) => `2026-12-01T10:00:0${second}Z`;
  /** An application Lead Bank holds (as of `second`, named `productName`), adopted by the caller's tenant. */
  const heldApplication = async (sandbox: LeadBankSandbox, second: number, productName: string, caller: Target = gateway.api) => {
    const id = sandbox.addApplication({ updated_at: at(second), details: { product_name: productName } });
    await queryData(caller, `mutation ($id: ID) { createLead(input: { applicationId: $id }) { id } }`, { id });
    return id;
  };
  /** Lead Bank's application `id` as a webhook would carry it at `second`, named `productName`. */
  const stateOf = (sandbox: LeadBankSandbox, id: string, second: number, productName: string) => {
    const application = sandbox.application(id)!;
    return { ...application, updated_at: at(second), details: { ...(application.details as object), product_name: productName } };
  };
  const deliver = async (object: object, options: { eventId?: string; url?: URL; secret?: string } = {}) => {
    const raw = JSON.stringify({ id: options.eventId ?? `evt_${randomUUID()}`, created_at: new Date().toISOString(), event: 'application.updated', object });
    const response = await fetch(options.url ?? new URL('/webhooks/leadbank', gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'lead-signature': signLeadBankWebhook(options.secret ?? SECRET, Date.now(), raw) },
      body: raw,
    });
    return { status: response.status, outcome: ((await response.json().catch(() => ({}))) as { status?: string }).status };
  };
  const productName = async (id: string, caller: Target = gateway.api) =>
    (await queryData<any>(caller, `query ($id: ID!) { application(id: $id) { productName } }`, { id })).application.productName as string | null;
  const reads = (of: SandboxServer, id: string) => of.requests.filter((r) => r.method === 'GET' && r.path === `/v0/applications/${id}`).length;

  it('applies a newer webhook and leaves a late one alone (stale), without asking Lead Bank', async () => {
    const id = await heldApplication(leadBank, 1, 'At Lead Bank');
    expect(await deliver(stateOf(leadBank, id, 3, 'Third'))).toEqual({ status: 200, outcome: 'applied' });
    // The webhook of an earlier change, delivered late (or again): older than what is stored.
    expect(await deliver(stateOf(leadBank, id, 2, 'Second'))).toEqual({ status: 200, outcome: 'stale' });
    expect(await productName(id)).toBe('Third');
    expect(await deliver(stateOf(leadBank, id, 4, 'Fourth'))).toEqual({ status: 200, outcome: 'applied' });
    expect(await productName(id)).toBe('Fourth');
    expect(reads(server, id)).toBe(0);
  });

  it('takes the same state under another event id as unchanged, without asking Lead Bank', async () => {
    const id = await heldApplication(leadBank, 1, 'At Lead Bank');
    expect(await deliver(stateOf(leadBank, id, 2, 'Second'))).toEqual({ status: 200, outcome: 'applied' });
    expect(await deliver(stateOf(leadBank, id, 2, 'Second'))).toEqual({ status: 200, outcome: 'unchanged' });
    expect(reads(server, id)).toBe(0);
  });

  it('asks Lead Bank when two states share one second, and stores what it holds now, whichever came last', async () => {
    for (const [first, second] of [
      ['Before', 'After'],
      ['After', 'Before'],
    ] as const) {
      // Lead Bank went through "Before" then "After" within second 2, and holds "After".
      const id = await heldApplication(leadBank, 2, 'After');
      expect(await deliver(stateOf(leadBank, id, 2, first))).toEqual({ status: 200, outcome: 'applied' });
      const refreshed = await deliver(stateOf(leadBank, id, 2, second));
      expect(await productName(id)).toBe('After');
      expect(reads(server, id)).toBe(1);
      expect(refreshed).toEqual({ status: 200, outcome: 'refreshed' });
    }
  });

  it('reads Lead Bank holding no lock: a newer webhook is applied meanwhile, and the one being placed is then placed against it', async () => {
    const id = await heldApplication(leadBank, 2, 'After');
    expect(await deliver(stateOf(leadBank, id, 2, 'Before'))).toEqual({ status: 200, outcome: 'applied' });
    // Lead Bank's token is cached by now (earlier reads): the next call held is the read itself.
    const held = server.holdNext();
    const placing = deliver(stateOf(leadBank, id, 2, 'After'));
    const read = await held.reached;
    expect(read).toMatchObject({ method: 'GET', path: `/v0/applications/${id}` });
    // While Lead Bank is being read, a later change arrives and is applied: nothing waits on the read.
    expect(await deliver(stateOf(leadBank, id, 3, 'Third'))).toEqual({ status: 200, outcome: 'applied' });
    held.release();
    // The read is not stored over it: placed again, the webhook is older than what is stored now.
    expect(await placing).toEqual({ status: 200, outcome: 'stale' });
    expect(await productName(id)).toBe('Third');
  });

  it('does not acknowledge a webhook while Lead Bank cannot be asked (nothing kept), and applies it when it comes again', async () => {
    const id = await heldApplication(leadBank, 2, 'After');
    expect(await deliver(stateOf(leadBank, id, 2, 'Before'))).toEqual({ status: 200, outcome: 'applied' });
    const eventId = `evt_${randomUUID()}`;
    server.setFaults({ forceStatus: 503, forceCount: 1 });
    try {
      const refused = await deliver(stateOf(leadBank, id, 2, 'After'), { eventId });
      expect(refused.status).toBe(503);
    } finally {
      server.clearFaults();
    }
    expect(await productName(id)).toBe('Before');
    const kept = await gateway.db.query<unknown[]>(`SELECT 1 FROM webhook_event WHERE event_id = $1`, [eventId]);
    expect(kept).toHaveLength(0);
    // Lead Bank delivers it again (at least once): now it is placed.
    expect(await deliver(stateOf(leadBank, id, 2, 'After'), { eventId })).toEqual({ status: 200, outcome: 'refreshed' });
    expect(await productName(id)).toBe('After');
  });

  it('keeps the newer of two webhooks about an application no tenant holds yet, whichever came last', async () => {
    const id = leadBank.addApplication({ updated_at: at(1) });
    expect(await deliver(stateOf(leadBank, id, 3, 'Newer'))).toEqual({ status: 200, outcome: 'kept' });
    expect(await deliver(stateOf(leadBank, id, 2, 'Older, late'))).toEqual({ status: 200, outcome: 'kept' });
    await queryData(gateway.api, `mutation ($id: ID) { createLead(input: { applicationId: $id }) { id } }`, { id });
    expect(await productName(id)).toBe('Newer');
  });

  it("asks a tenant's own Lead Bank account, not the environment's, about the tenant's application", async () => {
    const account = gateway.otherAccounts.LEAD_BANK!;
    const theirs = account.behavior as LeadBankSandbox;
    await gateway.connections.set(OTHER_TENANT, 'LEAD_BANK', {
      ...LEAD_BANK.settings.env(account.connection as Parameters<typeof LEAD_BANK.settings.env>[0]),
      LEADBANK_WEBHOOK_SECRET: THEIR_SECRET,
    });
    const id = await heldApplication(theirs, 2, 'Theirs now', gateway.other);
    // The environment's account holds an application of the same id: another lender's.
    leadBank.addApplication({ id, updated_at: at(2), details: { product_name: 'Not theirs' } });
    const url = new URL(`/webhooks/leadbank/connections/${OTHER_TENANT}`, gateway.url);
    expect(await deliver(stateOf(theirs, id, 2, 'Theirs before'), { url, secret: THEIR_SECRET })).toEqual({ status: 200, outcome: 'applied' });
    expect(await deliver(stateOf(theirs, id, 2, 'Theirs between'), { url, secret: THEIR_SECRET })).toEqual({ status: 200, outcome: 'refreshed' });
    expect(await productName(id, gateway.other)).toBe('Theirs now');
    expect(reads(account.server, id)).toBe(1);
    expect(reads(server, id)).toBe(0);
  });
});
