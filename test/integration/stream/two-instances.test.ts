import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { STATUS_CHANGE_CHANNEL } from '../../../src/events/status-change-log.js';
import { createLogger } from '../../../src/logger.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway, TEST_CONNECTIONS_KEY } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import { idsOf, type StatusChangedArgs, type StatusSubscription, subscribeToStatusChanges, untilLive } from '../../support/status-subscription.js';

const REPORT_LEAD_EVENT = `mutation ($input: ReportLeadEventInput!) {
  reportLeadEvent(input: $input) { outcome lead { id lastEvent history(first: 1) { id provider entityId from to } } }
}`;

describe('two gateway instances on one database', () => {
  /** Instance A: where the changes are made. */
  let a: TestGateway;
  /** Instance B: where the subscribers are. Its own process state, hub and LISTEN connection; A's keys work on it (same database). */
  let b: Gateway;
  let databaseUrl: string;
  const open: StatusSubscription[] = [];
  const subscribeToB = (args: StatusChangedArgs = {}) => {
    const subscription = subscribeToStatusChanges({ url: b.url, token: a.api.token! }, args);
    open.push(subscription);
    return subscription;
  };

  /** A TECHEA event reported through instance A's API: the change a real client makes. */
  async function reportThroughA(leadId: string, event: string): Promise<{ id: string }> {
    const { reportLeadEvent } = await queryData<{ reportLeadEvent: any }>(a.api, REPORT_LEAD_EVENT, { input: { leadId, event } });
    expect(reportLeadEvent.outcome).toBe('RECEIVED');
    return reportLeadEvent.lead.history[0];
  }
  const techeaLead = () => seedLead(a.db, { techeaLeadId: (a.providers.sandboxes.TECHEA!.behavior as TecheaSandbox).addLead() });

  beforeAll(async () => {
    a = await startTestGateway({ env: { DISPATCH_WAIT_MS: '20000', PROVIDER_TIMEOUT_MS: '10000' } });
    databaseUrl = (a.db.options as { url: string }).url;
    b = await startGateway(
      loadConfig({
        CONNECTIONS_KEY: TEST_CONNECTIONS_KEY,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        RATE_LIMIT_PER_SECOND: '100000',
        SUBSCRIPTION_STARTS_PER_MINUTE: '100000',
      }),
      createLogger('silent'),
    );
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscription) => subscription.close()));
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it("delivers a mutation made through A to a subscriber of B that subscribed with `after`", async () => {
    const lead = await techeaLead();
    const subscriber = subscribeToB({ after: await lastChangeId(a.db) });

    const made = await reportThroughA(lead.leadId, 'REGISTRATION');

    await subscriber.untilId(made.id);
    expect(subscriber.changes).toMatchObject([{ id: made.id, leadId: lead.leadId, provider: 'TECHEA', entityId: lead.techeaLeadId, from: null, to: 'REGISTRATION' }]);
  });

  it("delivers a RecordWriter transaction committed on A's pool to B's subscriber, in order, once each", async () => {
    const lead = await seedLead(a.db);
    const subscriber = subscribeToB({ after: await lastChangeId(a.db), leadId: lead.leadId });
    const first = await appendChanges(a.db, [change(lead.leadId, Provider.LEAD_BANK, 'x1'), change(lead.leadId, Provider.TECALIS, 'x2')]);
    await subscriber.untilId(first.at(-1)!);
    // Once B has caught up, the next ones come live, by B's LISTEN connection.
    const second = await appendChanges(a.db, [change(lead.leadId, Provider.DECISION_CLOUD, 'x3')]);
    await subscriber.untilId(second[0]!);
    expect(idsOf(subscriber.changes)).toEqual([...first, ...second]);
  });

  it('delivers a mutation made through A to a subscriber of B WITHOUT `after`, once B has it registered', async () => {
    const lead = await techeaLead();
    const probeLead = await seedLead(a.db);
    const subscriber = subscribeToB();
    // The clock (with `after`, on B) tells when B has handed out each probe change.
    const clock = subscribeToB({ after: await lastChangeId(a.db) });
    const probes = await untilLive(subscriber, clock, async () => (await appendChanges(a.db, [change(probeLead.leadId, Provider.TECHEA, 'probe')]))[0]!);

    const made = await reportThroughA(lead.leadId, 'REGISTRATION');

    await subscriber.untilId(made.id);
    const [last, ...earlier] = [...subscriber.changes].reverse();
    expect(last).toMatchObject({ id: made.id, leadId: lead.leadId, provider: 'TECHEA', to: 'REGISTRATION' });
    // Before it, only probes it was registered in time for: nothing twice, nothing else.
    expect(earlier.every((c) => probes.includes(c.id))).toBe(true);
    expect(new Set(idsOf(subscriber.changes)).size).toBe(subscriber.changes.length);
  });

  it("keeps a subscriber of B supplied when the instances' LISTEN connections are cut, and LISTENs again", async () => {
    const lead = await seedLead(a.db);
    const subscriber = subscribeToB({ leadId: lead.leadId });
    const clock = subscribeToB({ after: await lastChangeId(a.db), leadId: lead.leadId });
    await untilLive(subscriber, clock, async () => (await appendChanges(a.db, [change(lead.leadId, Provider.TECHEA, 'probe')]))[0]!);

    // As a database failover or an idle-connection killer would.
    const listeners = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'leadgraph-listen'`;
    await a.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'leadgraph-listen'`);
    // Written while B is (most likely) not listening: it is read from the log when B reconnects.
    const [duringOutage] = await appendChanges(a.db, [change(lead.leadId, Provider.LEAD_BANK, 'during-outage')]);
    await subscriber.untilId(duringOutage!);

    // Both instances listen again (each opens one LISTEN connection)…
    for (;;) if ((await a.db.query<Array<{ n: number }>>(listeners))[0]!.n === 2) break;
    // …and a later change arrives as before.
    const [afterwards] = await appendChanges(a.db, [change(lead.leadId, Provider.TECALIS, 'after-reconnect')]);
    await subscriber.untilId(afterwards!);
    const tail = subscriber.changes.filter((c) => c.entityId !== 'probe');
    expect(idsOf(tail)).toEqual([duringOutage, afterwards]);
  });

  it('publishes `<tenant>:<id>` on the channel only once the change is committed and readable', async () => {
    const lead = await seedLead(a.db);
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    try {
      await listener.query(`LISTEN ${STATUS_CHANGE_CHANNEL}`);
      const notified = new Promise<{ payload: string; visible: unknown[] }>((resolve) => {
        listener.once('notification', (message) => {
          const payload = message.payload ?? '';
          // Read the row the moment the notification arrives: it must already be committed.
          void listener
            .query(`SELECT id::text FROM status_change WHERE id = $1`, [payload.slice(payload.lastIndexOf(':') + 1)])
            .then((result) => resolve({ payload, visible: result.rows }));
        });
      });
      const [id] = await appendChanges(a.db, [change(lead.leadId, Provider.TECHEA, 'notified')]);
      const { payload, visible } = await notified;
      expect(payload).toBe(`default:${id}`);
      expect(visible).toEqual([{ id }]);
    } finally {
      await listener.end();
    }
  });
});
