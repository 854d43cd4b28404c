import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { scrape } from '../../support/prometheus-scrape.js';
import { REPORT_LEAD_EVENT } from '../mutations/mutation-harness.js';

const ALL_CLOSED = { TECHEA: 'closed', LEAD_BANK: 'closed', TECALIS: 'closed', DECISION_CLOUD: 'closed' };

describe('/healthz and /readyz', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // One failure opens a breaker, which stays open for the rest of the file.
    gateway = await startTestGateway({ env: { BREAKER_FAILURE_THRESHOLD: '1', BREAKER_COOLDOWN_MS: '600000', DISPATCH_WAIT_MS: '20000' } });
  });
  afterAll(() => gateway.stop());

  const readyz = async () => {
    const response = await fetch(new URL('/readyz', gateway.url));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Reads /readyz until `done` holds, doing `between` before each read (bounded; no clock). */
  async function readyzUntil(done: (answer: Awaited<ReturnType<typeof readyz>>) => boolean, between: () => Promise<unknown> = () => Promise.resolve()) {
    for (let i = 0; i < 2000; i++) {
      await between();
      const answer = await readyz();
      if (done(answer)) return answer;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('/readyz never reached the expected state');
  }

  it('/healthz: the process is alive, no credentials needed', async () => {
    const response = await fetch(new URL('/healthz', gateway.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz reports each part, without credentials and without secrets: database, migrations, LISTEN connection, breakers', async () => {
    const response = await fetch(new URL('/readyz', gateway.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'ready', database: 'ok', migrations: 'applied', listen: 'up', breakers: ALL_CLOSED });
    expect(text).not.toMatch(/postgres|password|lgk_/i);
  });

  it('is 503 while the LISTEN connection is down, and ready again once it has reconnected', async () => {
    // Ends the LISTEN backend of this gateway's database (others' run beside it), again
    // after each read that still says "up", until a read sees it down.
    const terminate = () =>
      gateway.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'leadgraph-listen' AND datname = current_database()`,
      );
    const down = await readyzUntil((answer) => answer.status === 503, terminate);
    expect(down.body).toEqual({ status: 'not ready', database: 'ok', migrations: 'applied', listen: 'down', breakers: ALL_CLOSED });

    const back = await readyzUntil((answer) => answer.status === 200);
    expect(back.body).toEqual({ status: 'ready', database: 'ok', migrations: 'applied', listen: 'up', breakers: ALL_CLOSED });
    expect((await scrape(gateway.url, gateway.metricsToken)).value('leadgraph_listen_connection_up')).toBe(1);
  });

  it('reports an open breaker and stays ready (the mutation waits in the outbox for the provider)', async () => {
    const techea = gateway.providers.sandboxes.TECHEA!;
    const lead = await seedLead(gateway.db, { techeaLeadId: (techea.behavior as TecheaSandbox).addLead() });
    techea.setFaults({ forceStatus: 503, forceCount: 1 });
    const answer = await queryData<{ reportLeadEvent: { dispatch: { state: string } } }>(gateway.api, REPORT_LEAD_EVENT, {
      input: { leadId: lead.leadId, event: 'REGISTRATION' },
    });
    expect(answer.reportLeadEvent.dispatch.state).toBe('PENDING');

    const ready = await readyz();
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', database: 'ok', migrations: 'applied', listen: 'up', breakers: { ...ALL_CLOSED, TECHEA: 'open' } },
    });
    const metrics = await scrape(gateway.url, gateway.metricsToken);
    expect(metrics.value('leadgraph_provider_breaker_state', { provider: 'TECHEA', state: 'open' })).toBe(1);
    expect(metrics.value('leadgraph_provider_breaker_state', { provider: 'TECHEA', state: 'closed' })).toBe(0);
    expect(metrics.value('leadgraph_dispatches_pending', { provider: 'TECHEA' })).toBe(1);
    expect(metrics.value('leadgraph_outbox_depth')).toBe(1);
    expect(metrics.value('leadgraph_outbox_oldest_pending_age_seconds')).toBeGreaterThan(0);
  });
});
