import { createHash } from 'node:crypto';
import express, { type RequestHandler, type Response, type Router } from 'express';
import { type RateLimit } from '../auth/rate-limiter.js';
import { type Logger } from '../logger.js';
import { parseTecalisCallback } from '../providers/index.js';
import { constantTimeEqual } from '../security/constant-time-equal.js';
import { type CallbackGrant } from '../services/callback-tokens.js';
import { type WebhookIntake } from '../services/webhook-intake.js';

/** What the Tecalis callback routes need. */
export interface TecalisCallbackDeps {
  /** Finds the process a callback URL's token was issued for. */
  readonly grantOf: (token: string) => Promise<CallbackGrant | undefined>;
  readonly intake: WebhookIntake;
  /** `TECALIS_WEBHOOK_TOKEN`: when set, also required in the callback's metadata (a second factor). */
  readonly secondFactor: string | undefined;
  readonly maxBodyBytes: number;
  /** Failed authentications per client address: each refusal counts as one. */
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `POST /webhooks/tecalis/<token>`: Tecalis signs nothing, so the URL is the
 * credential. Its token is checked first, before the body is read, and every refusal
 * gets the same 401 with no detail (a forger learns nothing: not whether the token,
 * the process or the second factor was wrong). Then the callback must be about the
 * token's process, and it is applied only forward (see `WebhookIntake`). The answer
 * comes once the outcome is committed; every 2xx tells Tecalis to stop retrying,
 * including for a callback that was ignored as stale or a replay.
 *
 * `POST /webhooks/tecalis` (no token: the former shared route) applies nothing and
 * answers 410, pointing at the per-process URLs.
 */
export function tecalisCallbackRoutes(deps: TecalisCallbackDeps): Router {
  const router = express.Router();
  const { logger } = deps;
  const refuse = async (res: Response, reason: string, grant?: CallbackGrant) => {
    // The reason is for the log only; the token itself is never logged.
    logger.warn({ provider: 'TECALIS', reason, ...(grant && { authUuid: grant.authUuid, tenant: grant.tenantId }) }, 'callback refused');
    await deps.authFailures.hit(res.req.ip ?? 'unknown').catch(() => undefined);
    res.status(401).json({ error: 'not authorized' });
  };

  router.post('/', (_req, res) => {
    res.status(410).json({
      error: 'this route is retired: send each process its own callback URL, /webhooks/tecalis/<token>, from the issueVerificationCallback mutation',
    });
  });

  const checkToken: RequestHandler<{ token: string }> = async (req, res, next) => {
    const grant = await deps.grantOf(req.params.token);
    if (grant === undefined) return refuse(res, 'no callback URL was issued with this token');
    res.locals.grant = grant;
    next();
  };

  // The raw body: a replay is told by its exact bytes.
  router.post('/:token', checkToken, express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const grant = res.locals.grant as CallbackGrant;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return void res.status(400).json({ error: 'the body is not JSON' });
    }
    const callback = parseTecalisCallback(body);
    if (callback.kind === 'invalid') return void res.status(400).json({ error: callback.problem });
    const { verification } = callback;
    if (verification.authUuid !== grant.authUuid) return refuse(res, `the callback is about another process (${verification.authUuid})`, grant);
    if (deps.secondFactor !== undefined && (callback.token === undefined || !constantTimeEqual(callback.token, deps.secondFactor))) {
      return refuse(res, 'the metadata does not carry TECALIS_WEBHOOK_TOKEN', grant);
    }
    const outcome = await deps.intake.applyVerificationCallback(grant, verification, createHash('sha256').update(raw).digest('hex'));
    if (outcome === 'unknown') return refuse(res, 'the process no longer exists', grant);
    logger.info({ provider: 'TECALIS', authUuid: grant.authUuid, tenant: grant.tenantId, outcome }, 'callback received');
    // Applied all the same: what could not be read is only noted.
    if (outcome === 'applied' && callback.unread.length > 0) {
      logger.warn({ provider: 'TECALIS', authUuid: grant.authUuid, unread: callback.unread }, 'callback partly unreadable');
    }
    res.status(200).json({ status: outcome });
  });

  return router;
}
