import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../../src/graphql/resolvers/status-change.resolver.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { connectRawSubscriber, type RawSubscriber } from '../../support/raw-graphql-ws.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import { idsOf, STATUS_CHANGED, type StatusSubscription, strictlyIncreasing, subscribeToStatusChanges, untilLive } from '../../support/status-subscription.js';

const BUFFER = 5;
/**
 * Big changes, so that a subscriber that does not read stalls the server's sends after a
 * few of them: loopback TCP buffers hold at most a few MB here (the sender's buffer grows
 * to net.ipv4.tcp_wmem's 4 MB at most; a receiver that does not read does not grow its own).
 * 64 changes of 256 KiB (16 MiB) are several times that.
 */
const BIG = 'x'.repeat(256 * 1024);
const BIG_CHANGES = 64;

describe(`a subscriber that falls more than SUBSCRIPTION_BUFFER (${BUFFER}) changes behind`, () => {
  let gateway: TestGateway;
  const toClose: Array<StatusSubscription | RawSubscriber> = [];
  const subscribe = (args: Parameters<typeof subscribeToStatusChanges>[1]) => {
    const subscription = subscribeToStatusChanges(gateway.api, args);
    toClose.push(subscription);
    return subscription;
  };

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SUBSCRIPTION_BUFFER: String(BUFFER) } });
  });
  afterEach(async () => {
    await Promise.all(toClose.splice(0).map((subscription) => subscription.close()));
  });
  afterAll(() => gateway?.stop());

  /** A raw subscriber WITHOUT `after`, made sure to be registered for live changes (see untilLive). */
  async function liveRawSubscriber(leadId: string): Promise<{ raw: RawSubscriber; probes: string[] }> {
    const raw = await connectRawSubscriber(gateway.api);
    toClose.push(raw);
    raw.subscribe('1', STATUS_CHANGED, { leadId });
    const clock = subscribe({ after: await lastChangeId(gateway.db), leadId });
    const probes = await untilLive(raw, clock, async () => (await appendChanges(gateway.db, [change(leadId, Provider.TECHEA, 'probe')]))[0]!);
    // The clock is on the same small buffer: it must not be around for what follows.
    await clock.close();
    return { raw, probes };
  }

  it(`is closed with ${SLOW_CONSUMER_CLOSE_CODE} when it stops reading while changes are written, and resumes with \`after\``, { timeout: 60_000 }, async () => {
    const lead = await seedLead(gateway.db);
    const { raw } = await liveRawSubscriber(lead.leadId);

    // The subscriber stops reading. One change per transaction, so every hub read finds
    // at most a few: what drops it is its not reading, not a burst.
    raw.pause();
    const written: string[] = [];
    for (let i = 0; i < BIG_CHANGES; i++) {
      written.push(...(await appendChanges(gateway.db, [change(lead.leadId, Provider.LEAD_BANK, `big-${i}`, BIG)])));
    }
    // It reads again: first what the kernel had buffered, then the close.
    raw.resume();
    const close = await raw.closed;

    expect(close).toEqual({ code: SLOW_CONSUMER_CLOSE_CODE, reason: 'Too far behind: resubscribe with `after` to resume' });
    // (A late probe may come first: only the changes written here are compared.)
    const got = idsOf(raw.changes.filter((c) => c.entityId.startsWith('big-')));
    // What it got before the close is a gap-free start of what was written, in order.
    expect(got.length).toBeLessThan(BIG_CHANGES);
    expect(got).toEqual(written.slice(0, got.length));

    // The documented way back: resubscribe with `after` = the last id received.
    const resumed = subscribe({ after: raw.changes.at(-1)!.id, leadId: lead.leadId });
    await resumed.untilId(written.at(-1)!);
    expect(idsOf(resumed.changes.filter((c) => c.entityId.startsWith('big-')))).toEqual(written.slice(got.length));
  });

  it(
    `is closed too when more than ${BUFFER} changes commit at once, even while it reads promptly; resuming with \`after\` then recovers every change once`,
    async () => {
      // Characterisation, not a wish: the hub reads a commit's rows at once (up to 1,000 per
      // read) and pushes them all into each live subscriber's queue in one go, before the
      // subscriber can take even one, so "behind" counts a whole read's worth of changes.
      // With SUBSCRIPTION_BUFFER below the rows one read can bring, a large enough commit
      // drops every live subscriber of the tenant, however fast it reads. (The default
      // buffer, 1,000, equals the read size: one read alone cannot overflow it.)
      const lead = await seedLead(gateway.db);
      const { raw } = await liveRawSubscriber(lead.leadId);

      const burst = await appendChanges(
        gateway.db,
        Array.from({ length: BUFFER + 5 }, (_, i) => change(lead.leadId, Provider.TECALIS, `burst-${i}`)),
      );
      const close = await raw.closed;

      expect(close.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
      const got = idsOf(raw.changes.filter((c) => c.entityId.startsWith('burst-')));
      expect(got).toEqual(burst.slice(0, got.length));
      const resumed = subscribe({ after: raw.changes.at(-1)!.id, leadId: lead.leadId });
      await resumed.untilId(burst.at(-1)!);
      const rest = idsOf(resumed.changes.filter((c) => c.entityId.startsWith('burst-')));
      expect(rest).toEqual(burst.slice(got.length));
      expect(strictlyIncreasing([...got, ...rest])).toBe(true);
    },
  );

  it('is not closed for a long replay: replay is read as fast as the subscriber takes it', async () => {
    const lead = await seedLead(gateway.db);
    const last = await lastChangeId(gateway.db);
    // Twenty times the buffer, committed before the subscription: it gets them all.
    const old = await appendChanges(
      gateway.db,
      Array.from({ length: BUFFER * 20 }, (_, i) => change(lead.leadId, Provider.DECISION_CLOUD, `old-${i}`)),
    );
    const subscriber = subscribe({ after: last, leadId: lead.leadId });
    await subscriber.untilId(old.at(-1)!);
    expect(idsOf(subscriber.changes)).toEqual(old);
  });
});
