import { once } from 'node:events';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { buildSchema, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Waiters } from './waiters.js';

/** The resumable subscription the fake server offers, as a client sends it. */
export const EVENTS = `subscription ($after: ID) { events(after: $after) { id n } }`;

export interface FakeEvent {
  readonly id: string;
  readonly n: number;
}

/**
 * A graphql-ws server with one resumable subscription, `events(after)`, over an in-memory
 * log: what the gateway does, reduced to what the client relies on, plus what a test needs
 * to misbehave on cue (close sockets with any code, replay from the start regardless of
 * `after`, refuse a start as rate limited). It records the `after` of every subscribe.
 */
export interface FakeStreamServer {
  readonly url: string;
  /** The `after` variable of each subscribe message received, in order (null: none). */
  readonly afters: Array<string | null>;
  /** Appends events to the log (ids continue the sequence) and returns their ids. */
  append(count: number): string[];
  /** Closes every open socket with this code. */
  closeAll(code: number, reason: string): void;
  /** From now on, replays the whole log to every new subscription, ignoring `after`. */
  ignoreAfter: boolean;
  /** Refuses the next `count` subscribes with RATE_LIMITED and this `retryAfter` (seconds; none when undefined). */
  rateLimitNext(count: number, retryAfterSeconds: number | undefined): void;
  /** Resolves once `count` subscribe messages have arrived. */
  untilSubscribes(count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFakeStreamServer(): Promise<FakeStreamServer> {
  const log: FakeEvent[] = [];
  const wake = new Set<() => void>();
  const afters: Array<string | null> = [];
  const waiters = new Waiters();
  let refusals: { count: number; retryAfter: number | undefined } = { count: 0, retryAfter: undefined };
  const state = { ignoreAfter: false };

  const schema = buildSchema(`
    type Query { ok: Boolean }
    type Event { id: ID! n: Int! }
    type Subscription { events(after: ID): Event! }
  `);
  async function* events({ after }: { after?: string | null }): AsyncGenerator<{ events: FakeEvent }> {
    let next = state.ignoreAfter || after == null ? 0 : log.findIndex((event) => BigInt(event.id) > BigInt(after));
    if (next < 0) next = log.length;
    for (;;) {
      while (next < log.length) yield { events: log[next++]! };
      await new Promise<void>((resolve) => wake.add(resolve));
    }
  }

  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const serving = useServer(
    {
      schema,
      roots: { subscription: { events } },
      onSubscribe: (_ctx, _id, payload) => {
        afters.push((payload.variables?.after as string | undefined) ?? null);
        waiters.check();
        if (refusals.count > 0) {
          refusals = { ...refusals, count: refusals.count - 1 };
          const extensions = refusals.retryAfter === undefined ? { code: 'RATE_LIMITED' } : { code: 'RATE_LIMITED', retryAfter: refusals.retryAfter };
          return [new GraphQLError('Too many subscriptions started.', { extensions })];
        }
        return undefined;
      },
    },
    wss,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    afters,
    append(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = String(log.length + 1);
        log.push({ id, n: log.length });
        ids.push(id);
      }
      for (const resolve of [...wake]) resolve();
      wake.clear();
      return ids;
    },
    closeAll(code, reason) {
      for (const socket of wss.clients) socket.close(code, reason);
    },
    get ignoreAfter() {
      return state.ignoreAfter;
    },
    set ignoreAfter(value: boolean) {
      state.ignoreAfter = value;
    },
    rateLimitNext(count, retryAfterSeconds) {
      refusals = { count, retryAfter: retryAfterSeconds };
    },
    untilSubscribes: (count) => waiters.until(() => afters.length >= count, `${count} subscribe messages`),
    async stop() {
      for (const socket of wss.clients) socket.terminate();
      await serving.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
