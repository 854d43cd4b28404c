import { loadConfig } from '../../../src/config.js';
import { captureLogs } from '../../support/log-capture.js';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData } from '../../support/graphql-client.js';
import { getMetrics, parseStrictly, scrape, type Scrape } from '../../support/prometheus-scrape.js';
import { executeOverWebSocket } from '../../support/ws-client.js';
import { connectRawSubscriber } from '../../support/raw-graphql-ws.js';
import WebSocket from 'ws';
import { REPORT_LEAD_EVENT, type Sandboxes, startMutationGateway } from '../mutations/mutation-harness.js';

/** Every family leadgraph itself exposes, with its type. */
const LEADGRAPH_FAMILIES = {
  leadgraph_graphql_operations_total: 'COUNTER',
  leadgraph_graphql_operation_duration_seconds: 'HISTOGRAM',
  leadgraph_provider_request_duration_seconds: 'HISTOGRAM',
  leadgraph_provider_errors_total: 'COUNTER',
  leadgraph_dispatch_attempts_total: 'COUNTER',
  leadgraph_dispatches_settled_total: 'COUNTER',
  leadgraph_dispatches_pending: 'GAUGE',
  leadgraph_outbox_depth: 'GAUGE',
  leadgraph_outbox_oldest_pending_age_seconds: 'GAUGE',
  leadgraph_provider_breaker_state: 'GAUGE',
  leadgraph_listen_connection_up: 'GAUGE',
  leadgraph_subscriptions_open: 'GAUGE',
  leadgraph_subscription_events_delivered_total: 'COUNTER',
  leadgraph_websocket_connections: 'GAUGE',
  leadgraph_websocket_closes_total: 'COUNTER',
} as const;

const PROVIDERS = ['TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD'];

describe('the strict Prometheus parser these tests read /metrics with', () => {
  const valid = [
    '# HELP a_total A counter.',
    '# TYPE a_total counter',
    'a_total{kind="x"} 3',
    '# HELP g A gauge.',
    '# TYPE g gauge',
    'g NaN',
    '# HELP h_seconds A histogram.',
    '# TYPE h_seconds histogram',
    'h_seconds_bucket{le="0.1",op="q"} 1',
    'h_seconds_bucket{le="+Inf",op="q"} 2',
    'h_seconds_sum{op="q"} 0.3',
    'h_seconds_count{op="q"} 2',
    '',
  ];

  it('reads valid text: counters, gauges (NaN included), labelled histograms', async () => {
    const parsed = await parseStrictly(valid.join('\n'));
    expect(parsed.value('a_total', { kind: 'x' })).toBe(3);
    expect(parsed.count('h_seconds', { op: 'q' })).toBe(2);
    expect(parsed.families.get('g')?.type).toBe('gauge');
  });

  it.each([
    ['a sample of no declared family', [...valid, 'stray 1']],
    ['a counter not named _total', valid.map((line) => line.replaceAll('a_total', 'a_count_of_things'))],
    ['a line that is not a sample', [...valid, 'a_total{kind="x"} three']],
    ['a histogram whose +Inf bucket is not its count', valid.map((line) => line.replace('h_seconds_count{op="q"} 2', 'h_seconds_count{op="q"} 5'))],
    ['buckets that are not cumulative', valid.map((line) => line.replace('h_seconds_bucket{le="0.1",op="q"} 1', 'h_seconds_bucket{le="0.1",op="q"} 7'))],
    ['a value that is almost NaN', [...valid.slice(0, -1), 'g NaNa', '']],
  ])('refuses %s', async (_what, lines) => {
    await expect(parseStrictly(lines.join('\n'))).rejects.toThrow();
  });
});

