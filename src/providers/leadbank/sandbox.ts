import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { LEADBANK_SIGNATURE_HEADER, signLeadBankWebhook } from './webhook.js';
import { canonicalJson, isJsonObject, mergePatch } from '../json.js';
import { statusTitle } from '../sandbox/problem-title.js';
import { headerOf, jsonBody, type SandboxBehavior, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import {
  APPLICATION_ID,
  CONSENTED_DOCUMENT_TYPES,
  CURRENCY,
  DISPLAYED_DOCUMENT_TYPES,
  WIRE_DELIVERY_METHODS,
  WIRE_STATUSES,
  type WireApplication,
  type WireInvalidParameter,
  type WireInvalidParametersError,
  type WireProblem,
} from './wire.js';
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
type IdempotencyEntry = { fingerprint: string; state: 'in_flight' } | { fingerprint: string; state: 'done'; response: SandboxResponse };

const DISPLAYED: readonly string[] = DISPLAYED_DOCUMENT_TYPES;
const CONSENTED: readonly string[] = CONSENTED_DOCUMENT_TYPES;
const IMMUTABLE = ['id', 'created_at', 'updated_at', 'entities'];
const instant = z.iso.datetime({ offset: true });

/**
 * Lead Bank as CONTRACTS.md describes it: OAuth2 client credentials with expiring
 * bearer tokens, idempotency keys on writes (replay, 422 on another body, 409 in
 * flight), JSON Merge Patch of applications with the document and adverse action
 * notice rules, `invalid_parameters` 422s and RFC 7807 for everything else.
 */
export class LeadBankSandbox implements SandboxBehavior {
  readonly name = 'leadbank';
  readonly answerVariants = LEAD_BANK_ANSWER_VARIANTS;
  /** Settable, so one test can hold a write in flight long enough to see the 409. */
  processingDelayMs: number;
  private readonly now: () => number;
  private readonly applications = new Map<string, Json>();
  private readonly clientApplicationIds = new Map<string, string>();
  private readonly tokens = new Map<string, { expiresAt: number }>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();
  private readonly holds = new Set<AbortController>();
  private inFlightListeners: Array<(key: string) => void> = [];
  private issued = 0;
  /** Where this sandbox sends its webhooks, if anywhere (see `setWebhook`). */
  private webhook: { url: URL; secret: string } | undefined;
  /** Every webhook sent: its event id, what it was about, and the answer. */
  readonly webhooksSent: Array<{ eventId: string; event: string; applicationId: string; status: number | 'unreachable' }> = [];
  /** Emits `webhook-sent` with each entry of {@link webhooksSent}, once the gateway has answered it. */
  readonly events = new EventEmitter();

  /** Every effective change, in order: creations and applied patches, never an idempotent replay. */
  readonly applied: Array<{ applicationId: string; kind: 'created' | 'updated'; body: unknown }> = [];

  constructor(private readonly options: LeadBankSandboxOptions) {
    this.processingDelayMs = options.processingDelayMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** The client credentials this sandbox accepts. */
  get credentials(): { clientId: string; clientSecret: string } {
    return { clientId: this.options.clientId, clientSecret: this.options.clientSecret };
  }

  /** How many tokens the token endpoint issued (a caching client asks once for many calls). */
  get tokensIssued(): number {
    return this.issued;
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

  /** Makes every issued token invalid at once, as a rotation or revocation would. */
  revokeAllTokens(): void {
    this.tokens.clear();
  }

  /** Resolves with the key when a write next takes its idempotency key in flight. */
  nextInFlight(): Promise<string> {
    return new Promise((resolve) => this.inFlightListeners.push(resolve));
  }

  /** Ends every processing delay now, so a held write completes without waiting out `processingDelayMs`. */
  releaseInFlight(): void {
    for (const hold of this.holds) hold.abort();
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
    const keys = [...this.idempotency.values()];
    return {
      applications: this.applications.size,
      applied: this.applied.length,
      tokensIssued: this.issued,
      activeTokens: this.tokens.size,
      idempotencyKeys: { stored: keys.filter((k) => k.state === 'done').length, inFlight: keys.filter((k) => k.state === 'in_flight').length },
    };
  }

  errorResponse(status: number): SandboxResponse {
    if (status === 422) return invalid([], `Request failed with status ${status}`);
    return problem(status, status >= 500 ? 'internal_error' : 'request_failed', status >= 500 ? 'Internal server error' : `Request failed with status ${status}`);
  }

  async handle(request: SandboxRequest): Promise<SandboxResponse> {
    if (request.path === '/v1/oauth/token' && request.method === 'POST') return this.issueToken(request);
    const refused = this.checkBearer(request);
    if (refused !== undefined) return refused;
    if (request.path === '/v0/applications' && request.method === 'POST') return this.idempotent(request, () => this.create(request));
    const match = /^\/v0\/applications\/([^/]+)$/.exec(request.path);
    const id = match?.[1] === undefined ? undefined : decodePath(match[1]);
    if (id !== undefined && request.method === 'PATCH') return this.idempotent(request, () => this.update(request, id));
    if (id !== undefined && request.method === 'GET') return this.get(id);
    return problem(404, 'not_found', `No route for ${request.method} ${request.path}`);
  }

  /** `POST /v1/oauth/token`, JSON client credentials. ours: the error codes and the scope granted when none is asked. */
  private issueToken(request: SandboxRequest): SandboxResponse {
    const body = jsonBody(request);
    if (!isJsonObject(body)) return problem(400, 'invalid_request', 'The body must be a JSON object');
    if (body.grant_type !== 'client_credentials') return problem(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (body.scope !== undefined && typeof body.scope !== 'string') return problem(400, 'invalid_request', 'scope must be a string');
    const { clientId, clientSecret } = this.options;
    if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string' || !constantTimeEqual(body.client_id, clientId) || !constantTimeEqual(body.client_secret, clientSecret)) {
      return problem(401, 'invalid_client', 'Invalid client credentials');
    }
    const lifetime = this.options.tokenLifetimeSeconds ?? 86_400;
    const token = `lb_${randomBytes(24).toString('hex')}`;
    this.tokens.set(token, { expiresAt: this.now() + lifetime * 1000 });
    this.issued++;
    return { status: 200, body: { access_token: token, token_type: 'Bearer', scope: body.scope ?? 'applications', expires_in: lifetime } };
  }

  private checkBearer(request: SandboxRequest): SandboxResponse | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(headerOf(request, 'authorization') ?? '');
    if (match?.[1] === undefined) return problem(401, 'unauthorized', 'Missing bearer token');
    const token = this.tokens.get(match[1]);
    if (token === undefined) return problem(401, 'unauthorized', 'Invalid access token');
    if (this.now() >= token.expiresAt) {
      this.tokens.delete(match[1]);
      return problem(401, 'unauthorized', 'The access token has expired');
    }
    return undefined;
  }

  /**
   * Lead Bank's idempotency: no key → 400; the same key with another request → 422;
   * while the first is in flight → 409; after a success → its response replayed. Only a
   * success keeps the key, so a refused request can be corrected and sent again.
   * ours: keys are per sandbox (one client); the request is the method, path and JSON body.
   */
  private async idempotent(request: SandboxRequest, process: () => SandboxResponse): Promise<SandboxResponse> {
    const key = headerOf(request, 'idempotency-key');
    if (key === undefined || key === '') return problem(400, 'operation_not_allowed', 'The Idempotency-Key header is required');
    if (key.length > 255) return problem(400, 'operation_not_allowed', 'The Idempotency-Key header must be at most 255 characters');
    const fingerprint = `${request.method} ${request.path} ${canonical(request.rawBody)}`;
    const known = this.idempotency.get(key);
    if (known !== undefined && known.fingerprint !== fingerprint) {
      return problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request');
    }
    if (known?.state === 'in_flight') return problem(409, 'idempotency_key_in_flight', 'A request with this Idempotency-Key is still being processed');
    if (known?.state === 'done') return structuredClone(known.response);

    this.idempotency.set(key, { fingerprint, state: 'in_flight' });
    const listeners = this.inFlightListeners;
    this.inFlightListeners = [];
    for (const listener of listeners) listener(key);
    try {
      await this.hold();
      const response = process();
      if (response.status >= 200 && response.status < 300) this.idempotency.set(key, { fingerprint, state: 'done', response: structuredClone(response) });
      else this.idempotency.delete(key);
      return response;
    } catch (error) {
      this.idempotency.delete(key);
      throw error;
    }
  }

  private async hold(): Promise<void> {
    if (this.processingDelayMs <= 0) return;
    const controller = new AbortController();
    this.holds.add(controller);
    try {
      await delay(this.processingDelayMs, undefined, { signal: controller.signal });
    } catch {
      // Released early by releaseInFlight().
    } finally {
      this.holds.delete(controller);
    }
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

/** The body's fields, checked against the published request schema and rules. `creating` allows what a POST may carry. */
function validateFields(body: Json, creating: boolean): WireInvalidParameter[] {
  const issues: WireInvalidParameter[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (IMMUTABLE.includes(field)) issues.push({ parameter: field, reason: 'is immutable' });
    else if (field === 'status') {
      if (!(WIRE_STATUSES as readonly unknown[]).includes(value)) issues.push({ parameter: field, reason: `must be one of ${WIRE_STATUSES.join(', ')}` });
    } else if (field === 'details') issues.push(...validateDetails(value));
    else if (field === 'decision') {
      issues.push(...validateObject(value, 'decision', { decided_at: isInstant, reason: isString, exception_approval_reason: isString }));
    } else if (field === 'documents') issues.push(...validateDocuments(value));
    else if (field === 'metadata') {
      if (!isJsonObject(value)) issues.push({ parameter: field, reason: 'must be an object' });
    } else issues.push({ parameter: field, reason: creating ? 'is not a field of an application' : 'is not a field that can be updated' });
  }
  return issues;
}

type Check = (value: unknown) => string | undefined;
const isString: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
const isInstant: Check = (v) => (instant.safeParse(v).success ? undefined : 'must be an ISO 8601 date-time');
const isMinorUnits: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer (minor units)');
const isCurrency: Check = (v) => (typeof v === 'string' && CURRENCY.test(v) ? undefined : 'must be an ISO 4217 currency code');
const isDeliveryMethod: Check = (v) =>
  (WIRE_DELIVERY_METHODS as readonly unknown[]).includes(v) ? undefined : `must be one of ${WIRE_DELIVERY_METHODS.join(', ')}`;

/** An object of known members; `null` members are allowed (Merge Patch: remove it). ours: unknown members are refused. */
function validateObject(value: unknown, path: string, members: Record<string, Check>): WireInvalidParameter[] {
  if (!isJsonObject(value)) return [{ parameter: path, reason: 'must be an object' }];
  const issues: WireInvalidParameter[] = [];
  for (const [name, member] of Object.entries(value)) {
    const check = members[name];
    const reason = check === undefined ? 'is not a known field' : member === null ? undefined : check(member);
    if (reason !== undefined) issues.push({ parameter: `${path}.${name}`, reason });
  }
  return issues;
}

function validateDetails(value: unknown): WireInvalidParameter[] {
  const nested = (path: string, members: Record<string, Check>) => (v: unknown) => validateObject(v, path, members);
  const credit = nested('details.credit', {
    is_secured: isBoolean, is_mla: isBoolean, currency: isCurrency, underwriting_grade: isString, limit: isMinorUnits, max_limit: isMinorUnits,
    // ours: the credit report is Lead Bank's own (pulled by Lead), read-only.
    report: () => 'is read-only',
  });
  const notice = nested('details.adverse_action_notice', { delivered_at: isInstant, reason: isString, delivery_method: isDeliveryMethod });
  const issues: WireInvalidParameter[] = [];
  const deep: Check = () => undefined;
  issues.push(...validateObject(value, 'details', { product_name: isString, credit: deep, adverse_action_notice: deep }));
  if (isJsonObject(value) && value.credit != null) issues.push(...credit(value.credit));
  if (isJsonObject(value) && value.adverse_action_notice != null) issues.push(...notice(value.adverse_action_notice));
  return issues;
}

/**
 * Each document needs the timestamp its type calls for. ours: the other one may be
 * present too (the reference page's own example shows an `aan` with both).
 */
function validateDocuments(value: unknown): WireInvalidParameter[] {
  if (!Array.isArray(value)) return [{ parameter: 'documents', reason: 'must be an array' }];
  return value.flatMap((document: unknown, i) => {
    const path = `documents[${i}]`;
    const issues = validateObject(document, path, { document_id: isString, type: isString, displayed_at: isInstant, consented_at: isInstant, version: isString });
    if (!isJsonObject(document) || issues.length > 0) return issues;
    const type = document.type;
    if (typeof type !== 'string') return [{ parameter: `${path}.type`, reason: 'is required' }];
    if (DISPLAYED.includes(type)) return document.displayed_at == null ? [{ parameter: `${path}.displayed_at`, reason: `is required for a document of type ${type}` }] : [];
    if (CONSENTED.includes(type)) return document.consented_at == null ? [{ parameter: `${path}.consented_at`, reason: `is required for a document of type ${type}` }] : [];
    return [{ parameter: `${path}.type`, reason: 'is not a known document type' }];
  });
}

/** Applies an already validated patch: Merge Patch for `details` and `decision`, whole replacement otherwise. */
function applyPatch(application: Json, patch: Json): void {
  for (const [field, value] of Object.entries(patch)) {
    application[field] = field === 'details' || field === 'decision' ? mergePatch(application[field], value) : structuredClone(value);
  }
}

/** `declined` needs a complete adverse action notice (doc). */
function declinedWithoutNotice(application: Json): WireInvalidParameter | undefined {
  if (application.status !== 'declined') return undefined;
  const details = application.details;
  const notice = isJsonObject(details) ? details.adverse_action_notice : undefined;
  const complete = isJsonObject(notice) && ['delivered_at', 'reason', 'delivery_method'].every((name) => typeof notice[name] === 'string' && notice[name] !== '');
  return complete ? undefined : {
    parameter: 'details.adverse_action_notice',
    reason: 'a complete adverse action notice (delivered_at, reason, delivery_method) is required when status is declined',
  };
}

function withoutUndefined(fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** The body as JSON with sorted keys, so the same request in another key order is the same request. */
function canonical(rawBody: string): string {
  try {
    return canonicalJson(JSON.parse(rawBody), { omitNull: false });
  } catch {
    return rawBody;
  }
}

/** A path segment decoded; a malformed escape is left as sent (and then fails the id pattern). */
function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}



/** RFC 7807. ours: `type` is `about:blank` (Lead Bank publishes no problem type URIs). */
function problem(status: number, code: string, detail: string): SandboxResponse {
  return { status, body: { type: 'about:blank', status, title: statusTitle(status), detail, code } satisfies WireProblem };
}

function invalid(parameters: WireInvalidParameter[], message = 'The request contains invalid parameters'): SandboxResponse {
  return { status: 422, body: { error_type: 'invalid_parameters', error_message: message, invalid_parameters: parameters } satisfies WireInvalidParametersError };
}
