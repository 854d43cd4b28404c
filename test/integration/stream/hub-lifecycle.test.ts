import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { StatusChangeHub } from '../../../src/events/change-hub.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import {
  createStatusClient,
  type StatusSubscription,
  subscribeToStatusChanges,
  untilLive,
} from '../../support/status-subscription.js';

/**
 * What the hub keeps for subscribers that are gone. The gateway does not expose its hub,
 * so the test catches it as it starts (the spy keeps the real implementation).
 */
describe("the hub's bookkeeping of subscribers", () => {
  let gateway: TestGateway;
  let hub: StatusChangeHub;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    const start = vi.spyOn(StatusChangeHub.prototype, 'start');
    gateway = await startTestGateway();
    hub = start.mock.contexts[0] as StatusChangeHub;
    start.mockRestore();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((item) => item.close()));
  });
  afterAll(() => gateway?.stop());

  /** A subscription of one lead WITHOUT `after` on `client`, made sure to be registered in the hub. */
  async function liveLeadSubscription(client: ReturnType<typeof createStatusClient>, leadId: string): Promise<StatusSubscription> {
    const subscription = subscribeToStatusChanges(gateway.api, { leadId }, { client });
    const clock = subscribeToStatusChanges(gateway.api, { after: await lastChangeId(gateway.db) });
    open.push(clock);
    await untilLive(subscription, clock, async () => (await appendChanges(gateway.db, [change(leadId, Provider.TECHEA, 'probe')]))[0]!);
    return subscription;
  }

  /** Resolves once `client`'s connection has processed everything sent on it so far (messages are handled in order). */
  function roundTrip(client: ReturnType<typeof createStatusClient>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      client.subscribe({ query: '{ __typename }' }, { next: resolve, error: reject, complete: () => undefined });
    });
  }

  it('counts a live subscriber', async () => {
    const lead = await seedLead(gateway.db);
    const client = createStatusClient(gateway.api);
    open.push({ close: async () => client.dispose() });
    const before = hub.subscriberCount;
    await liveLeadSubscription(client, lead.leadId);
    // At least the subscription itself (its clock may or may not be registered yet).
    expect(hub.subscriberCount).toBeGreaterThanOrEqual(before + 1);
  });

  // BUG (src/events/status-change-stream.ts with graphql-ws): a subscriber that unsubscribes
  // (`complete`) or disconnects stays registered in the hub until the next change that
  // matches its filter. graphql-ws ends an operation by calling `return()` on its iterator;
  // statusChangeStream is an async generator that, once live, sits in
  // `for await (const change of live)` awaiting `live.next()`. `return()` on an async
  // generator that is awaiting (not suspended at a `yield`) is only queued, so the `finally`
  // that calls `live.return()` (which removes the subscriber) does not run until another
  // change arrives for it. For a subscriber of one quiet lead that may be never: its entry
  // in the hub, its tenant's feed (polled every 5 s) and the pending `return()` (and with a
  // closed socket, graphql-ws's whole close handler, which awaits it) stay for good.
  // Reproduction: subscribe to `statusChanged(leadId: L)` without `after`, get one change
  // of L, send `complete`; hub.subscriberCount does not go down until L changes again.
  it('forgets a subscriber as soon as it unsubscribes, without waiting for another change of its lead', async () => {
    const lead = await seedLead(gateway.db);
    const client = createStatusClient(gateway.api);
    open.push({ close: async () => client.dispose() });
    const before = hub.subscriberCount;
    const subscription = await liveLeadSubscription(client, lead.leadId);

    await subscription.close(); // `complete` for this operation; the connection stays open
    // The server has handled the `complete` once it answers an operation sent after it.
    await roundTrip(client);

    // What stays is the clock (open until the test ends). The clock replays with `after`
    // and joins the hub only once caught up, which may be just after the probe reached it:
    // so its registration is awaited, while the closed subscription must be gone for good.
    await vi.waitFor(() => expect(hub.subscriberCount).toBe(before + 1), { timeout: 5_000, interval: 10 });
  });
});
