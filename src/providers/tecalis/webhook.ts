import { createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { type Env, optionalSecret, type Secret } from '../../config-env.js';
import { type VerificationRecord } from '../../domain/records.js';
import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { isJsonObject } from '../json.js';
import { type CallbackGrant, type InboundDeps, type WebhookSpec } from '../webhook-port.js';
import { readProcess, type UnreadPart } from './read-process.js';

/**
 * Where the shared token travels in a process's `metadata`: whoever creates a Tecalis
 * process for leadgraph puts it there, and Tecalis sends the metadata back with
 * every callback.
 */
export const TECALIS_TOKEN_FIELD = 'leadgraph_token';

/** What a Tecalis callback says, in the unified model. */
export type TecalisCallback =
  | {
      readonly kind: 'process';
      readonly token: string | undefined;
      readonly verification: VerificationRecord;
      /** What in the process could not be read (it is applied all the same). */
      readonly unread: readonly UnreadPart[];
    }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * ours (Tecalis publishes no payload): a callback is a POST of the process `data` plus
 * its `metadata`. The process is read tolerantly (`read-process.ts`); only a callback
 * that names no process is invalid.
 */
export function parseTecalisCallback(body: unknown): TecalisCallback {
  const payload = isJsonObject(body) ? body : undefined;
  const reading = readProcess(payload?.data);
  if (payload === undefined || reading === undefined) return { kind: 'invalid', problem: 'not a Tecalis callback (data: no process with an auth_uuid)' };
  const metadata = isJsonObject(payload.metadata) ? payload.metadata : undefined;
  const token = metadata?.[TECALIS_TOKEN_FIELD];
  return { kind: 'process', token: typeof token === 'string' ? token : undefined, verification: reading.record, unread: reading.unread };
}

/** How Tecalis callbacks are checked beyond their per-process URL. */
export interface TecalisWebhookSettings {
  /**
   * `TECALIS_WEBHOOK_TOKEN`: when set, also required in a callback's metadata (a second
   * factor; the per-process URL is the credential, so none is made up for the sandbox).
   */
  readonly secondFactor: Secret | undefined;
}

/** `POST /webhooks/tecalis/<token>`: a process's callbacks, on the URL issued for it. */
export const tecalisWebhooks: WebhookSpec<TecalisWebhookSettings> = {
  path: 'tecalis',
  read: (env: Env) => ({ secondFactor: optionalSecret(env, 'TECALIS_WEBHOOK_TOKEN') }),
  routes: tecalisCallbackRoutes,
};

/**
 * `POST /webhooks/tecalis/<token>`: Tecalis signs nothing, so the URL is the
 * credential. Its token is checked first, before the body is read, and every refusal
 * gets the same 401 with no detail (a forger learns nothing: not whether the token,
 * the process or the second factor was wrong). Then the callback must be about the
 * token's process, and it is applied only forward. The answer comes once the outcome
 * is committed; every 2xx tells Tecalis to stop retrying, including for a callback that
 * was ignored as stale or a replay.
 *
 * `POST /webhooks/tecalis` (no token: the former shared route) applies nothing and
 * answers 410, pointing at the per-process URLs.
 */
function tecalisCallbackRoutes(settings: TecalisWebhookSettings, deps: InboundDeps): Router {
  const router = express.Router();
  const { logger } = deps;
  const secondFactor = settings.secondFactor?.reveal();
  const refuse = async (req: Request, res: Response, reason: string, grant?: CallbackGrant) => {
    // The reason is for the log only; the token itself is never logged.
    logger.warn({ provider: 'TECALIS', reason, ...(grant && { authUuid: grant.authUuid, tenant: grant.tenantId }) }, 'callback refused');
    await deps.authFailed(req);
    res.status(401).json({ error: 'not authorized' });
  };

  router.post('/', (_req, res) => {
    res.status(410).json({
      error: 'this route is retired: send each process its own callback URL, /webhooks/tecalis/<token>, from the issueVerificationCallback mutation',
    });
  });

  const checkToken: RequestHandler<{ token: string }> = async (req, res, next) => {
    const grant = await deps.records.callbackGrant(req.params.token);
    if (grant === undefined) return refuse(req, res, 'no callback URL was issued with this token');
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
    if (verification.authUuid !== grant.authUuid) return refuse(req, res, `the callback is about another process (${verification.authUuid})`, grant);
    if (secondFactor !== undefined && (callback.token === undefined || !constantTimeEqual(callback.token, secondFactor))) {
      return refuse(req, res, 'the metadata does not carry TECALIS_WEBHOOK_TOKEN', grant);
    }
    const outcome = await deps.records.applyVerificationCallback(grant, verification, createHash('sha256').update(raw).digest('hex'));
    if (outcome === 'unknown') return refuse(req, res, 'the process no longer exists', grant);
    logger.info({ provider: 'TECALIS', authUuid: grant.authUuid, tenant: grant.tenantId, outcome }, 'callback received');
    // Applied all the same: what could not be read is only noted.
    if (outcome === 'applied' && callback.unread.length > 0) {
      logger.warn({ provider: 'TECALIS', authUuid: grant.authUuid, unread: callback.unread }, 'callback partly unreadable');
    }
    res.status(200).json({ status: outcome });
  });

  return router;
}
