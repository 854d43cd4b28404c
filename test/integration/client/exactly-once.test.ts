import { GatewayCloseCode, type ResumableClient } from 'leadgraph/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { lastChangeId } from '../../support/status-log.js';
import { strictlyIncreasing } from '../../support/status-subscription.js';
import { collect } from '../../client/support/collector.js';
import { ConnectionWatch } from '../../client/support/connection-watch.js';
import { appendBurst, gatewayClient, loggedIds, startSteadyWriter, statusChangedOf, untilDelivered } from './support.js';

const BUFFER = 50;
const DISCONNECTS = 20;

describe('leadgraph/client across forced disconnects', () => {
  let gateway: TestGateway;
  const clients: ResumableClient[] = [];

  beforeAll(async () => {
    // A buffer small enough that one burst committed at once overflows a live subscriber:
    // the gateway's own way of closing a connection (4410).
    gateway = await startTestGateway({ env: { SUBSCRIPTION_BUFFER: String(BUFFER) } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => gateway?.stop());

  it(`delivers every change exactly once, in order, through ${DISCONNECTS} disconnects during a steady flow, cut by the client and by the gateway`, { timeout: 60_000 }, async () => {
    const { leadId } = await seedLead(gateway.db);
    const start = await lastChangeId(gateway.db);
    const watch = new ConnectionWatch();
    const client = gatewayClient(gateway.api, watch);
    clients.push(client);
    const events = collect(client, statusChangedOf(leadId, start));
    const log = { target: gateway.api, leadId, after: start };
    const writer = startSteadyWriter(() => gateway.db, leadId, 'flow');

    try {
      let cutByGateway = 0;
      let cutByClient = 0;
      for (let i = 0; i < DISCONNECTS; i++) {
        await watch.untilOpen();
        // Some progress on this connection first, except every fourth cut, which comes right
        // after the connection is acknowledged: before or during the replay.
        if (i % 4 !== 3) await events.untilCount(events.events.length + 1 + (i % 3));
        await watch.untilOpen();
        const connections = watch.connected;
        if (i % 5 === 1) {
          // From the gateway's side: more than the buffer at once closes the subscriber with 4410,
          // unless it was still replaying (then the burst is simply replayed); its last change
          // arrives either way, after the close when there was one.
          const closed = watch.closesWith(GatewayCloseCode.TooFarBehind);
          const burst = await appendBurst(gateway.db, leadId, BUFFER + 10, `burst-${i}`);
          await untilDelivered(events, burst.at(-1)!, log);
          if (watch.closesWith(GatewayCloseCode.TooFarBehind) > closed) {
            cutByGateway++;
            await watch.untilConnected(connections + 1);
            continue;
          }
          await watch.untilOpen();
        }
        watch.terminate();
        cutByClient++;
        await watch.untilConnected(watch.connected + 1);
      }
      const written = await writer.stop();
      await untilDelivered(events, written.at(-1)!, log);

      const logged = await loggedIds(gateway.api, leadId, start);
      expect(events.ids()).toEqual(logged);
      expect(strictlyIncreasing(events.ids())).toBe(true);
      expect(cutByClient + cutByGateway).toBe(DISCONNECTS);
      expect(cutByGateway).toBeGreaterThan(0);
      expect(watch.connected).toBeGreaterThan(DISCONNECTS);
      expect(events.error).toBeUndefined();
      // Resumed from the right id each time, the gateway sent nothing twice: the client's
      // de-duplication had nothing to hide.
      expect(events.subscription.duplicatesDropped).toBe(0);
      // The flow went on between the cuts (each waited for changes written after the last).
      expect(written.length).toBeGreaterThan(DISCONNECTS);
    } finally {
      await writer.stop();
    }
  });

  it('keeps a cursor per subscription: two on one connection, each resumes from its own last id', async () => {
    const [a, b] = [await seedLead(gateway.db), await seedLead(gateway.db)];
    const start = await lastChangeId(gateway.db);
    const watch = new ConnectionWatch();
    const client = gatewayClient(gateway.api, watch);
    clients.push(client);
    const streams = [a, b].map(({ leadId }) => ({ leadId, events: collect(client, statusChangedOf(leadId, start)) }));
    const writers = streams.map(({ leadId }, i) => startSteadyWriter(() => gateway.db, leadId, `lead-${i}`));
    try {
      for (let cut = 0; cut < 5; cut++) {
        await watch.untilOpen();
        for (const { events } of streams) await events.untilCount(events.events.length + 1);
        watch.terminate();
        await watch.untilConnected(watch.connected + 1);
      }
      for (const [i, writer] of writers.entries()) {
        const written = await writer.stop();
        const { leadId, events } = streams[i]!;
        await untilDelivered(events, written.at(-1)!, { target: gateway.api, leadId, after: start });
      }

      for (const { leadId, events } of streams) {
        expect(events.ids()).toEqual(await loggedIds(gateway.api, leadId, start));
        expect(events.subscription.duplicatesDropped).toBe(0);
        expect(events.subscription.lastId).toBe(events.ids().at(-1));
      }
      // Every cut was followed by a reconnect that carried both.
      expect(watch.connected).toBeGreaterThanOrEqual(6);
    } finally {
      await Promise.all(writers.map((writer) => writer.stop()));
    }
  });
});
