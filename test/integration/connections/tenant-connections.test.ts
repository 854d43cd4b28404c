import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../../src/app.js';
import { connectionsCommand } from '../../../src/cli/connections-command.js';
import { loadConfig } from '../../../src/config.js';
import { Secret } from '../../../src/config-env.js';
import { ConnectionInUse, ConnectionStore } from '../../../src/connections/connection-store.js';
import { SealedBox, UnsealError } from '../../../src/connections/sealed-box.js';
import { Outbox } from '../../../src/dispatch/outbox.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { createLogger } from '../../../src/logger.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { LEAD_BANK } from '../../../src/providers/leadbank/index.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { knownApplications, updateApplication } from '../../support/dispatch-fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, type Target } from '../../support/graphql-client.js';
import { captureLogs, type CapturedLogs } from '../../support/log-capture.js';

type LeadBankAccount = RunningSandbox<LeadBankSandbox, Parameters<typeof LEAD_BANK.settings.env>[0]>;

const CONNECTIONS_KEY = randomBytes(32).toString('base64');
/** A lender with no account until a test gives it one. */
const LENDER_B = 'lender-b';

/** Issue #22: a tenant's own account at a provider. */
describe('tenant provider connections', () => {
  let gateway: TestGateway;
  let logs: CapturedLogs;
  let store: ConnectionStore;
  let lenderB: Target;
  /** The environment's Lead Bank account (the gateway's built-in sandbox). */
  let environment: LeadBankSandbox;
  /** The other tenant's own Lead Bank accounts, the second for a rotation. */
  let accounts: LeadBankAccount[];

  const tokenRequestsOf = (server: { requests: ReadonlyArray<{ path: string; rawBody: string }> }) =>
    server.requests.filter((r) => r.path === '/v1/oauth/token').map((r) => (JSON.parse(r.rawBody) as { client_id: string }).client_id);
  const patchedAt = (sandbox: LeadBankSandbox) => sandbox.applied.filter((a) => a.kind === 'updated').map((a) => a.applicationId);

  beforeAll(async () => {
    logs = captureLogs('debug');
    gateway = await startTestGateway({
      env: { CONNECTIONS_KEY, DISPATCH_POLL_MS: '50', BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: '600000' },
      logger: logs.logger,
    });
    environment = gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox;
    accounts = [await LEAD_BANK.sandbox.start({ ids: [], port: 0 }), await LEAD_BANK.sandbox.start({ ids: [], port: 0 })];
    lenderB = { url: gateway.url, token: (await gateway.createKey(LENDER_B, 'admin')).key };
    store = new ConnectionStore(gateway.db, gateway.providers.registry, new SealedBox(new Secret(CONNECTIONS_KEY)));
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all((accounts ?? []).map((a) => a.stop()));
  });

  it("sends each tenant's calls with its own account: its credentials, its token, its records", async () => {
    const created = await store.set(LENDER_B, 'LEAD_BANK', LEAD_BANK.settings.env(accounts[0]!.connection));
    expect(created).toMatchObject({ tenantId: LENDER_B, provider: 'LEAD_BANK', baseUrl: accounts[0]!.baseUrl.href, version: 1 });

    const [mine] = await knownApplications(gateway.db, environment, 1);
    const [theirs] = await knownApplications(gateway.db, accounts[0]!.behavior, 1, LENDER_B);
    expect((await updateApplication(gateway.api, mine!)).state).toBe('SUCCEEDED');
    expect((await updateApplication(lenderB, theirs!)).state).toBe('SUCCEEDED');
    expect((await updateApplication(lenderB, theirs!, { productName: 'Second patch' })).state).toBe('SUCCEEDED');

    expect(patchedAt(environment)).toEqual([mine]);
    expect(patchedAt(accounts[0]!.behavior)).toEqual([theirs, theirs]);
    // The token requests name each account's own client, once each: a token per connection, cached.
    expect(tokenRequestsOf(accounts[0]!.server)).toEqual([accounts[0]!.connection.clientId]);
    expect(tokenRequestsOf(gateway.providers.sandboxes.LEAD_BANK!)).not.toContain(accounts[0]!.connection.clientId);
  });

  it('rotates: the call in flight finishes with the version it started with, the next ones use the new one', async () => {
    const [first, second] = await knownApplications(gateway.db, accounts[0]!.behavior, 2, LENDER_B);
    accounts[1]!.behavior.addApplication({ id: second! });
    // Held at the first account until the rotation is committed.
    const hold = accounts[0]!.server.holdNext();
    const inFlight = updateApplication(lenderB, first!);
    expect((await hold.reached).path).toBe(`/v0/applications/${first}`);
    const rotated = await store.set(LENDER_B, 'LEAD_BANK', LEAD_BANK.settings.env(accounts[1]!.connection));
    expect(rotated.version).toBe(2);
    hold.release();
    expect((await inFlight).state).toBe('SUCCEEDED');
    expect(patchedAt(accounts[0]!.behavior)).toContain(first);

    expect((await updateApplication(lenderB, second!)).state).toBe('SUCCEEDED');
    expect(patchedAt(accounts[1]!.behavior)).toEqual([second]);
    expect(patchedAt(accounts[0]!.behavior)).not.toContain(second);
  });

  it('is removed only once no dispatch of the tenant to the provider is pending', async () => {
    const outbox = new Outbox(gateway.db, gateway.providers.registry);
    const command = { operation: 'updateApplication', applicationId: 'application_pending', patch: { product_name: 'x' } };
    const { dispatch } = await outbox.record(
      { tenantId: LENDER_B, provider: 'LEAD_BANK', command, leadId: null, idempotencyKey: undefined, requestHash: requestHash(command) },
      { maxAttempts: 5, leaseMs: 1_000, claim: false, runAt: new Date(Date.now() + 3_600_000) },
    );
    await expect(store.remove(LENDER_B, 'LEAD_BANK')).rejects.toEqual(new ConnectionInUse(1));
    expect(await store.list(LENDER_B)).toHaveLength(1);
    await gateway.db.query(`UPDATE dispatch SET state = 'FAILED' WHERE id = $1`, [dispatch.id]);
    expect(await store.remove(LENDER_B, 'LEAD_BANK')).toBe(true);
    expect(await store.remove(LENDER_B, 'LEAD_BANK')).toBe(false);
  });

  it('keeps credentials sealed: not in the table, listings, the CLI, or the logs; a sealed value opens only in its own row and with its key', async () => {
    const secret = accounts[0]!.connection.clientSecret;
    const env = { ...LEAD_BANK.settings.env(accounts[0]!.connection), LEADBANK_WEBHOOK_SECRET: 'tenant-webhook-secret-0123456789' };
    const config = loadConfig({ DATABASE_URL: (gateway.db.options as { url: string }).url, CONNECTIONS_KEY, LOG_LEVEL: 'silent' });
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const run = (args: string[]) => connectionsCommand(args, config, createLogger('silent'), out, { env });
    expect(await run(['set', '--tenant', LENDER_B, '--provider', 'LEAD_BANK'])).toBe(0);
    expect(await run(['list'])).toBe(0);
    expect(printed).toContain(`${LENDER_B}  LEAD_BANK  ${accounts[0]!.baseUrl.href}  version 1`);

    const [row] = await gateway.db.query<Array<{ sealed: Buffer }>>(`SELECT sealed FROM provider_connection WHERE tenant_id = $1`, [LENDER_B]);
    for (const text of [printed, row!.sealed.toString('latin1'), JSON.stringify(await store.list()), logs.lines.join('\n')]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('tenant-webhook-secret-0123456789');
    }
    expect((await store.open(LENDER_B, 'LEAD_BANK'))?.variables).toMatchObject({ LEADBANK_CLIENT_SECRET: secret });

    // Copied to another tenant's row, it does not open there; nor with another key.
    await gateway.db.query(`INSERT INTO provider_connection (tenant_id, provider, base_url, sealed) SELECT 'thief', provider, base_url, sealed FROM provider_connection WHERE tenant_id = $1`, [
      LENDER_B,
    ]);
    await expect(store.open('thief', 'LEAD_BANK')).rejects.toBeInstanceOf(UnsealError);
    const otherKey = new ConnectionStore(gateway.db, gateway.providers.registry, new SealedBox(new Secret(randomBytes(32).toString('hex'))));
    await expect(otherKey.open(LENDER_B, 'LEAD_BANK')).rejects.toBeInstanceOf(UnsealError);
  });

  it('retries at once with the new version when a rotation revoked the credentials of a call in flight: nothing is lost', async () => {
    const account = accounts[1]!;
    await store.set(LENDER_B, 'LEAD_BANK', LEAD_BANK.settings.env(account.connection));
    const [id] = await knownApplications(gateway.db, account.behavior, 1, LENDER_B);
    const hold = account.server.holdNext();
    const inFlight = updateApplication(lenderB, id!);
    await hold.reached;
    // The admin rotates the secret at Lead Bank (the old one and its tokens stop working), then here.
    const rotatedSecret = `secret_${randomBytes(24).toString('hex')}`;
    account.behavior.rotateClientSecret(rotatedSecret);
    await store.set(LENDER_B, 'LEAD_BANK', LEAD_BANK.settings.env({ ...account.connection, clientSecret: rotatedSecret }));
    hold.release();
    const dispatch = await inFlight;
    expect(dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    expect(account.behavior.appliedUpdates(id!)).toBe(1);
  });

  it('refuses to start on a database holding connections without the key they were sealed with', async () => {
    const config = loadConfig({ DATABASE_URL: (gateway.db.options as { url: string }).url, PORT: '0', LOG_LEVEL: 'silent', DEMO_DATA: 'off' });
    await expect(startGateway(config, createLogger('silent'))).rejects.toThrow('CONNECTIONS_KEY: expected the key the stored provider connections were sealed with');
  });

  it('refuses every dispatch of a tenant with no account at the provider, naming the field, before anything is written or sent', async () => {
    const lenderC = { url: gateway.url, token: (await gateway.createKey('lender-c', 'admin')).key };
    const [lead] = await gateway.db.query<Array<{ id: string }>>(`INSERT INTO lead (tenant_id, techea_lead_id) VALUES ('lender-c', gen_random_uuid()) RETURNING id`);
    const cases = [
      [`mutation { reportLeadEvent(input: { leadId: "${lead!.id}", event: REGISTRATION }) { dispatch { id } } }`, 'input.leadId', 'TECHEA'],
      [`mutation { updateApplication(input: { applicationId: "application_c1", productName: "x" }) { dispatch { id } } }`, 'input.applicationId', 'LEAD_BANK'],
      [`mutation { updateVerificationStatus(input: { authUuid: "${randomUUID()}", state: OK }) { dispatch { id } } }`, 'input.authUuid', 'TECALIS'],
      [`mutation { upsertLoan(input: { customerId: "CUST-C", loanId: "L1", managementSystemId: 1, loanAmountCents: 1, appliedAt: "2026-10-01T10:00:00Z" }) { dispatch { id } } }`, 'input.customerId', 'DECISION_CLOUD'],
    ] as const;
    for (const [mutation, field, provider] of cases) {
      const response = await postGraphQL(lenderC, mutation);
      expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'PROVIDER_NOT_CONNECTED', field }, message: expect.stringContaining(`no connection to ${provider}`) });
    }
    const [written] = await gateway.db.query<Array<{ n: number }>>(
      `SELECT (SELECT count(*) FROM dispatch WHERE tenant_id = 'lender-c') + (SELECT count(*) FROM application WHERE tenant_id = 'lender-c')
            + (SELECT count(*) FROM verification WHERE tenant_id = 'lender-c') AS n`,
    );
    expect(Number(written!.n)).toBe(0);
  });

  it("never sends another tenant's dispatch with the environment's account: one whose connection vanished fails with a message", async () => {
    await store.set('lender-d', 'TECHEA', { TECHEA_BASE_URL: 'http://127.0.0.1:9/', TECHEA_API_KEY: 'unused-key' });
    const outbox = new Outbox(gateway.db, gateway.providers.registry);
    const command = { operation: 'reportLeadEvent', techeaLeadId: randomUUID(), event: 'REGISTRATION' };
    const { dispatch } = await outbox.record(
      { tenantId: 'lender-d', provider: 'TECHEA', command, leadId: null, idempotencyKey: undefined, requestHash: requestHash(command) },
      { maxAttempts: 5, leaseMs: 1_000, claim: false, runAt: new Date(Date.now() + 3_600_000) },
    );
    // What only a race with a removal could do (a removal waits for pending dispatches).
    await gateway.db.query(`DELETE FROM provider_connection WHERE tenant_id = 'lender-d'`);
    const calls = gateway.providers.sandboxes.TECHEA!.stats.calls;
    await gateway.db.query(`UPDATE dispatch SET run_at = now() WHERE id = $1`, [dispatch.id]);
    const settled = await gateway.dispatcher.settled('lender-d', dispatch.id);
    expect(settled).toMatchObject({ state: 'FAILED', lastError: { code: 'REJECTED', message: expect.stringContaining('no connection to TECHEA') } });
    expect(gateway.providers.sandboxes.TECHEA!.stats.calls).toBe(calls);
  });

  it("opens a failing connection's breaker only: the environment's account goes on, and the tenant's calls wait without reaching its account", async () => {
    const failing = await LEAD_BANK.sandbox.start({ ids: [], port: 0 });
    try {
      await store.set('lender-e', 'LEAD_BANK', LEAD_BANK.settings.env(failing.connection));
      const lenderE = { url: gateway.url, token: (await gateway.createKey('lender-e', 'admin')).key };
      const ids = await knownApplications(gateway.db, failing.behavior, 3, 'lender-e');
      failing.server.setFaults({ forceStatus: 503, forceCount: 1_000 });
      // BREAKER_FAILURE_THRESHOLD=2: two failed first attempts open the connection's breaker.
      for (const id of ids.slice(0, 2)) expect((await updateApplication(lenderE, id)).state).toBe('PENDING');
      const breakers = await gateway.db.query<Array<{ provider: string; open: boolean }>>(
        `SELECT provider, opened_at IS NOT NULL AS open FROM provider_breaker WHERE provider LIKE 'LEAD_BANK%' ORDER BY provider`,
      );
      expect(breakers).toEqual([{ provider: 'LEAD_BANK@lender-e', open: true }]);

      const [mine] = await knownApplications(gateway.db, environment, 1);
      expect(await updateApplication(gateway.api, mine!)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
      const calls = failing.server.stats.calls;
      expect(await updateApplication(lenderE, ids[2]!)).toMatchObject({ state: 'PENDING', attempts: 0 });
      expect(failing.server.stats.calls).toBe(calls);
    } finally {
      await failing.stop();
    }
  });

  it('refuses a connection the provider could not be called with, naming the variable, before anything is stored', async () => {
    const { LEADBANK_CLIENT_SECRET: _dropped, ...incomplete } = LEAD_BANK.settings.env(accounts[0]!.connection);
    await expect(store.set('tenant-c', 'LEAD_BANK', incomplete)).rejects.toThrow('LEADBANK_CLIENT_SECRET: expected a value, because LEADBANK_BASE_URL is set, but got nothing');
    await expect(store.set('tenant-c', 'LEAD_BANK', { ...incomplete, LEADBANK_BASE_URL: 'not a url' })).rejects.toThrow('LEADBANK_BASE_URL');
    await expect(store.set('tenant-c', 'NOPE', incomplete)).rejects.toThrow('--provider');
    expect(await store.list('tenant-c')).toEqual([]);
  });
});
