import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { type Target } from './graphql-client.js';

/** Every field of a `StatusChange`. */
export const STATUS_CHANGE_FIELDS = 'id leadId provider entityId from to occurredAt';

/** `statusChanged` with all three arguments as variables (a variable left out is an argument left out). */
export const STATUS_CHANGED = `subscription ($after: ID, $leadId: ID, $providers: [Provider!]) {
  statusChanged(after: $after, leadId: $leadId, providers: $providers) { ${STATUS_CHANGE_FIELDS} }
}`;

/** One `StatusChange` as a client receives it. */
export interface StreamedChange {
  readonly id: string;
  readonly leadId: string;
  readonly provider: string;
  readonly entityId: string;
  readonly from: string | null;
  readonly to: string;
  readonly occurredAt: string;
}

/** A GraphQL error as it travels over the wire. */
export interface WireError {
  readonly message: string;
  readonly extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** How a subscription ended: completed by the server, refused or failed with errors, or its socket closed. */
export type StreamEnd =
  | { readonly kind: 'completed' }
  | { readonly kind: 'errors'; readonly errors: readonly WireError[] }
  | { readonly kind: 'closed'; readonly code: number; readonly reason: string };

/** The arguments of `statusChanged`. */
export interface StatusChangedArgs {
  readonly after?: string;
  readonly leadId?: string;
  readonly providers?: readonly string[];
}

/** A live `statusChanged` subscription. */
export interface StatusSubscription {
  /** Every change received so far, in arrival order. */
  readonly changes: StreamedChange[];
  /** Resolves (never rejects) when the subscription ends, for whatever reason. */
  readonly ended: Promise<StreamEnd>;
  /** Resolves with {@link changes} once `predicate` holds for them; rejects if the subscription ends first. */
  until(predicate: (changes: readonly StreamedChange[]) => boolean, what?: string): Promise<StreamedChange[]>;
  /** Resolves once at least `count` changes have arrived; rejects if the subscription ends first. */
  untilCount(count: number): Promise<StreamedChange[]>;
  /** Resolves once a change with this id has arrived; rejects if the subscription ends first. */
  untilId(id: string): Promise<StreamedChange[]>;
  /**
   * Disconnects (the server sees the WebSocket close) and resolves once the client has let
   * go of it; on a client passed in `options.client`, sends `complete` for this operation only.
   */
  close(): Promise<void>;
}

interface Waiter {
  readonly predicate: (changes: readonly StreamedChange[]) => boolean;
  readonly what: string;
  readonly resolve: (changes: StreamedChange[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Subscribes to `statusChanged` over graphql-ws, on a connection of its own or on
 * `options.client` (shared with other operations), as a browser would (credential in
 * `connection_init`, no retries), and collects what arrives. Tests wait on events
 * (`untilCount`, `untilId`), never on a clock; a wait that can no longer be met fails
 * at once with how the stream ended.
 */
export function subscribeToStatusChanges(target: Target, args: StatusChangedArgs = {}, options: { client?: Client } = {}): StatusSubscription {
  const changes: StreamedChange[] = [];
  const waiters = new Set<Waiter>();
  let end: StreamEnd | undefined;
  let settleEnded: (end: StreamEnd) => void = () => undefined;
  const ended = new Promise<StreamEnd>((resolve) => (settleEnded = resolve));

  const finish = (how: StreamEnd) => {
    if (end !== undefined) return;
    end = how;
    settleEnded(how);
    for (const waiter of waiters) {
      waiter.reject(new Error(`the subscription ended (${JSON.stringify(how)}) after ${changes.length} changes, before ${waiter.what}`));
    }
    waiters.clear();
  };
  const check = () => {
    for (const waiter of waiters) {
      if (waiter.predicate(changes)) {
        waiters.delete(waiter);
        waiter.resolve(changes);
      }
    }
  };

  const client = options.client ?? createStatusClient(target);
  const variables = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  const unsubscribe = client.subscribe<{ statusChanged: StreamedChange }>(
    { query: STATUS_CHANGED, variables },
    {
      next: (result) => {
        // A subscription refused while it starts (a bad argument) answers one result with errors.
        if (result.errors !== undefined) return finish({ kind: 'errors', errors: result.errors });
        const change = result.data?.statusChanged;
        if (change == null) return finish({ kind: 'errors', errors: [{ message: `a result without data: ${JSON.stringify(result)}` }] });
        changes.push(change);
        check();
      },
      error: (error: unknown) => {
        if (Array.isArray(error)) return finish({ kind: 'errors', errors: error as WireError[] });
        const close = error as { code?: number; reason?: string };
        finish({ kind: 'closed', code: close.code ?? 0, reason: close.reason ?? String(error) });
      },
      complete: () => finish({ kind: 'completed' }),
    },
  );

  const until = (predicate: (changes: readonly StreamedChange[]) => boolean, what = 'the awaited changes') => {
    const waiting = new Promise<StreamedChange[]>((resolve, reject) => {
      if (predicate(changes)) return resolve(changes);
      if (end !== undefined) return reject(new Error(`the subscription had ended (${JSON.stringify(end)}) after ${changes.length} changes, before ${what}`));
      waiters.add({ predicate, what, resolve, reject });
    });
    // A wait that lost a Promise.race may still be rejected when the subscription closes
    // later; that must not surface as an unhandled rejection. Whoever awaits it still gets it.
    waiting.catch(() => undefined);
    return waiting;
  };

  return {
    changes,
    ended,
    until,
    untilCount: (count) => until((all) => all.length >= count, `${count} changes`),
    untilId: (id) => until((all) => all.some((change) => change.id === id), `change ${id}`),
    async close() {
      // On a shared client only this operation ends (a `complete` message); otherwise the connection closes.
      if (options.client === undefined) await client.dispose();
      else unsubscribe();
      finish({ kind: 'completed' });
    },
  };
}

/** A graphql-ws client as the tests use it: credential in `connection_init`, no retries. Several subscriptions may share it. */
export function createStatusClient(target: Target): Client {
  return createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: target.token === undefined ? {} : { authorization: `Bearer ${target.token}` },
    retryAttempts: 0,
  });
}

/** The ids of some changes, for comparisons that read well in a failure message. */
export const idsOf = (changes: readonly { id: string }[]): string[] => changes.map((change) => change.id);

/** Whether ids are strictly increasing as numbers (ids are bigints, sent as strings). */
export function strictlyIncreasing(ids: readonly string[]): boolean {
  return ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!));
}

