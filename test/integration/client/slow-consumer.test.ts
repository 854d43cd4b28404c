import { createClient } from 'graphql-ws/client';
import { createResumableClient, GatewayCloseCode, type ResumableClient } from 'leadgraph/client';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../../src/graphql/resolvers/status-change.resolver.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { lastChangeId } from '../../support/status-log.js';
import { collect } from '../../client/support/collector.js';
import { ConnectionWatch } from '../../client/support/connection-watch.js';
import { appendBurst, gatewayClient, loggedIds, statusChangedOf, untilDelivered } from './support.js';

const BUFFER = 5;
const CLOSES = 3;

describe(`leadgraph/client closed with ${GatewayCloseCode.TooFarBehind} (more than SUBSCRIPTION_BUFFER=${BUFFER} behind)`, () => {
  let gateway: TestGateway;
  const clients: ResumableClient[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SUBSCRIPTION_BUFFER: String(BUFFER) } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => gateway?.stop());

  it('uses the code the gateway closes with', () => {
    expect(GatewayCloseCode.TooFarBehind).toBe(SLOW_CONSUMER_CLOSE_CODE);
  });

  /**
   * Commits bursts of more than the buffer at once (the gateway then closes every live
   * subscriber, however fast it reads) until the connection has been closed `CLOSES`
   * times; a burst that comes while the subscription is still replaying is replayed
   * instead. Each burst's last change arrives either way, after the close if there was one.
   */
  async function overflowRepeatedly(client: ResumableClient, watch: ConnectionWatch): Promise<void> {
    const { leadId } = await seedLead(gateway.db);
    const start = await lastChangeId(gateway.db);
    const events = collect(client, statusChangedOf(leadId, start));
    const log = { target: gateway.api, leadId, after: start };
    for (let burst = 0; watch.closesWith(GatewayCloseCode.TooFarBehind) < CLOSES; burst++) {
      if (burst >= 20) throw new Error(`20 bursts closed the connection only ${watch.closesWith(GatewayCloseCode.TooFarBehind)} times`);
      const ids = await appendBurst(gateway.db, leadId, BUFFER * 3, `burst-${burst}`);
      await untilDelivered(events, ids.at(-1)!, log);
    }

    expect(events.ids()).toEqual(await loggedIds(gateway.api, leadId, start));
    expect(events.subscription.duplicatesDropped).toBe(0);
    expect(events.error).toBeUndefined();
    expect(watch.connected).toBeGreaterThan(CLOSES);
  }

  it('resumes with `after` through graphql-ws\'s own reconnect, every change once', async () => {
    const watch = new ConnectionWatch();
    const client = gatewayClient(gateway.api, watch);
    clients.push(client);
    await overflowRepeatedly(client, watch);
  });

  it('resubscribes with `after` by itself on a wrapped graphql-ws client that does not retry', async () => {
    const watch = new ConnectionWatch();
    const plain = createClient({
      url: gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${gateway.api.token}` },
      retryAttempts: 0,
      on: watch.listeners,
    });
    const client = createResumableClient({ client: plain });
    clients.push(client);
    try {
      await overflowRepeatedly(client, watch);
    } finally {
      await plain.dispose();
    }
  });
});
