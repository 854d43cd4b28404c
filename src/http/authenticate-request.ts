import { type RequestHandler } from 'express';
import { AuthenticationError, type Authenticator } from '../auth/authenticator.js';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Principal } from '../domain/roles.js';
import { type Logger } from '../logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by {@link authenticateRequest} on every request that reaches GraphQL. */
    principal?: Principal;
  }
}

/** What {@link authenticateRequest} needs. */
export interface RequestAuthDeps {
  readonly authenticator: Authenticator;
  /** Requests per credential. */
  readonly requests: RateLimit;
  /** Failed authentications per client address. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * Runs before the body is even read: missing or bad credentials get 401
 * `UNAUTHENTICATED`, a caller over its rate 429 `RATE_LIMITED` with `Retry-After`.
 * An address that keeps failing is slowed down the same way, so keys cannot be guessed.
 */
export function authenticateRequest(deps: RequestAuthDeps): RequestHandler {
  return async (req, res, next) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    try {
      const principal = await deps.authenticator.authenticate(req.headers.authorization);
      await deps.requests.hit(`${principal.credential.kind}:${principal.credential.id}`);
      req.principal = principal;
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        try {
          await deps.authFailures.hit(address);
        } catch (limited) {
          if (limited instanceof RateLimited) return refuseRateLimited(res, limited);
          throw limited;
        }
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="leadgraph"')
          .json({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
      if (error instanceof RateLimited) return refuseRateLimited(res, error);
      deps.logger.error({ err: error }, 'authentication failed unexpectedly');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  };
}

function refuseRateLimited(res: Parameters<RequestHandler>[1], limited: RateLimited): void {
  res
    .status(429)
    .set('Retry-After', String(limited.retryAfterSeconds))
    .json({ errors: [{ message: limited.message, extensions: { code: 'RATE_LIMITED', retryAfter: limited.retryAfterSeconds } }] });
}
