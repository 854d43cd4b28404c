import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { type NodeHandler } from '../http/handler-chain.js';
import { type ProviderCallObserver } from './observers.js';

/**
 * What the work under way belongs to, carried through async calls: the request it
 * serves (its id goes on every log line, see `createLogger`'s mixin) and the gateway
 * instance doing it (whose metrics count its provider calls; several gateways can
 * share one process, in tests).
 */
export interface ObservationScope {
  /** Correlates the log lines of one HTTP request, of its dispatch and of its provider calls. */
  readonly requestId?: string;
  /** Where provider calls made in this scope are counted. */
  readonly providerCalls?: ProviderCallObserver;
}

const storage = new AsyncLocalStorage<ObservationScope>();

/** The scope of the work under way, if any. */
export function currentScope(): ObservationScope | undefined {
  return storage.getStore();
}

/** The id of the request whose work is under way, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `work` in `scope`: everything it starts, synchronously or not, sees the scope. */
export function withScope<T>(scope: ObservationScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The header a request id comes in and goes back out on. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's request id, when it is safe to log as it is: 1 to 64 letters, digits,
 * `.`, `_`, `-` or `:` (UUIDs, ULIDs, trace ids, "client-123"). Anything else (too
 * long, spaces, quotes, control characters, several values) is not used.
 */
export function acceptRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : undefined;
}

/**
 * The first middleware: gives the request an id (the caller's `x-request-id` when it
 * is acceptable, a new UUID otherwise), answers it in `x-request-id`, and runs the
 * rest of the request in its scope. `onFinished` (bound to the scope) runs once the
 * response is sent, for an access log line.
 */
export function requestScope(options: {
  readonly providerCalls?: ProviderCallObserver;
  readonly onFinished?: (req: http.IncomingMessage, res: http.ServerResponse, ms: number) => void;
}): NodeHandler {
  return (req, res, next) => {
    const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const scope: ObservationScope = { requestId, ...(options.providerCalls !== undefined && { providerCalls: options.providerCalls }) };
    storage.run(scope, () => {
      const onFinished = options.onFinished;
      if (onFinished !== undefined) {
        const started = performance.now();
        // Response events fire from the socket, outside the scope: the listener enters it
        // again (the one thing a log line reads from it). Cheaper than binding the listener
        // with an AsyncResource, which makes an async resource per request.
        res.once('finish', () => storage.run(scope, () => onFinished(req, res, performance.now() - started)));
      }
      next();
    });
  };
}
