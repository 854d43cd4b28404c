import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Logger } from '../logger.js';
import { checkLeadBankSignature, LEADBANK_SIGNATURE_HEADER, parseLeadBankWebhook } from '../providers/index.js';
import { type CallbackGrant } from '../services/callback-tokens.js';
import { type WebhookIntake } from '../services/webhook-intake.js';
import { tecalisCallbackRoutes } from './tecalis-callbacks.js';

/** The secrets in force (from configuration, or made up for the built-in Lead Bank sandbox). */
export interface WebhookSecrets {
  readonly leadBank: string | undefined;
  /** `TECALIS_WEBHOOK_TOKEN`, the optional second factor of Tecalis callbacks (never made up). */
  readonly tecalis: string | undefined;
}

/** What the webhook routes need. */
export interface WebhookDeps {
  readonly secrets: WebhookSecrets;
  readonly toleranceMs: number;
  readonly intake: WebhookIntake;
  /** The process a Tecalis callback URL's token was issued for (see `VerificationCallbacks`). */
  readonly grantOf: (token: string) => Promise<CallbackGrant | undefined>;
  readonly maxBodyBytes: number;
  /** Failed authentications per client address, shared with `/graphql`: a bad signature or token is one. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `POST /webhooks/leadbank` and `POST /webhooks/tecalis/<token>`. Providers cannot
 * send our API keys: each is authenticated its own way (Lead Bank's signature, the
 * per-process URL Tecalis was given: `tecalis-callbacks.ts`). The answer comes only
 * after the change is committed, so a provider that gets no 200 sends again.
 */
export function webhookRoutes(deps: WebhookDeps): Router {
  const router = express.Router();
  const { logger } = deps;

  // The raw body: the signature is over the bytes as sent, not over re-serialised JSON.
  router.post('/leadbank', refuseOverFailureBudget(deps.authFailures), express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const secret = deps.secrets.leadBank;
    if (secret === undefined) return void res.status(404).json({ error: 'Lead Bank webhooks are not configured (LEADBANK_WEBHOOK_SECRET)' });
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = checkLeadBankSignature(req.header(LEADBANK_SIGNATURE_HEADER), raw, secret, Date.now(), deps.toleranceMs);
    if (check !== 'ok') {
      logger.warn({ provider: 'LEAD_BANK', check }, 'webhook refused');
      await deps.authFailures.hit(req.ip ?? 'unknown').catch(() => undefined);
      return void res.status(401).json({ error: `signature ${check}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return void res.status(400).json({ error: 'the body is not JSON' });
    }
    const webhook = parseLeadBankWebhook(body);
    switch (webhook.kind) {
      case 'invalid':
        return void res.status(400).json({ error: webhook.problem });
      case 'ignored':
        return void res.status(200).json({ status: 'ignored' });
      case 'application': {
        const outcome = await deps.intake.applyApplication(webhook.eventId, webhook.application);
        logger.info({ provider: 'LEAD_BANK', eventId: webhook.eventId, event: webhook.event, outcome }, 'webhook received');
        return void res.status(200).json({ status: outcome });
      }
    }
  });

  router.use(
    '/tecalis',
    refuseOverFailureBudget(deps.authFailures),
    tecalisCallbackRoutes({
      grantOf: deps.grantOf,
      intake: deps.intake,
      secondFactor: deps.secrets.tecalis,
      maxBodyBytes: deps.maxBodyBytes,
      authFailures: deps.authFailures,
      logger,
    }),
  );

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

