import { type Client, type ClientOptions, createClient } from 'graphql-ws/client';
import { cappedBackoff } from './backoff.js';
import { isRetryable } from './recovery.js';
import { type RetryWait, startResumableSubscription } from './resumable-subscription.js';
import { type ResumableRequest, type ResumableSink, type ResumableSubscription } from './types.js';

/**
 * Options to create the graphql-ws client: graphql-ws's own `ClientOptions` (`url`,
 * `connectionParams`, `webSocketImpl`, `on`, …), with retry defaults for a stream that
 * must outlive outages and gateway restarts.
 *
 * In a browser the global `WebSocket` is used; in Node pass `webSocketImpl` (`ws`, or
 * Node 22's global `WebSocket`). Make `connectionParams` a function so each connection
 * sends a fresh credential (`{ authorization: \`Bearer ${await getToken()}\` }`): after
 * 4419 (JWT expired) graphql-ws reconnects and calls it again.
 */
export interface ResumableClientOptions extends ClientOptions {
  /** How many times in a row a connection is retried. Default: `Infinity`. */
  retryAttempts?: number;
  /**
   * Waits before retry number `retries` (0 for the first after a connection was lost).
   * Default: {@link cappedBackoff} (0.5 s doubling up to 30 s, jittered). Also used before
   * resubscribing when the gateway keeps closing before anything is delivered.
   */
  retryWait?: RetryWait;
  /**
   * Whether a lost connection or a failed attempt is retried. Default: every close that
   * graphql-ws does not itself treat as final (4401 is final), and every transport error
   * (connection refused while a gateway restarts); not an `Error` thrown by the
   * application, such as one from `connectionParams`.
   */
  shouldRetry?: (errorOrCloseEvent: unknown) => boolean;
}

/** Options to wrap a graphql-ws client made elsewhere; its retry settings stay its own. */
export interface ExistingClientOptions {
  readonly client: Client;
  /** Waits before resubscribing when the gateway keeps closing before anything is delivered. Default: {@link cappedBackoff}. */
  readonly retryWait?: RetryWait;
}

/** A graphql-ws client whose subscriptions resume where they were after every reconnect. */
export interface ResumableClient {
  /** The graphql-ws client underneath (also usable for queries and plain subscriptions). */
  readonly client: Client;
  /** Starts a resumable subscription; see {@link ResumableRequest}. Throws at once on a malformed request. */
  subscribe<TData = Record<string, unknown>>(request: ResumableRequest<TData>, sink: ResumableSink<TData>): ResumableSubscription;
  /** Unsubscribes every resumable subscription; disposes the graphql-ws client when this module created it. */
  dispose(): Promise<void>;
}

/**
 * Creates a graphql-ws client with {@link ResumableClientOptions}, or wraps an existing
 * one (`{ client }`), and returns a client whose `subscribe` remembers the last event id
 * of each subscription and resumes from it (`after`) on every reconnect: a consumer sees
 * every event exactly once, in order, across dropped connections and gateway restarts.
 *
 * ```ts
 * import { createResumableClient } from 'leadgraph/client';
 * const leadgraph = createResumableClient({ url: 'wss://gateway.example.com/graphql', connectionParams: async () => ({ authorization: `Bearer ${await token()}` }) });
 * const subscription = leadgraph.subscribe(
 *   { query: `subscription ($after: ID) { statusChanged(after: $after) { id leadId to } }`, after: saved },
 *   { next: ({ id, data }) => { show(data.statusChanged); save(id); }, error: (e) => console.error(e) },
 * );
 * ```
 */
export function createResumableClient(options: ResumableClientOptions | ExistingClientOptions): ResumableClient {
  const retryWait = options.retryWait ?? cappedBackoff();
  const owned = !('client' in options);
  const client =
    'client' in options
      ? options.client
      : createClient({
          ...options,
          retryAttempts: options.retryAttempts ?? Infinity,
          retryWait,
          shouldRetry: options.shouldRetry ?? isRetryable,
        });
  const running = new Set<ResumableSubscription>();

  return {
    client,
    subscribe(request, sink) {
      const ended = { now: false };
      const subscription = startResumableSubscription(client, request, sink, retryWait, () => {
        ended.now = true;
        running.delete(subscription);
      });
      if (!ended.now) running.add(subscription);
      return subscription;
    },
    async dispose() {
      for (const subscription of [...running]) subscription.unsubscribe();
      if (owned) await client.dispose();
    },
  };
}
