import { type RequestHandler } from 'express';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Secret } from '../config.js';
import { sendGraphQLError } from '../http/graphql-error-response.js';
import { type Logger } from '../logger.js';
import { constantTimeEqual } from '../security/constant-time-equal.js';
import { type GatewayMetrics } from './metrics.js';

/** What `/metrics` needs. */
export interface MetricsRouteDeps {
  readonly metrics: GatewayMetrics;
  /** `METRICS_TOKEN`; unset: the route answers 404. */
  readonly token: Secret | undefined;
  /** Failed authentications per client address, shared with `/graphql`. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `GET /metrics`, for the operator's scraper only: `Authorization: Bearer <METRICS_TOKEN>`.
 * No tenant credential opens it, an admin key included: the metrics describe the
 * whole installation, every tenant at once. Off (404) when no token is set. A wrong
 * token counts against the address's authentication failures, as on `/graphql`.
 */
export function metricsRoute(deps: MetricsRouteDeps): RequestHandler {
  const { metrics, logger } = deps;
  return async (req, res) => {
    const expected = deps.token?.reveal();
    if (expected === undefined) {
      sendGraphQLError(req, res, { status: 404, code: 'NOT_FOUND', message: '/metrics is off: set METRICS_TOKEN to turn it on.' });
      return;
    }
    const address = req.ip ?? 'unknown';
    try {
      await deps.authFailures.check(address);
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (sent === undefined || !constantTimeEqual(sent, expected)) {
        await deps.authFailures.hit(address);
        res.set('WWW-Authenticate', 'Bearer realm="leadgraph-metrics"');
        sendGraphQLError(req, res, { status: 401, code: 'UNAUTHENTICATED', message: '/metrics needs "Authorization: Bearer <METRICS_TOKEN>".' });
        return;
      }
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      res.set('Retry-After', String(error.retryAfterSeconds));
      sendGraphQLError(req, res, { status: 429, code: 'RATE_LIMITED', message: error.message, extensions: { retryAfter: error.retryAfterSeconds } });
      return;
    }
    try {
      const { contentType, body } = await metrics.render();
      res.status(200).set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
    } catch (error) {
      logger.error({ err: error }, 'could not render the metrics');
      sendGraphQLError(req, res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
  };
}
