import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/app.js';
import { sandboxCommand } from '../../../src/cli/sandbox-command.js';
import { loadConfig } from '../../../src/config.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_PROVIDERS } from '../../../src/providers/index.js';
import { type NoteLeadCommand, QUINTA, QUINTA_TOKEN_HEADER, type QuintaSandbox } from '../../fixtures/fifth-provider/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/**
 * Issue #21's claim: a provider is one folder. Quinta lives in `test/fixtures/fifth-provider/`
 * only; the line below is all that adds it. Every shared part that deals with providers
 * (configuration, the start of the providers, mirroring, the outbox and its breakers,
 * the metrics, the CLI) must then handle it without a change of its own.
 */
const PROVIDERS = [...DEFAULT_PROVIDERS, QUINTA];

const METRICS_TOKEN = 'fifth-provider-metrics-token-0123456789';

describe('a fifth provider, defined in its own folder and added to the list', () => {
  let database: TestDatabase;
  let gateway: Gateway;
  let quinta: QuintaSandbox;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig(
      {
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        METRICS_TOKEN,
        RATE_LIMIT_STORE: 'memory',
        AUTH_FAILURES_PER_MINUTE: '2',
        // The demo data set is what gets mirrored into the sandboxes on an empty database.
        DEMO_DATA: 'auto',
        DISPATCH_BACKOFF_BASE_MS: '10',
        DISPATCH_BACKOFF_MAX_MS: '20',
        DISPATCH_POLL_MS: '50',
      },
      { providers: PROVIDERS },
    );
    gateway = await startGateway(config, createLogger('silent'));
    quinta = gateway.providers.sandboxes.QUINTA!.behavior as QuintaSandbox;
  });
  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  it('is configured: live with its base URL and credentials, its sandbox otherwise, its records from its own variable', () => {
    const live = loadConfig({ QUINTA_BASE_URL: 'https://crm.quinta.example/api', QUINTA_API_KEY: 'quinta-key' }, { providers: PROVIDERS });
    expect(live.providers.quinta).toMatchObject({ baseUrl: new URL('https://crm.quinta.example/api') });
    expect(JSON.stringify(live.providers)).not.toContain('quinta-key');
    expect(() => loadConfig({ QUINTA_BASE_URL: 'https://crm.quinta.example/api' }, { providers: PROVIDERS })).toThrow(
      'QUINTA_API_KEY: expected a value, because QUINTA_BASE_URL is set, but got nothing',
    );
    expect(loadConfig({ SANDBOX_QUINTA_LEADS: 'lead-a,lead-b' }, { providers: PROVIDERS }).providers.sandboxRecords.quintaLeadRefs).toEqual(['lead-a', 'lead-b']);
    expect(gateway.providers.endpoints.find((e) => e.provider === 'QUINTA')).toMatchObject({ mode: 'sandbox' });
  });

  it('is mirrored: its built-in sandbox holds every lead of the demo data set, and its own sample', async () => {
    const leads = await gateway.db.query<Array<{ id: string }>>(`SELECT id FROM lead`);
    expect(leads.length).toBeGreaterThan(0);
    expect(quinta.leadRefs().sort()).toEqual([...leads.map((l) => l.id), 'quinta-sample-1'].sort());
  });

  it('is dispatched to through the outbox, retried after a transient failure under its own breaker, and logged', async () => {
    const [lead] = await gateway.db.query<Array<{ id: string }>>(`SELECT id FROM lead ORDER BY id LIMIT 1`);
    const command: NoteLeadCommand = { operation: 'noteLead', leadRef: lead!.id, note: 'called back, wants the 24-month term' };
    gateway.providers.sandboxes.QUINTA!.setFaults({ forceStatus: 503, forceCount: 1 });
    const submitted = await gateway.dispatcher.submit({
      tenantId: DEFAULT_TENANT,
      provider: QUINTA.id,
      command,
      leadId: lead!.id,
      idempotencyKey: undefined,
      requestHash: requestHash(command),
    });
    const settled = await gateway.dispatcher.settled(DEFAULT_TENANT, submitted.id);
    expect(settled).toMatchObject({ provider: 'QUINTA', operation: 'noteLead', state: 'SUCCEEDED', attempts: 2 });
    expect(settled.result).toMatchObject({ operation: 'noteLead', result: { leadRef: lead!.id, noteCount: 1 } });
    // Both attempts carried one key: the sandbox recorded one note.
    expect(quinta.notesOf(lead!.id)).toEqual([command.note]);
    const log = await gateway.db.query<Array<{ provider: string; entity_id: string; to_status: string }>>(
      `SELECT provider, entity_id, to_status FROM status_change WHERE dispatch_id = $1 AND kind = 'DISPATCH' ORDER BY id`,
      [submitted.id],
    );
    expect(log).toEqual([{ provider: 'QUINTA', entity_id: lead!.id, to_status: 'SUCCEEDED' }]);
  });

  it('is counted in /metrics under its id, with series of its own from the start', async () => {
    const response = await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('leadgraph_dispatch_attempts_total{provider="QUINTA",outcome="retry"} 1');
    expect(text).toContain('leadgraph_dispatch_attempts_total{provider="QUINTA",outcome="succeeded"} 1');
    expect(text).toContain('leadgraph_dispatches_settled_total{provider="QUINTA",state="SUCCEEDED"} 1');
    expect(text).toContain('leadgraph_provider_errors_total{provider="QUINTA",code="UNAVAILABLE"} 1');
    expect(text).toMatch(/leadgraph_provider_request_duration_seconds_count\{provider="QUINTA",outcome="2xx"\} 1\n/);
    expect(text).toContain('leadgraph_provider_breaker_state{provider="QUINTA",state="closed"} 1');
    expect(text).toContain('leadgraph_dispatches_pending{provider="QUINTA"} 0');
  });

  it('takes its webhooks at /webhooks/quinta: its sandbox signs with the token made up for it, a forger is refused and counted', async () => {
    const [lead] = await gateway.db.query<Array<{ id: string }>>(`SELECT id FROM lead ORDER BY id LIMIT 1`);
    expect(await quinta.noteInCrm(lead!.id, 'asked for a call on Monday')).toBe(200);
    const forge = () =>
      fetch(new URL('/webhooks/quinta', gateway.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [QUINTA_TOKEN_HEADER]: 'guessed' },
        body: JSON.stringify({ lead_ref: lead!.id, note: 'forged' }),
      });
    expect((await forge()).status).toBe(401);
    expect((await forge()).status).toBe(401);
    // AUTH_FAILURES_PER_MINUTE=2: the gateway's budget, in front of every provider's routes.
    expect((await forge()).status).toBe(429);
  });

  it('is listed by `leadgraph sandbox`, with the settings that make a gateway use it as live', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const code = await sandboxCommand(['--port', '0'], createLogger('silent'), out, { providers: PROVIDERS, env: {}, stopped: Promise.resolve() });
    expect(code).toBe(0);
    expect(printed).toMatch(/^QUINTA_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(printed).toMatch(/^QUINTA_API_KEY=qk_[0-9a-f]{32}$/m);
    expect(printed).toContain('  Quinta leads: quinta-sample-1\n');
    // What it prints configures a gateway with Quinta live.
    const settings = Object.fromEntries(printed.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(loadConfig(settings, { providers: PROVIDERS }).providers.quinta).toMatchObject({ baseUrl: new URL(settings.QUINTA_BASE_URL!) });
  });
});
