import { once } from 'node:events';
import WebSocket from 'ws';
import { type Target } from './graphql-client.js';
import { type StreamedChange } from './status-subscription.js';

/** How the server closed the socket. */
export interface RawClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * A graphql-transport-ws client written by hand on a bare `ws` socket, for what the
 * graphql-ws client cannot do: stop reading. `pause()` stops reading from the TCP
 * socket (the server's sends then fill the kernel's buffers and stall); `resume()`
 * reads again. Collects the `statusChanged` results of every operation it started.
 */
export interface RawSubscriber {
  readonly changes: StreamedChange[];
  /** Resolves when the socket closes, with the server's code and reason. */
  readonly closed: Promise<RawClose>;
  /** Starts an operation (`subscribe` message) with the given id. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  /**
   * Starts an operation and resolves with its first answer: its first `next` payload, or
   * its `error` payload as `{ errors }`; rejects if the socket closes first.
   */
  run(query: string, variables?: Record<string, unknown>): Promise<RawAnswer>;
  /** Resolves once at least `count` changes have arrived; rejects if the socket closes first. */
  untilCount(count: number): Promise<StreamedChange[]>;
  /** Resolves once the change with this id has arrived; rejects if the socket closes first. */
  untilId(id: string): Promise<StreamedChange[]>;
  pause(): void;
  resume(): void;
  /** Closes the socket from this side (no-op when already closed). */
  close(): Promise<void>;
}

/** The first answer to one operation. */
export interface RawAnswer {
  readonly data?: Record<string, any> | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Opens a socket, sends `connection_init` with the credential and waits for `connection_ack`. */
export async function connectRawSubscriber(target: Target): Promise<RawSubscriber> {
  const socket = new WebSocket(target.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const changes: StreamedChange[] = [];
  const waiters = new Set<{
    predicate: (changes: readonly StreamedChange[]) => boolean;
    resolve: (changes: StreamedChange[]) => void;
    reject: (error: Error) => void;
  }>();
  let closedWith: RawClose | undefined;
  const closed = new Promise<RawClose>((resolve) =>
    socket.once('close', (code, reason) => {
      closedWith = { code, reason: reason.toString('utf8') };
      for (const waiter of waiters) waiter.reject(new Error(`the socket closed (${JSON.stringify(closedWith)}) after ${changes.length} changes`));
      waiters.clear();
      resolve(closedWith);
    }),
  );
  const answers = new Map<string, { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void }>();
  void closed.then((close) => {
    for (const waiter of answers.values()) waiter.reject(new Error(`the socket closed (${JSON.stringify(close)}) before the answer`));
    answers.clear();
  });
  let nextId = 0;
  let acknowledged: () => void = () => undefined;
  const ack = new Promise<void>((resolve) => (acknowledged = resolve));
  socket.on('message', (data) => {
    const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    const message = JSON.parse(text.toString('utf8')) as { type: string; id?: string; payload?: any };
    const waiter = message.id === undefined ? undefined : answers.get(message.id);
    if (waiter !== undefined && message.id !== undefined && (message.type === 'next' || message.type === 'error')) {
      answers.delete(message.id);
      waiter.resolve(message.type === 'next' ? (message.payload as RawAnswer) : { errors: message.payload });
    }
    if (message.type === 'connection_ack') acknowledged();
    else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    else if (message.type === 'next' && message.payload?.data?.statusChanged) {
      changes.push(message.payload.data.statusChanged as StreamedChange);
      for (const waiter of waiters) {
        if (waiter.predicate(changes)) {
          waiters.delete(waiter);
          waiter.resolve(changes);
        }
      }
    }
  });
  socket.on('error', () => undefined); // the close event says how it ended
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: target.token === undefined ? {} : { authorization: `Bearer ${target.token}` } }));
  await Promise.race([ack, closed.then((close) => Promise.reject(new Error(`closed before connection_ack: ${JSON.stringify(close)}`)))]);

  const until = (predicate: (changes: readonly StreamedChange[]) => boolean) => {
    const waiting = new Promise<StreamedChange[]>((resolve, reject) => {
      if (predicate(changes)) return resolve(changes);
      if (closedWith !== undefined) return reject(new Error(`the socket had closed (${JSON.stringify(closedWith)})`));
      waiters.add({ predicate, resolve, reject });
    });
    waiting.catch(() => undefined); // see subscribeToStatusChanges: a lost race must not be an unhandled rejection
    return waiting;
  };

  return {
    changes,
    closed,
    subscribe(id, query, variables = {}) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    run(query, variables = {}) {
      const id = `run-${++nextId}`;
      const answer = new Promise<RawAnswer>((resolve, reject) => {
        if (closedWith !== undefined) return reject(new Error(`the socket had closed (${JSON.stringify(closedWith)})`));
        answers.set(id, { resolve, reject });
      });
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      return answer;
    },
    untilCount: (count) => until((all) => all.length >= count),
    untilId: (id) => until((all) => all.some((c) => c.id === id)),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    async close() {
      if (closedWith !== undefined) return;
      socket.terminate();
      await closed;
    },
  };
}
