import cors from 'cors';
import { type NodeHandler } from './handler-chain.js';
import type http from 'node:http';

/**
 * The headers browser clients send to /graphql: Apollo Client's and urql's, the
 * gateway's request id and the CSRF-prevention header Apollo Server asks for.
 */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'];
/** What a client may read of an answer: when to retry, and the id to quote in a support request. */
const EXPOSED_HEADERS = ['retry-after', 'x-request-id'];
/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for /graphql only (webhooks, health and metrics are not for browsers): an
 * answer names the requesting origin when it is on the list (never `*`), with
 * `Vary: Origin`; a preflight is answered 204 before authentication, as browsers send
 * it without credentials. An origin not on the list gets no CORS header: its browser
 * refuses the answer.
 */
export function graphqlCors(origins: readonly string[]): NodeHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    optionsSuccessStatus: 204,
  });
}

/**
 * Whether a WebSocket upgrade may proceed: a browser always sends its page's origin,
 * which must be on the list or the gateway's own (its IDE); a client that sends none
 * is not a browser page, and CORS does not concern it.
 */
export function socketOriginAllowed(request: http.IncomingMessage, origins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origins.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