describe('/metrics', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;
  const metrics = () => scrape(gateway.url, gateway.metricsToken);

  beforeAll(async () => {
    ({ gateway, sandboxes } = await startMutationGateway());
  });
  afterAll(() => gateway.stop());

  /** Scrapes until `done` holds, re-checking after each scrape (bounded; no clock). */
  async function scrapeUntil(done: (scrape: Scrape) => boolean): Promise<Scrape> {
    for (let i = 0; i < 2000; i++) {
      const now = await metrics();
      if (done(now)) return now;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('the metrics never reached the expected state');
  }

  const techeaLead = () => seedLead(gateway.db, { techeaLeadId: sandboxes.techea.behavior.addLead() });
  const reportEvent = async (leadId: string, event = 'REGISTRATION') =>
    (await queryData<{ reportLeadEvent: { dispatch: { id: string; state: string } } }>(gateway.api, REPORT_LEAD_EVENT, { input: { leadId, event } }))
      .reportLeadEvent.dispatch;

  it('answers METRICS_TOKEN only: no credential or a wrong one 401, and every tenant credential too, an admin key included', async () => {
    const callers: Array<[string, string | undefined]> = [
      ['none', undefined],
      ['a wrong token', 'x'.repeat(40)],
      ['an unknown API key', `lgk_${randomUUID()}`],
      ...(['viewer', 'operator', 'admin'] as const).map((role): [string, string] => [`a ${role} key`, gateway.as(role).token!]),
      ["another tenant's admin key", gateway.other.token!],
    ];
    for (const [who, token] of callers) {
      const refused = await getMetrics(gateway.url, token);
      expect(refused.status, who).toBe(401);
      expect(JSON.parse(refused.body), who).toEqual({
        errors: [{ message: '/metrics needs "Authorization: Bearer <METRICS_TOKEN>".', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(refused.body).not.toContain('leadgraph_');
    }
  });

  it('answers the scraper in the Prometheus text format, which parses strictly: leadgraph families and the Node process metrics', async () => {
    const response = await getMetrics(gateway.url, gateway.metricsToken);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = await parseStrictly(response.body);
    for (const [name, type] of Object.entries(LEADGRAPH_FAMILIES)) expect(parsed.families.get(name)?.type, name).toBe(type.toLowerCase());
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(parsed.families.has(name), name).toBe(true);
    }
    // Counters of known series start at 0 rather than appearing on first use.
    for (const provider of PROVIDERS) {
      expect(parsed.value('leadgraph_dispatches_settled_total', { provider, state: 'FAILED' })).toBeGreaterThanOrEqual(0);
      expect(parsed.value('leadgraph_provider_errors_total', { provider, code: 'TIMEOUT' })).toBe(0);
    }
    for (const code of ['1001', '1013', '4401', '4410', '4419', '4429', '403', '429']) {
      expect(parsed.value('leadgraph_websocket_closes_total', { code }), code).toBeGreaterThanOrEqual(0);
    }
    // No label carries an id, a URL or a key.
    expect(response.body).not.toMatch(/http:\/\/|lgk_|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('counts GraphQL operations over HTTP by root fields, type and outcome, and observes their latency', async () => {
    const before = await metrics();
    for (let i = 0; i < 2; i++) await queryData(gateway.api, `query ObsLeadCount { leads(first: 1) { totalCount } }`);
    const forbidden = await postGraphQL(gateway.as('viewer'), `mutation ObsForbidden { createLead(input: { advertiserRef: "obs" }) { id } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const invalid = await postGraphQL(gateway.api, `query ObsInvalid { noSuchField }`);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await metrics();

    const delta = (labels: Record<string, string>) =>
      (after.value('leadgraph_graphql_operations_total', labels) ?? 0) - (before.value('leadgraph_graphql_operations_total', labels) ?? 0);
    const observed = (labels: Record<string, string>) =>
      (after.count('leadgraph_graphql_operation_duration_seconds', labels) ?? 0) -
      (before.count('leadgraph_graphql_operation_duration_seconds', labels) ?? 0);
    const success = { root_fields: 'leads', type: 'query', outcome: 'success', transport: 'http' };
    const error = { root_fields: 'createLead', type: 'mutation', outcome: 'error', transport: 'http' };
    // A document that does not validate never resolves to an operation.
    const rejected = { root_fields: '(unknown)', type: 'unknown', outcome: 'rejected', transport: 'http' };
    expect([delta(success), delta(error), delta(rejected)]).toEqual([2, 1, 1]);
    expect([observed(success), observed(error), observed(rejected)]).toEqual([2, 1, 1]);
    for (const labels of [success, error, rejected]) expect(delta({ ...labels, transport: 'ws' })).toBe(0);
    // Operation names are the caller's words: none becomes a label.
    expect(after.series('leadgraph_graphql_operations_total').flatMap((labels) => Object.keys(labels))).not.toContain('operation');
  });

  it('counts operations over WebSocket too, as transport "ws": queries and mutations timed, subscriptions counted once, at their start', async () => {
    const lead = await techeaLead();
    const before = await metrics();
    const socket = await connectRawSubscriber(gateway.as('viewer'));
    for (let i = 0; i < 2; i++) {
      expect(await socket.run(`query ObsWsSecretPortfolio { leads(first: 1) { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });
    }
    const forbidden = await socket.run(`mutation { createLead(input: { advertiserRef: "obs-ws" }) { id } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await socket.run(`{ noSuchField }`)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await socket.run(`{ leads { `)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    socket.subscribe('live', `subscription ObsWsLive($id: ID) { statusChanged(leadId: $id) { id } }`, { id: lead.leadId });

    const subscription = { root_fields: 'statusChanged', type: 'subscription', outcome: 'success', transport: 'ws' };
    const counted = (now: Scrape, labels: Record<string, string>) =>
      (now.value('leadgraph_graphql_operations_total', labels) ?? 0) - (before.value('leadgraph_graphql_operations_total', labels) ?? 0);
    const after = await scrapeUntil((now) => counted(now, subscription) === 1);
    const timed = (labels: Record<string, string>) =>
      (after.count('leadgraph_graphql_operation_duration_seconds', labels) ?? 0) - (before.count('leadgraph_graphql_operation_duration_seconds', labels) ?? 0);
    const success = { root_fields: 'leads', type: 'query', outcome: 'success', transport: 'ws' };
    const error = { root_fields: 'createLead', type: 'mutation', outcome: 'error', transport: 'ws' };
    const rejected = { root_fields: '(unknown)', type: 'unknown', outcome: 'rejected', transport: 'ws' };
    expect([counted(after, success), counted(after, error), counted(after, rejected), counted(after, subscription)]).toEqual([2, 1, 2, 1]);
    // A subscription lasts as long as its client wants: its life is no operation's latency.
    expect([timed(success), timed(error), timed(rejected), timed(subscription)]).toEqual([2, 1, 2, 0]);
    for (const labels of [success, error]) expect(counted(after, { ...labels, transport: 'http' })).toBe(0);
    // The caller's operation names are never labels, over the socket either.
    const body = (await getMetrics(gateway.url, gateway.metricsToken)).body;
    for (const word of ['ObsWsSecretPortfolio', 'ObsWsLive']) expect(body).not.toContain(word);
    await socket.close();
  });

  it('shows open WebSockets, and counts each end by its close code, and each refused upgrade by its HTTP status', async () => {
    const closes = (now: Scrape, code: string) => now.value('leadgraph_websocket_closes_total', { code }) ?? 0;
    const before = await scrapeUntil((now) => now.value('leadgraph_websocket_connections') === 0);
    const sockets = [await connectRawSubscriber(gateway.api), await connectRawSubscriber(gateway.as('viewer'))];
    expect((await metrics()).value('leadgraph_websocket_connections')).toBe(2);

    await expect(connectRawSubscriber({ url: gateway.url, token: `lgk_${'q'.repeat(43)}` })).rejects.toThrow(/"code":4401/);
    const foreign = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin: 'https://elsewhere.example' });
    foreign.on('error', () => undefined);
    const [, refusal] = (await once(foreign, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(refusal.statusCode).toBe(403);
    // Dropped by the client without a close frame: 1006, as the server sees it.
    for (const socket of sockets) await socket.close();

    const after = await scrapeUntil((now) => now.value('leadgraph_websocket_connections') === 0 && closes(now, '1006') - closes(before, '1006') === 2);
    expect(['4401', '403', '1006', '4429'].map((code) => closes(after, code) - closes(before, code))).toEqual([1, 1, 2, 0]);
  });

  describe('dispatches and provider calls', () => {
    let before: Scrape;
    const delta = (after: Scrape, name: string, labels: Record<string, string>) =>
      (after.value(name, labels) ?? after.count(name, labels) ?? 0) - (before.value(name, labels) ?? before.count(name, labels) ?? 0);

    it('counts a success: one attempt, one settlement, one provider call answered 2xx, no error', async () => {
      const lead = await techeaLead();
      before = await metrics();
      const dispatch = await reportEvent(lead.leadId);
      expect(dispatch.state).toBe('SUCCEEDED');
      const after = await metrics();
      expect(delta(after, 'leadgraph_dispatch_attempts_total', { provider: 'TECHEA', outcome: 'succeeded' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatches_settled_total', { provider: 'TECHEA', state: 'SUCCEEDED' })).toBe(1);
      expect(delta(after, 'leadgraph_provider_request_duration_seconds', { provider: 'TECHEA', outcome: '2xx' })).toBe(1);
      expect(delta(after, 'leadgraph_graphql_operations_total', { root_fields: 'reportLeadEvent', type: 'mutation', outcome: 'success', transport: 'http' })).toBe(1);
      for (const code of ['UNAVAILABLE', 'REJECTED', 'TIMEOUT']) {
        expect(delta(after, 'leadgraph_provider_errors_total', { provider: 'TECHEA', code })).toBe(0);
      }
    });

    it('counts a transient failure retried by the poller: a 503 (UNAVAILABLE, retry), then the success', async () => {
      const lead = await techeaLead();
      before = await metrics();
      sandboxes.techea.server.setFaults({ forceStatus: 503, forceCount: 1 });
      const dispatch = await reportEvent(lead.leadId);
      expect(dispatch.state).toBe('PENDING');
      expect((await gateway.dispatcher.settled(DEFAULT_TENANT, dispatch.id)).state).toBe('SUCCEEDED');
      const after = await metrics();
      expect(delta(after, 'leadgraph_provider_errors_total', { provider: 'TECHEA', code: 'UNAVAILABLE' })).toBe(1);
      expect(delta(after, 'leadgraph_provider_request_duration_seconds', { provider: 'TECHEA', outcome: '5xx' })).toBe(1);
      expect(delta(after, 'leadgraph_provider_request_duration_seconds', { provider: 'TECHEA', outcome: '2xx' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatch_attempts_total', { provider: 'TECHEA', outcome: 'retry' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatch_attempts_total', { provider: 'TECHEA', outcome: 'succeeded' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatches_settled_total', { provider: 'TECHEA', state: 'SUCCEEDED' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatches_settled_total', { provider: 'TECHEA', state: 'FAILED' })).toBe(0);
    });

    it('counts a refusal: REJECTED, settled FAILED at once', async () => {
      const lead = await techeaLead();
      before = await metrics();
      sandboxes.techea.server.setFaults({ forceStatus: 422, forceCount: 1 });
      const dispatch = await reportEvent(lead.leadId);
      expect(dispatch.state).toBe('FAILED');
      const after = await metrics();
      expect(delta(after, 'leadgraph_provider_errors_total', { provider: 'TECHEA', code: 'REJECTED' })).toBe(1);
      expect(delta(after, 'leadgraph_provider_request_duration_seconds', { provider: 'TECHEA', outcome: '4xx' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatch_attempts_total', { provider: 'TECHEA', outcome: 'refused' })).toBe(1);
      expect(delta(after, 'leadgraph_dispatches_settled_total', { provider: 'TECHEA', state: 'FAILED' })).toBe(1);
      // Other providers did not move.
      expect(delta(after, 'leadgraph_dispatches_settled_total', { provider: 'LEAD_BANK', state: 'FAILED' })).toBe(0);
    });
  });

  it('reads the outbox at scrape time: PENDING by provider, the depth, and the age of the oldest', async () => {
    const idle = await metrics();
    expect(idle.value('leadgraph_outbox_depth')).toBe(0);
    expect(idle.value('leadgraph_outbox_oldest_pending_age_seconds')).toBe(0);
    // A dispatch recorded 90 s ago, not due for an hour: no poller touches it.
    const [row] = await gateway.db.query<Array<{ id: string }>>(
      `INSERT INTO dispatch (tenant_id, provider, operation, payload, idempotency_key, request_hash, state, attempts, max_attempts,
                             run_at, created_at)
       VALUES ($1, 'LEAD_BANK', 'updateApplication', '{}', $2, 'h', 'PENDING', 1, 8, now() + interval '1 hour', now() - interval '90 seconds')
       RETURNING id`,
      [DEFAULT_TENANT, `obs-${randomUUID()}`],
    );
    try {
      const pending = await metrics();
      expect(Object.fromEntries(PROVIDERS.map((provider) => [provider, pending.value('leadgraph_dispatches_pending', { provider })]))).toEqual({
        TECHEA: 0,
        LEAD_BANK: 1,
        TECALIS: 0,
        DECISION_CLOUD: 0,
      });
      expect(pending.value('leadgraph_outbox_depth')).toBe(1);
      expect(pending.value('leadgraph_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);
      expect(pending.value('leadgraph_outbox_oldest_pending_age_seconds')).toBeLessThan(3600);
    } finally {
      await gateway.db.query(`DELETE FROM dispatch WHERE id = $1`, [row!.id]);
    }
    const drained = await metrics();
    expect(drained.value('leadgraph_dispatches_pending', { provider: 'LEAD_BANK' })).toBe(0);
    expect(drained.value('leadgraph_outbox_depth')).toBe(0);
  });

  it('shows open subscriptions and the status changes delivered to them', async () => {
    const lead = await techeaLead();
    const before = await metrics();
    expect(before.value('leadgraph_subscriptions_open')).toBe(0);
    const first = executeOverWebSocket(gateway.url, gateway.api.token, `subscription ($id: ID) { statusChanged(leadId: $id) { id to } }`, { id: lead.leadId }, {
      firstEvent: true,
    });
    await scrapeUntil((now) => now.value('leadgraph_subscriptions_open') === 1);
    await reportEvent(lead.leadId);
    expect(await first).toMatchObject({ kind: 'result', result: { data: { statusChanged: { to: 'REGISTRATION' } } } });
    // The client has gone: the subscription closes, and the delivery stays counted.
    const after = await scrapeUntil((now) => now.value('leadgraph_subscriptions_open') === 0);
    const delivered = (after.value('leadgraph_subscription_events_delivered_total') ?? 0) - (before.value('leadgraph_subscription_events_delivered_total') ?? 0);
    expect(delivered).toBe(1);
  });

  it("shows each provider's breaker and the LISTEN connection", async () => {
    const now = await metrics();
    for (const provider of PROVIDERS) {
      expect([
        now.value('leadgraph_provider_breaker_state', { provider, state: 'closed' }),
        now.value('leadgraph_provider_breaker_state', { provider, state: 'open' }),
        now.value('leadgraph_provider_breaker_state', { provider, state: 'half-open' }),
      ]).toEqual([1, 0, 0]);
    }
    expect(now.value('leadgraph_listen_connection_up')).toBe(1);
  });

  it("never shows a tenant's words: operation names, aliases and fragments are not labels; root fields are, bounded", async () => {
    await queryData(gateway.other, `query AcmeBankSecretPortfolioReview { secretAlias: leads(first: 1) { totalCount } }`);
    await queryData(gateway.api, `query Two { lead1: leads(first: 1) { totalCount } dispatch(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    await queryData(gateway.api, `query Three { ...Root } fragment Root on Query { leads(first: 1) { totalCount } dispatch(id: "00000000-0000-4000-8000-000000000000") { id } apiKeys { id } }`);
    const response = await getMetrics(gateway.url, gateway.metricsToken);
    for (const word of ['AcmeBankSecretPortfolioReview', 'secretAlias', 'lead1', 'Root', 'Three']) expect(response.body).not.toContain(word);
    const roots = new Set((await parseStrictly(response.body)).series('leadgraph_graphql_operations_total').map((labels) => labels.root_fields));
    expect(roots).toContain('leads');
    expect(roots).toContain('dispatch,leads');
    expect(roots).toContain('(several)');
  });

  it("keeps a registry per gateway: one gateway's traffic does not move another's counters", async () => {
    const second = await startTestGateway();
    try {
      await queryData(gateway.api, `{ apiKeys { id } }`);
      await queryData(second.api, `{ leads(first: 1) { totalCount } }`);
      const [atFirst, atSecond] = [await metrics(), await scrape(second.url, second.metricsToken)];
      const ops = (s: Scrape) => s.series('leadgraph_graphql_operations_total').map((labels) => labels.root_fields);
      expect(ops(atSecond)).toEqual(['leads']);
      expect(ops(atFirst)).toContain('apiKeys');
      expect(atSecond.value('leadgraph_dispatches_settled_total', { provider: 'TECHEA', state: 'SUCCEEDED' })).toBe(0);
      expect(atSecond.families.has('process_cpu_user_seconds_total')).toBe(true);
    } finally {
      await second.stop();
    }
  });
});

describe('/metrics without METRICS_TOKEN', () => {
  it('is off (404), and the start says how to turn it on', async () => {
    const logs = captureLogs('info');
    const gateway = await startTestGateway({ env: { METRICS_TOKEN: '' }, logger: logs.logger });
    try {
      const response = await getMetrics(gateway.url, gateway.api.token);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toEqual({ errors: [{ message: '/metrics is off: set METRICS_TOKEN to turn it on.', extensions: { code: 'NOT_FOUND' } }] });
      expect(logs.entries().map((entry) => entry.msg)).toContain(
        'METRICS_TOKEN is not set: /metrics is off. Set it (32 characters or more) and scrape with "Authorization: Bearer <token>".',
      );
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a token shorter than 32 characters at start', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});

