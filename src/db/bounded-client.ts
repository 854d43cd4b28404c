import pg from 'pg';
import { DatabaseReadTimeout } from './unavailable.js';

/** A pg client configuration with a bound on every statement's answer. */
export interface BoundedClientConfig extends pg.ClientConfig {
  /** Longest wait for a statement's answer, after which the connection is discarded. */
  readonly readTimeoutMs: number;
}

/**
 * A pg client that discards its connection when a statement gets no answer in time.
 *
 * pg's own `query_timeout` fails the caller but keeps the connection, with the
 * statement still in flight, and drops whatever was queued behind it (a `ROLLBACK`
 * included): a server that was only stopped answers later and leaves the session
 * inside a transaction, which the pool would hand to the next caller, whose `COMMIT`
 * would then commit half of someone else's work. Destroying the socket instead makes
 * the server roll back, and the pool forgets the client (it emits `error`).
 *
 * The pool (pg-pool's `Client` option) makes these; TypeORM only uses the promise
 * form of `query`, which is the one bounded (the callback and submittable forms are
 * left as pg has them).
 */
export class BoundedClient extends pg.Client {
  readonly readTimeoutMs: number;

  constructor(config: BoundedClientConfig) {
    super(config);
    this.readTimeoutMs = config.readTimeoutMs;
  }

  /** Ends the connection at once: every statement on it fails with `reason`. */
  discard(reason: Error): void {
    this.connection.stream.destroy(reason);
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called with Reflect.apply on a client
const unboundedQuery = pg.Client.prototype.query;

// One override for all of `query`'s overloads: TypeScript cannot declare it as a method.
BoundedClient.prototype.query = function boundedQuery(this: BoundedClient, ...args: unknown[]): unknown {
  const pending = Reflect.apply(unboundedQuery, this, args) as unknown;
  if (!(pending instanceof Promise)) return pending;
  const timer = setTimeout(() => this.discard(new DatabaseReadTimeout(this.readTimeoutMs)), this.readTimeoutMs);
  return pending.finally(() => clearTimeout(timer));
} as typeof unboundedQuery;
