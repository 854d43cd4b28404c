import { type RequestHandler } from 'express';
import { sendGraphQLError } from '../http/graphql-error-response.js';
import { type Logger } from '../logger.js';
import { type GatewayMetrics } from './metrics.js';

/**
 * `GET /metrics`, after `authenticateRequest` (which answers 401 and 429 as it does
 * for GraphQL): only an API key with the admin role may scrape. Anything else is
 * 403 `FORBIDDEN`, in the same JSON shape as the GraphQL endpoint's errors.
 */
export function metricsRoute(metrics: GatewayMetrics, logger: Logger): RequestHandler {
  return async (req, res) => {
    const principal = req.principal;
    if (principal?.credential.kind !== 'api-key' || principal.role !== 'admin') {
      const held = principal === undefined ? 'none' : principal.credential.kind === 'api-key' ? `an API key of role ${principal.role}` : 'a JWT';
      sendGraphQLError(req, res, { status: 403, code: 'FORBIDDEN', message: `/metrics needs an API key of role admin; this credential is ${held}.` });
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
