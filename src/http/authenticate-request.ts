import type http from 'node:http';
import { type AuthAttempts } from '../auth/auth-attempts.js';
import { AuthenticationError, type Authenticator } from '../auth/authenticator.js';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Principal } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { sendGraphQLError } from './graphql-error-response.js';
import { sendServiceUnavailable } from './service-unavailable.js';
import { type ClientAddressOf } from './client-address.js';
import { type NodeHandler } from './handler-chain.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by {@link authenticateRequest} on every request that reaches GraphQL. */
    principal?: Principal;
  }
}

/** What {@link authenticateRequest} needs. */
export interface RequestAuthDeps {
  readonly authenticator: Authenticator;
  /** Requests per credential (shared with the WebSocket's queries and mutations). */
  readonly requests: RateLimit;
  /** Failed authentications per client address, held when attempts arrive together. */
  readonly authAttempts: AuthAttempts;
  /** The client address failures count under (the `TRUST_PROXY` rule, see client-address.ts). */
  readonly addressOf: ClientAddressOf;
  readonly logger: Logger;
}

/**
 * Runs before the body is even read: missing or bad credentials get 401
 * `UNAUTHENTICATED` (`TOKEN_EXPIRED` for an expired JWT), a caller over its rate 429
 * `RATE_LIMITED` with `Retry-After`, a database that cannot check the key 503
 * `SERVICE_UNAVAILABLE` with `Retry-After`, all as GraphQL errors (see graphql-error-response.ts).
 * An address that has failed `AUTH_FAILURES_PER_MINUTE` times is refused (429) before
 * any credential is checked until its window passes, so keys cannot be guessed; attempts
 * arriving together count too (see auth-attempts.ts).
 */
export function authenticateRequest(deps: RequestAuthDeps): NodeHandler {
  return async (req, res, next) => {
    const address = deps.addressOf(req);
    try {
      // An address that has used up its failures is refused before its credential is
      // looked at: otherwise 429 would mean "wrong" and 200 "right", and guessing would go on.
      // A failure is counted there, before the answer; then the request, against the credential's rate.
      const principal = await deps.authAttempts.admitRequest(address, req.headers.authorization, deps.authenticator, deps.requests);
      req.principal = principal;
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.setHeader('WWW-Authenticate', wwwAuthenticate(error));
        sendGraphQLError(req, res, { status: 401, code: error.code, message: error.message });
        return;
      }
      if (error instanceof RateLimited) return refuseRateLimited(req, res, error);
      // An API key is checked against the database: while it is down or hung, the caller
      // is told to come back (503), not that its key is wrong, nor that we have a bug.
      if (isDatabaseUnavailable(error)) {
        deps.logger.warn({ err: error }, 'could not check a credential: the database is unavailable');
        return sendServiceUnavailable(req, res);
      }
      deps.logger.error({ err: error }, 'authentication failed unexpectedly');
      sendGraphQLError(req, res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
  };
}

function refuseRateLimited(req: http.IncomingMessage, res: http.ServerResponse, limited: RateLimited): void {
  res.setHeader('Retry-After', String(limited.retryAfterSeconds));
  sendGraphQLError(req, res, {
    status: 429,
    code: 'RATE_LIMITED',
    message: limited.message,
    extensions: { retryAfter: limited.retryAfterSeconds },
  });
}

/** RFC 6750's challenge: `invalid_token` tells an OAuth client library to refresh an expired token. */
function wwwAuthenticate(error: AuthenticationError): string {
  switch (error.code) {
    case 'TOKEN_EXPIRED':
      return 'Bearer realm="leadgraph", error="invalid_token", error_description="The token has expired"';
    case 'UNAUTHENTICATED':
      return 'Bearer realm="leadgraph"';
  }
}
