import { type ExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** How a WebSocket operation ended: with a result, with operation errors, or with the socket closed. */
export type WsOutcome =
  | { readonly kind: 'result'; readonly result: ExecutionResult }
  | { readonly kind: 'errors'; readonly errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }
  | { readonly kind: 'closed'; readonly code: number; readonly reason: string };

/**
 * Runs one query or mutation over graphql-ws, as a browser client would, with the
 * credential in `connection_init`. Resolves on the first outcome; never retries.
 */
export function executeOverWebSocket(
  httpUrl: string,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  /** For a subscription: resolve with its first event (a subscription does not complete on its own). */
  options: { firstEvent?: boolean } = {},
): Promise<WsOutcome> {
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  return new Promise<WsOutcome>((resolve) => {
    let result: ExecutionResult | undefined;
    client.subscribe(
      { query, ...(variables && { variables }) },
      {
        next: (value) => {
          result = value as ExecutionResult;
          if (options.firstEvent === true) resolve({ kind: 'result', result });
        },
        error: (error: unknown) => {
          if (Array.isArray(error)) resolve({ kind: 'errors', errors: error });
          else {
            const close = error as { code?: number; reason?: string };
            resolve({ kind: 'closed', code: close.code ?? 0, reason: close.reason ?? '' });
          }
        },
        complete: () => resolve(result === undefined ? { kind: 'errors', errors: [] } : { kind: 'result', result }),
      },
    );
  }).finally(() => client.dispose());
}
