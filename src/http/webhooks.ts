import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Logger } from '../logger.js';
import { type InboundRecords, type ProviderWebhookRoutes } from '../providers/index.js';

/** What the webhook routes need. */
export interface WebhookDeps {
  /** The routes of each provider that calls the gateway (`ProviderRuntime.webhooks`). */
  readonly providers: readonly ProviderWebhookRoutes[];
  readonly records: InboundRecords;
  readonly maxBodyBytes: number;
  /** Failed authentications per client address, shared with `/graphql`: a bad signature or token is one. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `/webhooks/<path>` for every provider that calls the gateway (Lead Bank's signed
 * webhooks, Tecalis's per-process callbacks): each provider's routes come from its
 * descriptor. Providers cannot send our API keys: each authenticates its own way, and
 * every refusal counts against the sender's address.
 */
export function webhookRoutes(deps: WebhookDeps): Router {
  const router = express.Router();
  const inbound = {
    records: deps.records,
    maxBodyBytes: deps.maxBodyBytes,
    authFailed: (req: express.Request) => deps.authFailures.hit(req.ip ?? 'unknown').catch(() => undefined),
    logger: deps.logger,
  };
  for (const provider of deps.providers) {
    router.use(`/${provider.path}`, refuseOverFailureBudget(deps.authFailures), provider.routes(inbound));
  }

  // A body the parser refuses (not JSON, too large) is the sender's error.
  router.use(((error, _req, res, next) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: 'the body could not be read' });
    next(error);
  }) as ErrorRequestHandler);

  return router;
}

/**
 * An address over its authentication-failure budget is answered 429 before its
 * signature or token is looked at, on the webhook routes as on `/graphql`: they take
 * no API key, so guessing a token is what a caller there would try.
 */
function refuseOverFailureBudget(authFailures: RateLimit): RequestHandler {
  return async (req, res, next) => {
    try {
      await authFailures.check(req.ip ?? 'unknown');
      next();
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      res.status(429).set('Retry-After', String(error.retryAfterSeconds)).json({ error: error.message });
    }
  };
}
