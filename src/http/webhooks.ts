import express, { type RequestHandler, type Router } from 'express';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Logger } from '../logger.js';
import { unreadableBody } from './unreadable-body.js';
import { connectionWebhookPath, type ConnectionWebhooks } from '../connections/connection-webhooks.js';
import { isTenantId } from '../domain/roles.js';
import { type InboundDeps, type InboundRecords, type ProviderWebhookRoutes } from '../providers/index.js';

/** What the webhook routes need. */
export interface WebhookDeps {
  /** The routes of each provider that calls the gateway (`ProviderRuntime.webhooks`). */
  readonly providers: readonly ProviderWebhookRoutes[];
  /** The environment's account's records (the `default` tenant's), and any tenant's. */
  readonly records: InboundRecords & { forTenant(tenantId: string): InboundRecords };
  /** Tenants' connections' own webhook routes (absent: only the environment's are served). */
  readonly connections?: ConnectionWebhooks | undefined;
  readonly maxBodyBytes: number;
  /** Failed authentications per client address, shared with `/graphql`: a bad signature or token is one. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `/webhooks/<path>` for every provider that calls the gateway (Lead Bank's signed
 * webhooks, Tecalis's per-process callbacks): each provider's routes come from its
 * descriptor, configured with the environment's variables and writing to the `default`
 * tenant's records; `/webhooks/<path>/connections/<tenant>` serves the same routes for a
 * tenant's own connection, configured from it and writing to that tenant's records. Providers cannot send our API keys: each authenticates its own way, and
 * every refusal counts against the sender's address.
 */
export function webhookRoutes(deps: WebhookDeps): Router {
  const router = express.Router();
  const inboundTo = (records: InboundRecords): InboundDeps => ({
    records,
    maxBodyBytes: deps.maxBodyBytes,
    authFailed: (req: express.Request) => deps.authFailures.hit(req.ip ?? 'unknown').catch(() => undefined),
    logger: deps.logger,
  });
  const inbound = inboundTo(deps.records);
  for (const provider of deps.providers) {
    const { connections } = deps;
    if (connections !== undefined) {
      // A tenant's own connection: its URL, its secret, its records.
      router.use(`/${connectionWebhookPath(provider.path, ':tenant')}`, refuseOverFailureBudget(deps.authFailures), (async (req, res, next) => {
        const tenant = (req.params as { tenant?: string }).tenant ?? '';
        const routes = isTenantId(tenant) ? await connections.routesOf(tenant, provider.provider, inboundTo(deps.records.forTenant(tenant))) : undefined;
        if (routes === undefined) return void res.status(404).json({ error: 'no webhooks are configured at this URL' });
        routes(req, res, next);
      }) as RequestHandler);
    }
    router.use(`/${provider.path}`, refuseOverFailureBudget(deps.authFailures), provider.routes(inbound));
  }

  router.use(unreadableBody('the body could not be read'));

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
