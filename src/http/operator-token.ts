import { type RequestHandler } from 'express';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Secret } from '../config-env.js';
import { constantTimeEqual } from '../security/constant-time-equal.js';
import { sendGraphQLError } from './graphql-error-response.js';

/** One of the operator's own routes: not for tenants, opened by a token of the deployment's. */
export interface OperatorTokenOptions {
  /** The token; unset: the route answers 404. */
  readonly token: Secret | undefined;
  /** Its variable, for the messages, e.g. `METRICS_TOKEN`. */
  readonly variable: string;
  /** The route, for the messages, e.g. `/metrics`. */
  readonly route: string;
  /** The `WWW-Authenticate` realm. */
  readonly realm: string;
  /** Failed authentications per client address, shared with `/graphql`. */
  readonly authFailures: RateLimit;
}

/**
 * Lets through only `Authorization: Bearer <token>`. No tenant credential opens an
 * operator route, an admin key included: what is behind one is the whole deployment's.
 * Off (404) when no token is set. A wrong token counts against the address's
 * authentication failures, as on `/graphql`, and an address over that budget is
 * answered 429 before its token is looked at.
 */
export function requireOperatorToken(options: OperatorTokenOptions): RequestHandler {
  return async (req, res, next) => {
    const expected = options.token?.reveal();
    if (expected === undefined) {
      sendGraphQLError(req, res, { status: 404, code: 'NOT_FOUND', message: `${options.route} is off: set ${options.variable} to turn it on.` });
      return;
    }
    const address = req.ip ?? 'unknown';
    try {
      await options.authFailures.check(address);
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (sent === undefined || !constantTimeEqual(sent, expected)) {
        await options.authFailures.hit(address);
        res.set('WWW-Authenticate', `Bearer realm="${options.realm}"`);
        sendGraphQLError(req, res, { status: 401, code: 'UNAUTHENTICATED', message: `${options.route} needs "Authorization: Bearer <${options.variable}>".` });
        return;
      }
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      res.set('Retry-After', String(error.retryAfterSeconds));
      sendGraphQLError(req, res, { status: 429, code: 'RATE_LIMITED', message: error.message, extensions: { retryAfter: error.retryAfterSeconds } });
      return;
    }
    next();
  };
}
