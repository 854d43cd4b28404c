import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { postGraphQL, queryData } from '../support/graphql-client.js';
import { killLeftoverGateways, runGateway, type GatewayProcess } from '../support/process.js';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { executeOverWebSocket } from '../support/ws-client.js';

/**
 * Runs a gateway the way production does (its own process, every log level on) with
 * secrets that are easy to spot, drives it through successes and failures, and
 * then reads every line it wrote. Later issues add their secrets (provider
 * credentials, webhook secrets) to SECRETS.
 */
describe('no secret or key ever reaches the logs', () => {
  const suffix = randomBytes(6).toString('hex');
  const dbPassword = `DbPass-${suffix}-never-log-me`;
  const jwtSecret = `JwtSecret-${suffix}-never-log-me-either-0123456789`;
  const role = `lg_secret_${suffix}`;
  const database = `lg_secret_${suffix}`;
  const keys: string[] = [];
  /** Answers that carry provider messages, scanned with the logs. */
  const responses: string[] = [];
  let gateway: GatewayProcess;
  let url: string;
  let admin: pg.Client;
  let databaseUrl: string;
  let providers: Awaited<ReturnType<typeof startLiveSandboxes>>;

  beforeAll(async () => {
    providers = await startLiveSandboxes();
    admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${dbPassword}'`);
    await admin.query(`CREATE DATABASE ${database} OWNER ${role}`);
    const url_ = new URL(inject('adminDatabaseUrl'));
    url_.username = role;
    url_.password = dbPassword;
    url_.pathname = `/${database}`;
    databaseUrl = url_.toString();
    const env = {
      DATABASE_URL: databaseUrl,
      AUTH_JWT_SECRET: jwtSecret,
      PORT: '0',
      LOG_LEVEL: 'trace',
      NODE_ENV: 'production',
      ...providers.env,
    };
    const create = runGateway('node', ['bin/leadgraph.js', 'keys', 'create', '--tenant', 'default', '--role', 'admin'], {
      ...env,
      LOG_LEVEL: 'trace',
    });
    expect(await create.exited).toBe(0);
    keys.push(create.output().split('\n').find((line) => line.startsWith('lgk_'))!);
    gateway = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    url = await gateway.ready;
  });
  afterAll(async () => {
    await killLeftoverGateways();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
    await providers.stop();
  });

  it('holds through a whole run: start, traffic of every kind, failures, shutdown', async () => {
    const adminKey = keys[0]!;
    const target = { url, token: adminKey };
    // Ordinary traffic, and a key created over GraphQL (its key is in the response only).
    await queryData(target, `mutation { createLead(input: { advertiserRef: "secrets" }) { id } }`);
    const created = await queryData<any>(target, `mutation { createApiKey(input: { role: VIEWER }) { key apiKey { id } } }`);
    keys.push(created.createApiKey.key);
    await queryData({ url, token: created.createApiKey.key }, `{ leads { totalCount } }`);
    await queryData(target, `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: created.createApiKey.apiKey.id });
    // Refusals: revoked key, wrong key, forged and valid JWTs, bad input, over WebSocket too.
    expect((await postGraphQL({ url, token: created.createApiKey.key }, `{ leads { totalCount } }`)).status).toBe(401);
    const wrongKey = 'lgk_' + randomBytes(32).toString('base64url');
    keys.push(wrongKey);
    expect((await postGraphQL({ url, token: wrongKey }, `{ leads { totalCount } }`)).status).toBe(401);
    const jwt = await new SignJWT({ tenant: 'default', role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(jwtSecret));
    keys.push(jwt);
    await queryData({ url, token: jwt }, `{ leads { totalCount } }`);
    expect((await postGraphQL({ url, token: `${jwt.slice(0, -4)}AAAA` }, `{ leads { totalCount } }`)).status).toBe(401);
    expect((await postGraphQL(target, `{ lead(id: "not-a-uuid") { id } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await executeOverWebSocket(url, wrongKey, `{ leads { totalCount } }`)).toMatchObject({ kind: 'closed', code: 4401 });
    expect((await executeOverWebSocket(url, adminKey, `{ leads { totalCount } }`)).kind).toBe('result');
    // Dispatches through every provider, configured as live: tokens, keys in headers and bodies.
    const techeaLead = providers.techea.behavior.addLead();
    const applicationId = providers.leadBank.behavior.addApplication();
    const authUuid = providers.tecalis.behavior.addProcess();
    const customerId = providers.decisionCloud.behavior.addCustomer();
    const dbClient = new pg.Client({ connectionString: databaseUrl });
    await dbClient.connect();
    const [{ id: leadId }] = (await dbClient.query(`INSERT INTO lead (tenant_id, techea_lead_id) VALUES ('default', $1) RETURNING id`, [techeaLead])).rows as [{ id: string }];
    await dbClient.query(`INSERT INTO application (tenant_id, id, lead_id) VALUES ('default', $1, $2)`, [applicationId, leadId]);
    await dbClient.query(`INSERT INTO verification (tenant_id, auth_uuid, lead_id, status) VALUES ('default', $1, $2, 'PENDING')`, [authUuid, leadId]);
    await dbClient.end();
    const states = async (query: string, variables: Record<string, unknown>) =>
      JSON.stringify(await queryData<any>(target, query, variables));
    const dispatched = [
      await states(`mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { dispatch { state } } }`, { i: { leadId, event: 'REGISTRATION' } }),
      await states(`mutation ($i: UpdateApplicationInput!) { updateApplication(input: $i) { dispatch { state } } }`, { i: { applicationId, status: 'APPROVED' } }),
      await states(`mutation ($i: UpdateVerificationStatusInput!) { updateVerificationStatus(input: $i) { dispatch { state } } }`, { i: { authUuid, state: 'OK' } }),
      await states(`mutation ($i: UpsertLoanInput!) { upsertLoan(input: $i) { dispatch { state } } }`, {
        i: { customerId, loanId: 'L-1', leadId, decisionCloudLeadId: 7, loanAmountCents: 50000, appliedAt: '2026-10-01T10:00:00Z' },
      }),
    ];
    expect(dispatched.every((answer) => answer.includes('SUCCEEDED'))).toBe(true);
    // A refusal, whose provider message is kept and logged.
    providers.leadBank.server.setFaults({ forceStatus: 401, forceCount: 2 });
    const refused = await queryData<any>(target, `mutation ($i: UpdateApplicationInput!) { updateApplication(input: $i) { dispatch { state lastError { code message } } } }`, {
      i: { applicationId, productName: 'refused' },
    });
    expect(refused.updateApplication.dispatch.state).toBe('FAILED');
    responses.push(JSON.stringify(refused)); // a response is no place for a secret either
    providers.leadBank.server.clearFaults();

    // An internal error, which the server logs in full (SQL, parameters, stack).
    const owner = new pg.Client({ connectionString: databaseUrl });
    await owner.connect();
    await owner.query('ALTER TABLE verification RENAME TO verification_away');
    const broken = await postGraphQL(target, `{ verification(authUuid: "3c90c3cc-0d44-4b50-8888-8dd25736052a") { authUuid } }`);
    expect(broken.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    await owner.query('ALTER TABLE verification_away RENAME TO verification');
    await owner.end();

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);

    const output = gateway.output();
    expect(output).toContain('"level":20'); // debug lines were written: the check saw everything
    expect(output).toContain('unexpected error while executing an operation');
    const secrets = {
      'database password': dbPassword,
      'JWT secret': jwtSecret,
      ...providers.secrets,
      ...Object.fromEntries(keys.map((k, i) => [`credential ${i}`, k])),
    };
    const scanned = [output, ...responses].join('\n');
    const leaked = Object.entries(secrets).filter(([, secret]) => scanned.includes(secret)).map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