/**
 * Makes sure a subscription WITHOUT `after` is registered for live changes: graphql-ws
 * has no "subscribed" acknowledgement, and such a subscription sees only changes that
 * commit after it is registered. So probe changes are written, one at a time, until
 * the subscriber receives one. `clock` is a subscription (with `after`) on the same
 * gateway that sees every probe: once it has a probe, that probe has been handed out
 * there, so the wait for each probe is an event, never a timer. Resolves with the ids
 * of the probes written, once the subscriber has the last one; from then on every new
 * matching change must reach `subscriber`.
 */
export async function untilLive(
  subscriber: Pick<StatusSubscription, 'changes' | 'untilCount' | 'untilId'>,
  clock: Pick<StatusSubscription, 'untilId'>,
  probe: () => Promise<string>,
  maxProbes = 50,
): Promise<string[]> {
  const probes: string[] = [];
  while (probes.length < maxProbes) {
    const id = await probe();
    probes.push(id);
    await Promise.race([clock.untilId(id), subscriber.untilCount(1)]);
    if (subscriber.changes.length > 0) {
      // Registered before it got its first probe, so every later probe reaches it too: wait
      // for the last, so that none is still on its way when the caller goes on.
      await subscriber.untilId(id);
      return probes;
    }
  }
  throw new Error(`the subscriber received none of ${maxProbes} probe changes (${probes.join(', ')}) that the clock received`);
}
