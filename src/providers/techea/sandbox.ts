import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { createHmac, randomUUID } from 'node:crypto';
import { headerOf, jsonBody, type SandboxBehavior, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import { statusUpdate, type WireError } from './wire.js';
import { TECHEA_ANSWER_VARIANTS } from './sandbox-variants.js';

/** Credentials and seed data of a TECHEA sandbox. */
export interface TecheaSandboxOptions {
  /** Accepted on `PATCH /lead/{id}/status`. */
  readonly advertiserKey: string;
  /** Accepted on `POST /lead`, refused (401) on status updates, as TECHEA does. */
  readonly publisherKey: string;
  /** Advertiser id and shared secret of the pixel variant's HMAC token. */
  readonly advertiserId: string;
  readonly pixelSecret: string;
  /** Where TECHEA notifies the publisher of received events (GET ?lead_id=&event=); none when absent. */
  readonly publisherCallbackUrl?: URL;
  /** Leads that exist from the start. */
  readonly seedLeadIds?: readonly string[];
}

/** The pixel variant's own event names (CONTRACTS.md). */
const PIXEL_EVENTS = ['registration', 'approved', 'rejected', 'completed', 'defaulted'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * TECHEA as CONTRACTS.md describes it: advertiser-key auth, `{error, message,
 * details}` errors, a duplicate (lead, event) answered `ignored`, the publisher
 * notified on `received`.
 */
export class TecheaSandbox implements SandboxBehavior {
  readonly name = 'techea';
  readonly answerVariants = TECHEA_ANSWER_VARIANTS;
  private readonly leads = new Map<string, { events: Set<string>; advertiserRef: string | null }>();
  /** Every event TECHEA recorded (`received`), in order: what the sandbox applied. */
  readonly received: Array<{ leadId: string; event: string; advertiserRef: string | null; metadata: unknown }> = [];
  readonly notifications: Array<{ leadId: string; event: string; delivered: boolean }> = [];

  constructor(private readonly options: TecheaSandboxOptions) {
    for (const id of options.seedLeadIds ?? []) this.addLead(id);
  }

  /** The keys this sandbox accepts, to hand to a client or print for a person. */
  get credentials(): { advertiserKey: string; publisherKey: string; advertiserId: string; pixelSecret: string } {
    const { advertiserKey, publisherKey, advertiserId, pixelSecret } = this.options;
    return { advertiserKey, publisherKey, advertiserId, pixelSecret };
  }

  /** Creates a lead as if a publisher had submitted it; returns its id. */
  addLead(id: string = randomUUID()): string {
    this.leads.set(id.toLowerCase(), { events: new Set(), advertiserRef: null });
    return id.toLowerCase();
  }

  /** Ids of the leads TECHEA knows. */
  leadIds(): string[] {
    return [...this.leads.keys()];
  }

  inspect() {
    return { leads: this.leads.size, received: this.received.length, notifications: this.notifications.length };
  }

  errorResponse(status: number): SandboxResponse {
    const error = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : status === 422 ? 'unprocessable_entity' : status >= 500 ? 'internal_error' : 'validation_error';
    return { status, body: { error, message: status >= 500 ? 'Internal server error' : `Request failed with status ${status}` } satisfies WireError };
  }

  async handle(request: SandboxRequest): Promise<SandboxResponse> {
    // The sandbox serves TECHEA's paths below /api/v1, as a tenant URL does.
    const path = request.path.startsWith('/api/v1/') ? request.path.slice('/api/v1'.length) : request.path;
    const status = /^\/lead\/([^/]+)\/status$/.exec(path);
    if (status?.[1] !== undefined && request.method === 'PATCH') return this.updateStatus(request, decodeURIComponent(status[1]));
    if (status?.[1] !== undefined && request.method === 'GET') return this.pixel(request, decodeURIComponent(status[1]));
    if (path === '/lead' && request.method === 'POST') return this.submitLead(request);
    return error(404, 'not_found', `No route for ${request.method} ${request.path}`);
  }

  private async updateStatus(request: SandboxRequest, leadId: string): Promise<SandboxResponse> {
    const key = headerOf(request, 'apikey');
    if (key === undefined) return error(401, 'unauthorized', 'Missing apikey header');
    if (key === this.options.publisherKey) return error(401, 'unauthorized', 'Publisher keys cannot update lead status');
    if (!constantTimeEqual(key, this.options.advertiserKey)) return error(401, 'unauthorized', 'Invalid API key');

    const body = jsonBody(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return validation('Malformed request body', [{ field: 'body', issue: 'must be a JSON object' }]);
    }
    const parsed = statusUpdate.safeParse(body);
    const details = [
      ...(UUID.test(leadId) ? [] : [{ field: 'lead_id', issue: 'must be a UUID' }]),
      ...(parsed.error?.issues.map((issue) => ({ field: issue.path.join('.'), issue: issue.message })) ?? []),
    ];
    if (!parsed.success || details.length > 0) return validation('Invalid request', details);

    const lead = this.leads.get(leadId.toLowerCase());
    if (lead === undefined) return error(404, 'not_found', `Lead ${leadId} not found`);
    const { event, advertiser_ref: ref, metadata } = parsed.data;
    // ours (CONTRACTS.md): a duplicate is the same (lead_id, event) pair already received.
    if (lead.events.has(event)) return { status: 200, body: { lead_id: leadId, event, status: 'ignored' } };
    lead.events.add(event);
    const advertiserRef = ref ?? null;
    if (advertiserRef !== null) lead.advertiserRef = advertiserRef;
    this.received.push({ leadId: leadId.toLowerCase(), event, advertiserRef, metadata: metadata ?? null });
    await this.notifyPublisher(leadId, event);
    return { status: 200, body: { lead_id: leadId, event, status: 'received' } };
  }

  /** On `received`, TECHEA calls the publisher's callback URL. */
  private async notifyPublisher(leadId: string, event: string): Promise<void> {
    const callback = this.options.publisherCallbackUrl;
    if (callback === undefined) return;
    const url = new URL(callback);
    url.searchParams.set('lead_id', leadId);
    url.searchParams.set('event', event);
    const delivered = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
    this.notifications.push({ leadId, event, delivered });
  }

  /** The pixel variant: `GET /lead/{id}/status?token=&event=&ref=`, token = HMAC(lead_id + advertiser_id). */
  private pixel(request: SandboxRequest, leadId: string): SandboxResponse {
    const expected = createHmac('sha256', this.options.pixelSecret).update(leadId + this.options.advertiserId).digest('hex');
    if (!constantTimeEqual(request.query.get('token') ?? '', expected)) return error(401, 'unauthorized', 'Invalid token');
    const event = request.query.get('event') ?? '';
    if (!(PIXEL_EVENTS as readonly string[]).includes(event)) {
      return validation('Invalid request', [{ field: 'event', issue: `must be one of ${PIXEL_EVENTS.join(', ')}` }]);
    }
    const lead = this.leads.get(leadId.toLowerCase());
    if (lead === undefined) return error(404, 'not_found', `Lead ${leadId} not found`);
    const duplicate = lead.events.has(`pixel:${event}`);
    lead.events.add(`pixel:${event}`);
    return { status: 200, body: { lead_id: leadId, event, status: duplicate ? 'ignored' : 'received' } };
  }

  /** Publisher side: `POST /lead`. Out-of-range amounts or terms are rejected with 200 and a reason. */
  private submitLead(request: SandboxRequest): SandboxResponse {
    if (!constantTimeEqual(headerOf(request, 'apikey') ?? '', this.options.publisherKey)) return error(401, 'unauthorized', 'Invalid API key');
    const body = jsonBody(request) as { amount?: unknown; term_months?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || typeof body.amount !== 'number' || typeof body.term_months !== 'number') {
      return validation('Invalid request', [{ field: 'amount', issue: 'amount and term_months must be numbers' }]);
    }
    const reason =
      body.amount < 500 || body.amount > 75_000 ? 'amount must be between 500 and 75000'
      : body.term_months < 3 || body.term_months > 84 ? 'term_months must be between 3 and 84'
      : null;
    if (reason !== null) return { status: 200, body: { lead_id: null, status: 'rejected', redirect_url: null, rejection_reason: reason } };
    const id = this.addLead();
    return { status: 200, body: { lead_id: id, status: 'accepted', redirect_url: `https://techea.example/offer/${id}`, rejection_reason: null } };
  }
}



function error(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { error: code, message } satisfies WireError };
}

function validation(message: string, details: Array<{ field: string; issue: string }>): SandboxResponse {
  return { status: 400, body: { error: 'validation_error', message, details } satisfies WireError };
}
