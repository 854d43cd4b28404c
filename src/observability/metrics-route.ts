import { type RequestHandler } from 'express';
import { type RateLimit } from '../auth/rate-limiter.js';
import { type Secret } from '../config.js';
import { sendGraphQLError } from '../http/graphql-error-response.js';
import { requireOperatorToken } from '../http/operator-token.js';
import { type Logger } from '../logger.js';
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
export function metricsRoute(deps: MetricsRouteDeps): RequestHandler[] {
  const { metrics, logger } = deps;
  const authorized = requireOperatorToken({ token: deps.token, variable: 'METRICS_TOKEN', route: '/metrics', realm: 'leadgraph-metrics', authFailures: deps.authFailures });
  return [authorized, async (req, res) => {
    try {
      const { contentType, body } = await metrics.render();
      res.status(200).set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
    } catch (error) {
      logger.error({ err: error }, 'could not render the metrics');
      sendGraphQLError(req, res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
  }];
}
