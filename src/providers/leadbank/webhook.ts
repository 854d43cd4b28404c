import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { type Env, optionalSecret, positiveInt, Secret } from '../../config-env.js';
import { type ApplicationRecord } from '../../domain/records.js';
import { ProviderCallError } from '../provider-error.js';
import { type InboundDeps, type IntakeOutcome, WebhookNotPlaced, type WebhookSpec } from '../webhook-port.js';
import { fromWireStatus, toApplicationRecord } from './mapping.js';
import { applicationResponse } from './wire.js';

/** The header Lead Bank signs webhooks with: `t=<ms>,v0=<base64 HMAC-SHA256(secret, t + "." + rawBody)>`. */
export const LEADBANK_SIGNATURE_HEADER = 'lead-signature';

/** Signs a webhook body as Lead Bank does (the sandbox sends with it). */
export function signLeadBankWebhook(secret: string, timestampMs: number, rawBody: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}.${rawBody}`).digest('base64');
  return `t=${timestampMs},v0=${digest}`;
}

/** What a signature check found. */
export type SignatureCheck = 'ok' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * Checks `Lead-Signature` against the raw body. A timestamp further than
 * `toleranceMs` from now is stale (a replayed capture), however good its digest.
 */
export function checkLeadBankSignature(header: string | undefined, rawBody: string, secret: string, nowMs: number, toleranceMs: number): SignatureCheck {
  if (header === undefined || header === '') return 'missing';
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v0');
  if (!Number.isSafeInteger(timestamp) || given === undefined || given === '') return 'malformed';
  if (Math.abs(nowMs - timestamp) > toleranceMs) return 'stale';
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('base64'));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'ok' : 'mismatch';
}

/** Lead Bank's webhook payload (doc): `{id, created_at, object, event}`; ours: `object` is the whole application. */
const webhookPayload = z.object({ id: z.string().min(1).max(255), created_at: z.string(), event: z.string(), object: z.unknown() });

/** What a Lead Bank webhook says, in the unified model. */
export type LeadBankWebhook =
  | { readonly kind: 'application'; readonly eventId: string; readonly event: string; readonly application: ApplicationRecord }
  /** An event leadgraph does not use: acknowledged and left alone. */
  | { readonly kind: 'ignored'; readonly eventId: string; readonly event: string }
  | { readonly kind: 'invalid'; readonly problem: string };

const APPLICATION_EVENTS = ['application.created', 'application.updated'];

export function parseLeadBankWebhook(body: unknown): LeadBankWebhook {
  const payload = webhookPayload.safeParse(body);
  if (!payload.success) return { kind: 'invalid', problem: `not a Lead Bank webhook (${payload.error.issues[0]?.path.join('.')}: ${payload.error.issues[0]?.message})` };
  const { id: eventId, event, object } = payload.data;
  if (!APPLICATION_EVENTS.includes(event)) return { kind: 'ignored', eventId, event };
  const application = applicationResponse.safeParse(object);
  if (!application.success) return { kind: 'invalid', problem: `object is not an application (${application.error.issues[0]?.path.join('.')}: ${application.error.issues[0]?.message})` };
  const status = application.data.status == null ? null : fromWireStatus(application.data.status);
  if (status === undefined) return { kind: 'invalid', problem: `an unknown status "${application.data.status}"` };
  return { kind: 'application', eventId, event, application: toApplicationRecord(application.data, status) };
}

/** How Lead Bank's webhooks are checked. */
export interface LeadBankWebhookSettings {
  /** `LEADBANK_WEBHOOK_SECRET`: verifies `Lead-Signature`. Unset with a live Lead Bank: the route is off; made up for the sandbox. */
  readonly secret: Secret | undefined;
  /** `LEADBANK_WEBHOOK_TOLERANCE_SECONDS`: signatures older (or newer) than this are refused as replays. */
  readonly toleranceMs: number;
}

/** `POST /webhooks/leadbank`: Lead Bank's signed application events. */
export const leadBankWebhooks: WebhookSpec<LeadBankWebhookSettings> = {
  path: 'leadbank',
  read: (env: Env) => ({
    secret: optionalSecret(env, 'LEADBANK_WEBHOOK_SECRET'),
    toleranceMs: positiveInt(env, 'LEADBANK_WEBHOOK_TOLERANCE_SECONDS', 300) * 1000,
  }),
  // The built-in sandbox signs with the secret the gateway checks: one is made up when none is configured.
  forSandbox: (settings) => ({ ...settings, secret: settings.secret ?? new Secret(randomBytes(24).toString('hex')) }),
  routes: leadBankWebhookRoutes,
};

/**
 * Lead Bank signs each webhook (`Lead-Signature`) over the raw body. A valid one is
 * applied to the tenant holding the application, or kept until one adopts it; the 200
 * comes only once that is committed.
 */
function leadBankWebhookRoutes(settings: LeadBankWebhookSettings, deps: InboundDeps): Router {
  const router = express.Router();
  const { logger } = deps;
  // The raw body: the signature is over the bytes as sent, not over re-serialised JSON.
  router.post('/', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const secret = settings.secret?.reveal();
    if (secret === undefined) return void res.status(404).json({ error: 'Lead Bank webhooks are not configured (LEADBANK_WEBHOOK_SECRET)' });
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = checkLeadBankSignature(req.header(LEADBANK_SIGNATURE_HEADER), raw, secret, Date.now(), settings.toleranceMs);
    if (check !== 'ok') {
      logger.warn({ provider: 'LEAD_BANK', check }, 'webhook refused');
      await deps.authFailed(req);
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
        let outcome: IntakeOutcome;
        try {
          outcome = await deps.records.applyApplication(webhook.eventId, webhook.application);
        } catch (error) {
          if (!(error instanceof ProviderCallError) && !(error instanceof WebhookNotPlaced)) throw error;
          // It could not be placed now (Lead Bank could not be read, or the application kept changing): nothing kept, Lead Bank sends it again.
          const reason = error instanceof ProviderCallError ? { code: error.code } : { reason: error.message };
          logger.warn({ provider: 'LEAD_BANK', eventId: webhook.eventId, ...reason }, 'webhook not placed: Lead Bank could not be read, or the application kept changing; answered 503');
          return void res.status(503).json({ error: 'this event cannot be placed against the application now (Lead Bank could not be read, or the application kept changing); send it again' });
        }
        logger.info({ provider: 'LEAD_BANK', eventId: webhook.eventId, event: webhook.event, outcome }, 'webhook received');
        return void res.status(200).json({ status: outcome });
      }
    }
  });
  return router;
}
