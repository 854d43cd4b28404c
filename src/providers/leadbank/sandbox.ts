import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { LEADBANK_SIGNATURE_HEADER, signLeadBankWebhook } from './webhook.js';
import { isJsonObject } from '../json.js';
import { jsonBody, type SandboxBehavior, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import { APPLICATION_ID, type WireApplication } from './wire.js';
import { decodePath, invalid, problem } from './sandbox-answers.js';
import { IdempotencyKeys } from './sandbox-idempotency.js';
import { applyPatch, declinedWithoutNotice, validateFields } from './sandbox-rules.js';
import { SandboxTokens } from './sandbox-tokens.js';
import { LEAD_BANK_ANSWER_VARIANTS } from './sandbox-variants.js';

/** Credentials, clock and timing of a Lead Bank sandbox. */
export interface LeadBankSandboxOptions {
  /** The OAuth2 client credentials the token endpoint accepts. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Lifetime of an issued token, in seconds (Lead Bank's is 86400). */
  readonly tokenLifetimeSeconds?: number;
  /** How long an application write holds its idempotency key in flight before it is processed (0: not at all). */
  readonly processingDelayMs?: number;
  /** The sandbox's clock, for token expiry and timestamps; a test can share one with the client. */
  readonly now?: () => number;
}

/** An application as a test seeds it: Lead Bank's fields, anything absent filled with sandbox defaults. */
export type ApplicationSeed = Partial<Omit<WireApplication, 'id'>> & { readonly id?: string; readonly client_application_id?: string };

type Json = Record<string, unknown>;

/**
 * Lead Bank as CONTRACTS.md describes it: OAuth2 client credentials with expiring
 * bearer tokens, idempotency keys on writes (replay, 422 on another body, 409 in
 * flight), JSON Merge Patch of applications with the document and adverse action
 * notice rules, `invalid_parameters` 422s and RFC 7807 for everything else.
 */
export class LeadBankSandbox implements SandboxBehavior {
  readonly name = 'leadbank';
  readonly answerVariants = LEAD_BANK_ANSWER_VARIANTS;
  private readonly now: () => number;
  private readonly applications = new Map<string, Json>();
  private readonly clientApplicationIds = new Map<string, string>();
  private readonly tokens: SandboxTokens;
  private readonly idempotency: IdempotencyKeys;
  /** Where this sandbox sends its webhooks, if anywhere (see `setWebhook`). */
  private webhook: { url: URL; secret: string } | undefined;
  /** Every webhook sent: its event id, what it was about, and the answer. */
  readonly webhooksSent: Array<{ eventId: string; event: string; applicationId: string; status: number | 'unreachable' }> = [];
  /** Emits `webhook-sent` with each entry of {@link webhooksSent}, once the gateway has answered it. */
  readonly events = new EventEmitter();

  /** Every effective change, in order: creations and applied patches, never an idempotent replay. */
  readonly applied: Array<{ applicationId: string; kind: 'created' | 'updated'; body: unknown }> = [];

  constructor(private options: LeadBankSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = new SandboxTokens(
      { clientId: options.clientId, clientSecret: options.clientSecret, lifetimeSeconds: options.tokenLifetimeSeconds ?? 86_400 },
      this.now,
    );
    this.idempotency = new IdempotencyKeys(options.processingDelayMs ?? 0);
  }

  /** Settable, so one test can hold a write in flight long enough to see the 409. */
  get processingDelayMs(): number {
    return this.idempotency.processingDelayMs;
  }

  set processingDelayMs(ms: number) {
    this.idempotency.processingDelayMs = ms;
  }

  /** The client credentials this sandbox accepts. */
  get credentials(): { clientId: string; clientSecret: string } {
    return { clientId: this.options.clientId, clientSecret: this.options.clientSecret };
  }

  /** How many tokens the token endpoint issued (a caching client asks once for many calls). */
  get tokensIssued(): number {
    return this.tokens.issued;
  }

  /** Creates an application as if it had been submitted; returns its id. */
  addApplication(seed: ApplicationSeed = {}): string {
    const { id = `application_${randomBytes(10).toString('hex')}`, client_application_id: clientApplicationId, ...fields } = seed;
    const at = this.timestamp();
    const application: Json = {
      id,
      created_at: at,
      updated_at: at,
      entities: { account_holder_type: 'consumer', account_holders: [`entity_${randomBytes(6).toString('hex')}`], authorized_signers: [] },
      details: {
        product_name: 'Sandbox Credit Line',
        credit: {
          is_secured: false, is_mla: false, currency: 'USD', underwriting_grade: 'B', limit: 500_000, max_limit: 1_000_000,
          report: { score: 712, pulled_at: at, source: 'equifax' },
        },
      },
      documents: [],
      metadata: {},
      ...withoutUndefined(fields),
    };
    this.applications.set(id, application);
    if (clientApplicationId !== undefined) this.clientApplicationIds.set(clientApplicationId, id);
    return id;
  }

  /** The stored application, as `GET` would answer it. */
  application(id: string): Json | undefined {
    const application = this.applications.get(id);
    return application === undefined ? undefined : structuredClone(application);
  }

  /** How many patches were applied to `id` (replays excluded). */
  appliedUpdates(id: string): number {
    return this.applied.filter((a) => a.applicationId === id && a.kind === 'updated').length;
  }

  /** A new client secret, as an admin rotates it at Lead Bank: the old one is refused from now on, its tokens revoked. */
  rotateClientSecret(clientSecret: string): void {
    this.options = { ...this.options, clientSecret };
    this.tokens.rotateSecret(clientSecret);
  }

  /** Makes every issued token invalid at once, as a rotation or revocation would. */
  revokeAllTokens(): void {
    this.tokens.revokeAll();
  }

  /** Resolves with the key when a write next takes its idempotency key in flight. */
  nextInFlight(): Promise<string> {
    return this.idempotency.nextInFlight();
  }

  /** Ends every processing delay now, so a held write completes without waiting out `processingDelayMs`. */
  releaseInFlight(): void {
    this.idempotency.release();
  }

  /** Sends Lead Bank's webhooks (signed with `secret`) to `url` whenever an application changes. */
  setWebhook(url: URL, secret: string): void {
    this.webhook = { url, secret };
  }

  /**
   * A change made at Lead Bank by someone else (an underwriter, another system): the
   * patch is applied as `PATCH` would, and the webhook tells the subscribers.
   * `POST /__sandbox/applications/{id}` with a merge patch.
   */
  control(request: SandboxRequest): SandboxResponse | undefined {
    const match = /^\/__sandbox\/applications\/([^/]+)$/.exec(request.path);
    if (match?.[1] === undefined || request.method !== 'POST') return undefined;
    const id = decodeURIComponent(match[1]);
    const current = this.applications.get(id);
    if (current === undefined) return problem(404, 'not_found', `Application ${id} not found`);
    const body = jsonBody(request);
    if (!isJsonObject(body)) return invalid([{ parameter: 'body', reason: 'must be a JSON object' }]);
    const issues = validateFields(body, false);
    if (issues.length > 0) return invalid(issues);
    const next = structuredClone(current);
    applyPatch(next, body);
    next.updated_at = this.timestamp();
    this.applications.set(id, next);
    void this.notify('application.updated', id);
    return { status: 200, body: structuredClone(next) };
  }

  /** At-least-once, as Lead Bank: one attempt here, recorded; a test can send the same event again itself. */
  private async notify(event: string, applicationId: string): Promise<void> {
    const target = this.webhook;
    const application = this.applications.get(applicationId);
    if (target === undefined || application === undefined) return;
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const raw = JSON.stringify({ id: eventId, created_at: new Date().toISOString(), object: application, event });
    const status = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEADBANK_SIGNATURE_HEADER]: signLeadBankWebhook(target.secret, Date.now(), raw) },
      body: raw,
      signal: AbortSignal.timeout(5_000),
    }).then(
      (response) => response.status,
      () => 'unreachable' as const,
    );
    const sent = { eventId, event, applicationId, status };
    this.webhooksSent.push(sent);
    this.events.emit('webhook-sent', sent);
  }

  inspect() {
    return {
      applications: this.applications.size,
      applied: this.applied.length,
      tokensIssued: this.tokens.issued,
      activeTokens: this.tokens.active,
      idempotencyKeys: this.idempotency.summary(),
    };
  }

  errorResponse(status: number): SandboxResponse {
    if (status === 422) return invalid([], `Request failed with status ${status}`);
    return problem(status, status >= 500 ? 'internal_error' : 'request_failed', status >= 500 ? 'Internal server error' : `Request failed with status ${status}`);
  }

  async handle(request: SandboxRequest): Promise<SandboxResponse> {
    if (request.path === '/v1/oauth/token' && request.method === 'POST') return this.tokens.issue(request);
    const refused = this.tokens.refuse(request);
    if (refused !== undefined) return refused;
    if (request.path === '/v0/applications' && request.method === 'POST') return this.idempotency.run(request, () => this.create(request));
    const match = /^\/v0\/applications\/([^/]+)$/.exec(request.path);
    const id = match?.[1] === undefined ? undefined : decodePath(match[1]);
    if (id !== undefined && request.method === 'PATCH') return this.idempotency.run(request, () => this.update(request, id));
    if (id !== undefined && request.method === 'GET') return this.get(id);
    return problem(404, 'not_found', `No route for ${request.method} ${request.path}`);
  }

  /** `PATCH /v0/applications/{id}`: a JSON Merge Patch; `details`, `decision` merge deeply, `documents`, `metadata` are replaced. */
  private update(request: SandboxRequest, id: string): SandboxResponse {
    if (!APPLICATION_ID.test(id)) return invalid([{ parameter: 'id', reason: `must match ${APPLICATION_ID.source}` }]);
    const body = jsonBody(request);
    if (body === undefined) return problem(400, 'invalid_request', 'The body must be JSON');
    if (!isJsonObject(body)) return invalid([{ parameter: 'body', reason: 'must be a JSON object' }]);
    const current = this.applications.get(id);
    if (current === undefined) return problem(404, 'not_found', `Application ${id} not found`);

    const issues = validateFields(body, false);
    if (issues.length > 0) return invalid(issues);
    const next = structuredClone(current);
    applyPatch(next, body);
    const declined = declinedWithoutNotice(next);
    if (declined !== undefined) return invalid([declined]);
    next.updated_at = this.timestamp();
    this.applications.set(id, next);
    this.applied.push({ applicationId: id, kind: 'updated', body });
    void this.notify('application.updated', id);
    return { status: 200, body: structuredClone(next) };
  }

  /** `POST /v0/applications`. ours: 201; a `client_application_id` already used → 422. */
  private create(request: SandboxRequest): SandboxResponse {
    const body = jsonBody(request);
    if (body === undefined) return problem(400, 'invalid_request', 'The body must be JSON');
    if (!isJsonObject(body)) return invalid([{ parameter: 'body', reason: 'must be a JSON object' }]);
    const { client_application_id: clientApplicationId, entities, ...fields } = body;
    const issues = validateFields(fields, true);
    if (typeof clientApplicationId !== 'string' || clientApplicationId === '') {
      issues.unshift({ parameter: 'client_application_id', reason: 'is required' });
    } else if (this.clientApplicationIds.has(clientApplicationId)) {
      issues.unshift({ parameter: 'client_application_id', reason: `is already used by ${this.clientApplicationIds.get(clientApplicationId)}` });
    }
    if (entities !== undefined && !isJsonObject(entities)) issues.push({ parameter: 'entities', reason: 'must be an object' });
    if (issues.length > 0) return invalid(issues);
    const application: Json = { details: {}, decision: {}, documents: [], metadata: {} };
    applyPatch(application, fields);
    const declined = declinedWithoutNotice(application);
    if (declined !== undefined) return invalid([declined]);
    const id = this.addApplication({ ...(application as ApplicationSeed), client_application_id: clientApplicationId as string, ...(isJsonObject(entities) && { entities }) });
    this.applied.push({ applicationId: id, kind: 'created', body });
    void this.notify('application.created', id);
    return { status: 201, body: this.application(id) };
  }

  private get(id: string): SandboxResponse {
    const application = this.application(id);
    return application === undefined ? problem(404, 'not_found', `Application ${id} not found`) : { status: 200, body: application };
  }

  /** ISO 8601 to the second, as Lead Bank prints it. */
  private timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function withoutUndefined(fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
