import Negotiator from 'negotiator';
import type http from 'node:http';

/** The media types a GraphQL answer may take, as Apollo Server names them. */
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const APPLICATION_JSON = 'application/json';
const ANSWER_TYPES = [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON] as const;

/**
 * The media type Apollo Server would answer this request with: the GraphQL-over-HTTP
 * type when the client prefers it (Apollo Client 4, urql and graphql-request ask for
 * it), plain JSON otherwise (no `Accept`, `*∕*`, or only `application/json`). On a
 * tie the first listed wins, as in Apollo's own negotiation (the same `negotiator`).
 */
export function graphqlResponseType(req: http.IncomingMessage): string {
  const chosen = new Negotiator(req).mediaType(ANSWER_TYPES);
  return `${chosen === GRAPHQL_RESPONSE_JSON ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON}; charset=utf-8`;
}

/** An error the gateway answers itself, before or instead of GraphQL execution. */
export interface GatewayHttpError {
  readonly status: number;
  /** The stable `extensions.code`. */
  readonly code: string;
  /** Safe to show the caller. */
  readonly message: string;
  /** More `extensions`, such as `retryAfter`. */
  readonly extensions?: Record<string, unknown>;
}

/**
 * Answers an error in the shape and media type of Apollo Server's own: a GraphQL
 * response with one error and its `extensions.code`. Clients then surface the
 * gateway's 401, 403, 413, 415 and 429 as GraphQL errors with a code, exactly as they
 * do Apollo's 400s, instead of an opaque server error with the code buried in its body.
 */
export function sendGraphQLError(req: http.IncomingMessage, res: http.ServerResponse, error: GatewayHttpError): void {
  const body = JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code, ...error.extensions } }] });
  res.statusCode = error.status;
  res.setHeader('Content-Type', graphqlResponseType(req));
  sendText(req, res, body);
}

/** Ends `res` with `body` (its status and type already set): with its length, and without it for HEAD. */
export function sendText(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
