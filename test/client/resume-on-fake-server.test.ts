import { createClient } from 'graphql-ws/client';
import { createResumableClient, GatewayCloseCode, type ResumableClient, type ResumableClientOptions } from 'leadgraph/client';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect } from './support/collector.js';
import { ConnectionWatch } from './support/connection-watch.js';
import { EVENTS, type FakeEvent, type FakeStreamServer, startFakeStreamServer } from './support/fake-stream-server.js';

type Events = { events: FakeEvent };
/** Retries in milliseconds, not seconds: what is under test is where a retry resumes, not when. */
const fastRetry = () => Promise.resolve();

describe('a resumable subscription against a graphql-ws server that misbehaves on cue', () => {
  let server: FakeStreamServer;
  const clients: ResumableClient[] = [];
  const resumable = (options: Partial<ResumableClientOptions> = {}) => {
    const client = createResumableClient({ url: server.url, webSocketImpl: WebSocket, retryWait: fastRetry, ...options });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startFakeStreamServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await server.stop();
  });

  it('resubscribes with `after` set to the last delivered id each time graphql-ws reconnects', async () => {
    const watch = new ConnectionWatch();
    const events = collect<Events>(resumable({ on: watch.listeners }), { query: EVENTS, after: '0' });
    const first = server.append(3);
    await events.untilId(first.at(-1)!);

    watch.terminate();
    await watch.untilConnected(2);
    const second = server.append(2);
    await events.untilId(second.at(-1)!);
    server.closeAll(GatewayCloseCode.GoingAway, 'The gateway is shutting down');
    await watch.untilConnected(3);
    const third = server.append(1);
    await events.untilId(third.at(-1)!);

    expect(server.afters).toEqual(['0', first.at(-1), second.at(-1)]);
    expect(events.ids()).toEqual([...first, ...second, ...third]);
    expect(events.subscription.lastId).toBe(third.at(-1));
  });

  it('leaves `after` out until something is delivered when the caller gave none', async () => {
    const watch = new ConnectionWatch();
    const events = collect<Events>(resumable({ on: watch.listeners }), { query: EVENTS });
    await server.untilSubscribes(1);
    watch.terminate();
    await server.untilSubscribes(2);
    const ids = server.append(2);
    await events.untilId(ids[1]!);
    watch.terminate();
    await server.untilSubscribes(3);

    expect(server.afters).toEqual([null, null, ids[1]]);
  });

  it('never delivers an id twice, even from a server that replays from the start', async () => {
    const watch = new ConnectionWatch();
    const events = collect<Events>(resumable({ on: watch.listeners }), { query: EVENTS, after: '0' });
    const before = server.append(4);
    await events.untilId(before.at(-1)!);
    server.ignoreAfter = true;
    watch.terminate();
    await watch.untilConnected(2);
    const after = server.append(2);
    await events.untilId(after.at(-1)!);

    expect(events.ids()).toEqual([...before, ...after]);
    expect(events.subscription.duplicatesDropped).toBe(before.length);
  });

  it(`resubscribes by itself after ${GatewayCloseCode.TooFarBehind} on a wrapped client that does not retry at all`, async () => {
    const watch = new ConnectionWatch();
    const plain = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0, on: watch.listeners });
    const client = createResumableClient({ client: plain, retryWait: fastRetry });
    clients.push(client);
    const events = collect<Events>(client, { query: EVENTS, after: '0' });
    const first = server.append(3);
    await events.untilId(first.at(-1)!);

    server.closeAll(GatewayCloseCode.TooFarBehind, 'Too far behind: resubscribe with `after` to resume');
    await watch.untilConnected(2);
    const second = server.append(3);
    await events.untilId(second.at(-1)!);

    expect(watch.closeCodes).toEqual([GatewayCloseCode.TooFarBehind]);
    expect(server.afters).toEqual(['0', first.at(-1)]);
    expect(events.ids()).toEqual([...first, ...second]);
    await plain.dispose();
  });

  it('ends with the close on a wrapped client that gives up on any other code', async () => {
    const plain = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0 });
    const client = createResumableClient({ client: plain, retryWait: fastRetry });
    clients.push(client);
    const events = collect<Events>(client, { query: EVENTS, after: '0' });
    await server.untilSubscribes(1);
    server.closeAll(GatewayCloseCode.GoingAway, 'The gateway is shutting down');
    const error = await events.failed;

    expect(error).toMatchObject({ kind: 'closed', closeCode: GatewayCloseCode.GoingAway });
    expect(events.subscription.closed).toBe(true);
    await plain.dispose();
  });

  it('waits for `retryAfter` and resubscribes when a start is refused as RATE_LIMITED', async () => {
    const watch = new ConnectionWatch();
    const events = collect<Events>(resumable({ on: watch.listeners }), { query: EVENTS, after: '0' });
    const first = server.append(2);
    await events.untilId(first.at(-1)!);
    server.rateLimitNext(2, 0.01);
    watch.terminate();
    await server.untilSubscribes(4);
    const second = server.append(2);
    await events.untilId(second.at(-1)!);

    expect(server.afters).toEqual(['0', first.at(-1), first.at(-1), first.at(-1)]);
    expect(events.ids()).toEqual([...first, ...second]);
  });

  it('ends on a RATE_LIMITED refusal that names no time to come back, which would only be refused again', async () => {
    server.rateLimitNext(1, undefined);
    const events = collect<Events>(resumable(), { query: EVENTS, after: '0' });
    const error = await events.failed;

    expect(error).toMatchObject({ kind: 'refused', errors: [{ message: 'Too many subscriptions started.', extensions: { code: 'RATE_LIMITED' } }] });
    expect(error.message).toBe('the gateway refused the subscription (RATE_LIMITED: Too many subscriptions started.)');
    expect(server.afters).toEqual(['0']);
  });

  it('reconnects after the server was unreachable (a transport error, which graphql-ws alone would not retry)', async () => {
    const watch = new ConnectionWatch();
    // Nothing listens there: every attempt fails with ECONNREFUSED, an `error` event.
    const unreachable = server.url.replace(/:\d+\//, ':1/');
    let attempts = 0;
    const client = resumable({
      url: () => (++attempts <= 3 ? unreachable : server.url),
      on: watch.listeners,
    });
    const events = collect<Events>(client, { query: EVENTS, after: '0' });
    const ids = server.append(2);
    await events.untilId(ids.at(-1)!);

    expect(attempts).toBe(4);
    expect(watch.connected).toBe(1);
  });

  it('stops delivering once unsubscribed, and sends `complete`', async () => {
    const events = collect<Events>(resumable(), { query: EVENTS, after: '0' });
    const first = server.append(1);
    await events.untilId(first[0]!);
    events.subscription.unsubscribe();
    server.append(3);
    // A later subscription on the same log sees the events: the first one had its chance.
    const later = collect<Events>(resumable(), { query: EVENTS, after: first[0]! });
    await later.untilCount(3);

    expect(events.ids()).toEqual(first);
    expect(events.subscription.closed).toBe(true);
  });

  it('fails, instead of guessing, on a result that carries no event id', async () => {
    const events = collect<Events>(resumable(), { query: EVENTS, after: '0', idOf: (data) => String(data.events.n) + 'x' });
    server.append(1);
    const error = await events.failed;

    expect(error.kind).toBe('unreadable');
    expect(error.message).toContain('expected a decimal event id, but got "0x"');
    expect(events.events).toEqual([]);
  });

  it('keeps the stream going when the consumer throws, and rethrows the exception on its own', async () => {
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = resumable();
      const seen: string[] = [];
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      client.subscribe<Events>(
        { query: EVENTS, after: '0' },
        {
          next: ({ id }) => {
            seen.push(id);
            if (seen.length === 3) done();
            if (id === '1') throw new Error('the consumer broke');
          },
          error: (error) => thrown.push(error),
        },
      );
      server.append(3);
      await finished;

      expect(seen).toEqual(['1', '2', '3']);
      expect(thrown).toEqual([new Error('the consumer broke')]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('refuses a request it could not resume, before sending anything', () => {
    const client = resumable();
    const sink = { next: () => undefined, error: () => undefined };

    expect(() => client.subscribe({ query: 'subscription { events { id } }' }, sink)).toThrow(
      'query: expected a subscription declaring `$after: ID` (passed on as its root field\'s `after`), but got "subscription { events { id } }"',
    );
    expect(() => client.subscribe({ query: EVENTS, variables: { after: '3' } }, sink)).toThrow(/^variables\.after: expected it as the request's own `after`/);
    expect(() => client.subscribe({ query: EVENTS, after: 'abc' }, sink)).toThrow('after: expected a decimal event id, but got "abc"');
    expect(server.afters).toEqual([]);
  });
});
