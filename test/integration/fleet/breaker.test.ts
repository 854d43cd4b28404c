import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { seedLead } from '../../support/fixtures.js';
import {
  type Fleet,
  type FleetDispatchView as DispatchView,
  type FleetInstance,
  REPORT_LEAD_EVENT_DISPATCH as REPORT_LEAD_EVENT,
  startFleet,
} from '../../support/fleet.js';
import { queryData } from '../../support/graphql-client.js';
import { startLiveSandboxes } from '../../support/live-sandboxes.js';

const THRESHOLD = 3;

describe(`one TECHEA circuit breaker for a fleet of three instances (BREAKER_FAILURE_THRESHOLD=${THRESHOLD})`, () => {
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let fleet: Fleet;

  beforeAll(async () => {
    // One TECHEA for the whole fleet, as in production: every instance calls it as the live provider.
    sandboxes = await startLiveSandboxes();
    fleet = await startFleet(3, {
      ...sandboxes.env,
      BREAKER_FAILURE_THRESHOLD: String(THRESHOLD),
      // Ten minutes: no cool-down ends by itself during the test; the test ends one by hand.
      BREAKER_COOLDOWN_MS: '600000',
      DISPATCH_POLL_MS: '20',
      DISPATCH_BACKOFF_BASE_MS: '10',
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await sandboxes?.stop();
  });

  /** A TECHEA event for a fresh lead, reported through `instance`. */
  async function reportThrough(instance: FleetInstance): Promise<DispatchView> {
    const techea = sandboxes.techea.behavior;
    const lead = await seedLead(fleet.first.db, { techeaLeadId: techea.addLead() });
    const data = await queryData<{ reportLeadEvent: { dispatch: DispatchView } }>(instance.at(fleet.first.api.token!), REPORT_LEAD_EVENT, {
      i: { leadId: lead.leadId, event: 'REGISTRATION' },
    });
    return data.reportLeadEvent.dispatch;
  }

  it('opens for every instance at the threshold of failures counted across them, then lets exactly one probe through per cool-down', async () => {
    const server = sandboxes.techea.server;
    // Every call fails; Retry-After puts each retry an hour away, so the only calls are
    // first attempts and probes, and the count of calls is exact.
    server.setFaults({ forceStatus: 503, forceCount: 1_000_000, retryAfterSeconds: 3_600 });
    const before = server.stats.calls;

    // Six mutations, one after another, round the instances: A B C A B C.
    const dispatches: DispatchView[] = [];
    for (let i = 0; i < 6; i++) dispatches.push(await reportThrough(fleet.instances[i % 3]!));

    // The first three were sent and failed, one through each instance: together they open it.
    expect(dispatches.slice(0, THRESHOLD)).toEqual(
      Array.from({ length: THRESHOLD }, () => expect.objectContaining({ state: 'PENDING', attempts: 1, lastError: { code: 'UNAVAILABLE' } })),
    );
    // The next three, one through each instance again, were accepted and held: no attempt, no call.
    expect(dispatches.slice(THRESHOLD)).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ state: 'PENDING', attempts: 0, lastError: null })),
    );
    expect(server.stats.calls - before).toBe(THRESHOLD);
    for (const { gateway } of fleet.instances) expect(gateway.dispatcher.breakerStates().TECHEA).toBe('open');

    // The cool-down ends for the fleet (its opening moved an hour back), and all six dispatches
    // are due now: every instance's poller claims some and tries to send them.
    const marks = fleet.instances.map(({ logs }) => logs.lines.length);
    const db = fleet.first.db;
    await db.query(`UPDATE dispatch SET run_at = now() WHERE state = 'PENDING'`);
    await db.query(`UPDATE provider_breaker SET opened_at = opened_at - interval '1 hour', version = version + 1 WHERE provider = 'TECHEA'`);

    // One of them won the probe; it failed, and its retry was scheduled (after the breaker reopened).
    const retried = await Promise.race(
      fleet.instances.map(({ logs }, i) => logs.until((line) => line.msg === 'dispatch will be retried' && line.provider === 'TECHEA', marks[i])),
    );
    expect(dispatches.map((d) => d.id)).toContain(retried.dispatchId);
    expect(server.stats.calls - before).toBe(THRESHOLD + 1);
    const [row] = await db.query<[{ reopened: boolean; probe_owner: string | null }]>(
      `SELECT opened_at > now() - interval '1 minute' AS reopened, probe_owner FROM provider_breaker WHERE provider = 'TECHEA'`,
    );
    // Open again, for a whole new cool-down: the other due dispatches wait for the next probe.
    expect(row).toEqual({ reopened: true, probe_owner: null });
  });
});

describe('while the shared breaker cannot be read (its table is gone)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(1, { BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: '600000', DISPATCH_POLL_MS: '20' });
  });
  afterAll(() => fleet?.stop());

  it('an instance counts failures on its own view, opens at the threshold, says so, and takes the shared state back with the table', async () => {
    const [only] = fleet.instances;
    const server = fleet.first.providers.sandboxes.TECHEA as SandboxServer;
    const techea = server.behavior as TecheaSandbox;
    const report = async () => {
      const lead = await seedLead(fleet.first.db, { techeaLeadId: techea.addLead() });
      const data = await queryData<{ reportLeadEvent: { dispatch: DispatchView } }>(only!.at(fleet.first.api.token!), REPORT_LEAD_EVENT, {
        i: { leadId: lead.leadId, event: 'REGISTRATION' },
      });
      return data.reportLeadEvent.dispatch;
    };
    server.setFaults({ forceStatus: 503, forceCount: 1_000_000, retryAfterSeconds: 3_600 });
    const mark = only!.logs.lines.length;
    const db = fleet.first.db;
    await db.query(`ALTER TABLE provider_breaker RENAME TO provider_breaker_away`);
    try {
      const before = server.stats.calls;
      const sent = [await report(), await report()];
      expect(sent).toEqual([expect.objectContaining({ attempts: 1, lastError: { code: 'UNAVAILABLE' } }), expect.objectContaining({ attempts: 1 })]);
      expect(only!.gateway.dispatcher.breakerStates().TECHEA).toBe('open');
      // Held by this instance's own view: accepted, not sent.
      expect(await report()).toMatchObject({ state: 'PENDING', attempts: 0, lastError: null });
      expect(server.stats.calls - before).toBe(2);
      const warning = await only!.logs.until((line) => line.provider === 'TECHEA' && line.level === 40, mark);
      expect(warning.msg).toMatch(/^the shared circuit breaker cannot be read or written/);
    } finally {
      await db.query(`ALTER TABLE provider_breaker_away RENAME TO provider_breaker`);
      server.clearFaults();
    }
    // The table is back, with no row for TECHEA: the fleet's breaker is closed, and so is this instance's view at its next read.
    expect(await report()).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    expect(only!.gateway.dispatcher.breakerStates().TECHEA).toBe('closed');
  });
});
