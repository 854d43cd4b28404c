import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/dispatch/outbox.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { LEAD_BANK, type LeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { knownApplications, updateApplication } from '../../support/dispatch-fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { captureLogs, type CapturedLogs } from '../../support/log-capture.js';

const ADMIN_TOKEN = 'admin-token-for-the-admin-api-test-0123456789';
const TENANT = 'lender-admin';

type LeadBankAccount = RunningSandbox<LeadBankSandbox, Parameters<typeof LEAD_BANK.settings.env>[0]>;

/** Issue #22: connections managed over HTTP by the deployment's administrator. */
describe('/admin/connections', () => {
  let gateway: TestGateway;
  let logs: CapturedLogs;
  let account: LeadBankAccount;
  const url = (path: string) => new URL(`/admin${path}`, gateway.url);
  const call = async (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) => {
    const response = await fetch(url(path), {
      method,
      headers: { ...(token !== null && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : (JSON.parse(text)) };
  };
  const variables = () => LEAD_BANK.settings.env(account.connection);

  beforeAll(async () => {
    logs = captureLogs('debug');
    gateway = await startTestGateway({ env: { ADMIN_TOKEN }, logger: logs.logger });
    account = await LEAD_BANK.sandbox.start({ ids: [], port: 0 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await account?.stop();
  });

  it('answers only the admin token: not a tenant key, not a wrong token, not none', async () => {
    for (const token of [null, 'wrong-token', gateway.api.token!]) {
      const refused = await call('GET', '/connections', undefined, token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="leadgraph-admin"');
      expect(refused.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await call('GET', '/connections')).json).toEqual({ connections: expect.any(Array) });
  });

  it('creates, lists, rotates and removes a connection, which dispatch then uses; no answer or log line carries a credential', async () => {
    const created = await call('PUT', `/connections/${TENANT}/LEAD_BANK`, { variables: variables() });
    expect(created.status).toBe(201);
    expect(created.json.connection).toMatchObject({ tenant: TENANT, provider: 'LEAD_BANK', baseUrl: account.baseUrl.href, version: 1 });
    expect((await call('GET', `/connections?tenant=${TENANT}`)).json.connections).toHaveLength(1);

    const lender = { url: gateway.url, token: (await gateway.createKey(TENANT, 'admin')).key };
    const [id] = await knownApplications(gateway.db, account.behavior, 1, TENANT);
    expect((await updateApplication(lender, id!)).state).toBe('SUCCEEDED');
    expect(account.behavior.appliedUpdates(id!)).toBe(1);

    const rotated = await call('PUT', `/connections/${TENANT}/LEAD_BANK`, { variables: variables() });
    expect(rotated.status).toBe(200);
    expect(rotated.json.connection.version).toBe(2);

    const outbox = new Outbox(gateway.db, gateway.providers.registry);
    const command = { operation: 'updateApplication', applicationId: id!, patch: { product_name: 'later' } };
    const { dispatch } = await outbox.record(
      { tenantId: TENANT, provider: 'LEAD_BANK', command, leadId: null, idempotencyKey: undefined, requestHash: requestHash(command) },
      { maxAttempts: 5, leaseMs: 1_000, claim: false, runAt: new Date(Date.now() + 3_600_000) },
    );
    const busy = await call('DELETE', `/connections/${TENANT}/LEAD_BANK`);
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ pending: 1 });
    await gateway.db.query(`UPDATE dispatch SET state = 'FAILED' WHERE id = $1`, [dispatch.id]);
    expect((await call('DELETE', `/connections/${TENANT}/LEAD_BANK`)).status).toBe(204);
    expect((await call('DELETE', `/connections/${TENANT}/LEAD_BANK`)).status).toBe(404);

    const secret = account.connection.clientSecret;
    for (const answer of [created, rotated, busy]) expect(answer.text).not.toContain(secret);
    expect(logs.lines.join('\n')).not.toContain(secret);
    const metrics = await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${gateway.metricsToken}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).not.toContain(secret);
  });

  it('refuses what it could not connect with, naming the variable or the field, and stores nothing', async () => {
    const { LEADBANK_CLIENT_SECRET: _dropped, ...incomplete } = variables();
    const missing = await call('PUT', `/connections/${TENANT}-2/LEAD_BANK`, { variables: incomplete });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ field: 'variables.LEADBANK_CLIENT_SECRET', error: 'LEADBANK_CLIENT_SECRET: expected a value, because LEADBANK_BASE_URL is set, but got nothing' });
    const shortSecret = await call('PUT', `/connections/${TENANT}-2/LEAD_BANK`, { variables: { ...variables(), LEADBANK_WEBHOOK_SECRET: 'short' } });
    expect(shortSecret.json.field).toBe('variables.LEADBANK_WEBHOOK_SECRET');
    expect((await call('PUT', `/connections/${TENANT}-2/NOPE`, { variables: variables() })).json.field).toBe('provider');
    expect((await call('PUT', `/connections/Not%20A%20Tenant/LEAD_BANK`, { variables: variables() })).json.field).toBe('tenant');
    // The default tenant's accounts are the gateway's own settings: a connection of its would never be used.
    expect((await call('PUT', `/connections/default/LEAD_BANK`, { variables: variables() })).json).toEqual({
      field: 'tenant',
      error: `tenant: expected a tenant other than "default", whose accounts are the gateway's own provider settings (its environment), but got "default"`,
    });
    expect((await call('PUT', `/connections/${TENANT}-2/LEAD_BANK`, { variables: { LEADBANK_BASE_URL: 1 } })).json.field).toBe('variables');
    expect((await call('PUT', `/connections/${TENANT}-2/LEAD_BANK`, '{not json')).status).toBe(400);
    expect((await call('GET', `/connections?tenant=${TENANT}-2`)).json.connections).toEqual([]);
  });

  it('is off (404) on a gateway without ADMIN_TOKEN', async () => {
    const plain = await startTestGateway();
    try {
      const response = await fetch(new URL('/admin/connections', plain.url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
