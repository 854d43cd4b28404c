import { constantTimeEqual } from '../security/constant-time-equal.js';
import express, { type ErrorRequestHandler, type Router } from 'express';
import { type Logger } from '../logger.js';
import { checkLeadBankSignature, LEADBANK_SIGNATURE_HEADER, parseLeadBankWebhook, parseTecalisCallback } from '../providers/index.js';
import { type WebhookIntake } from '../services/webhook-intake.js';

/** The secrets in force (from configuration, or made up for the built-in sandboxes). */
export interface WebhookSecrets {
  readonly leadBank: string | undefined;
  readonly tecalis: string | undefined;
}

/** What the webhook routes need. */
export interface WebhookDeps {
  readonly secrets: WebhookSecrets;
  readonly toleranceMs: number;
  readonly intake: WebhookIntake;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/**
 * `POST /webhooks/leadbank` and `POST /webhooks/tecalis`. Providers cannot send our
 * API keys: each is authenticated its own way (Lead Bank's signature, Tecalis's
 * shared token in the metadata). The answer comes only after the change is
 * committed, so a provider that gets no 200 sends again.
 */
export function webhookRoutes(deps: WebhookDeps): Router {
  const router = express.Router();
  const { logger } = deps;

  // The raw body: the signature is over the bytes as sent, not over re-serialised JSON.
  router.post('/leadbank', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const secret = deps.secrets.leadBank;
    if (secret === undefined) return void res.status(404).json({ error: 'Lead Bank webhooks are not configured (LEADBANK_WEBHOOK_SECRET)' });
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = checkLeadBankSignature(req.header(LEADBANK_SIGNATURE_HEADER), raw, secret, Date.now(), deps.toleranceMs);
    if (check !== 'ok') {
      logger.warn({ provider: 'LEAD_BANK', check }, 'webhook refused');
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

  router.post('/tecalis', express.json({ limit: deps.maxBodyBytes, type: () => true }), async (req, res) => {
    const token = deps.secrets.tecalis;
    if (token === undefined) return void res.status(404).json({ error: 'Tecalis callbacks are not configured (TECALIS_WEBHOOK_TOKEN)' });
    const callback = parseTecalisCallback(req.body);
    if (callback.kind === 'invalid') return void res.status(400).json({ error: callback.problem });
    if (callback.token === undefined || !constantTimeEqual(callback.token, token)) {
      logger.warn({ provider: 'TECALIS' }, 'callback refused: wrong or missing token');
      return void res.status(401).json({ error: 'the callback does not carry the shared token' });
    }
    const outcome = await deps.intake.applyVerification(callback.verification);
    logger.info({ provider: 'TECALIS', authUuid: callback.verification.authUuid, outcome }, 'callback received');
    // Applied all the same: what could not be read is only noted.
    if (callback.unread.length > 0) logger.warn({ provider: 'TECALIS', authUuid: callback.verification.authUuid, unread: callback.unread }, 'callback partly unreadable');
    res.status(200).json({ status: outcome });
  });

  // A body the parser refuses (not JSON, too large) is the sender's error.
  router.use(((error, _req, res, next) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: 'the body could not be read' });
    next(error);
  }) as ErrorRequestHandler);

  return router;
}

