import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeadEvent, LeadEventOutcome } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import { ProviderCallError } from '../../../src/providers/provider-error.js';
import { connectTechea, startTecheaSandbox, type TecheaSandbox } from '../../../src/providers/techea/index.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { type TecheaClientOptions } from '../../../src/providers/techea/index.js';
import { startFakeProvider, thrownBy } from '../../support/fake-provider.js';

const options = { timeoutMs: 2_000, logger: createLogger('silent') };

describe('TECHEA client against the TECHEA sandbox, over real HTTP', () => {
  let sandbox: RunningSandbox<TecheaSandbox, TecheaClientOptions>;

  beforeAll(async () => {
    sandbox = await startTecheaSandbox();
  });
  afterEach(() => sandbox.server.clearFaults());
  afterAll(() => sandbox.stop());

  const client = (overrides: Partial<TecheaClientOptions> = {}, timeoutMs = options.timeoutMs) =>
    connectTechea({ ...sandbox.connection, ...overrides }, { ...options, timeoutMs });
  const report = (techeaLeadId: string, event = LeadEvent.REGISTRATION, extra: { advertiserRef?: string; metadata?: Record<string, unknown> } = {}) =>
    ({ operation: 'reportLeadEvent', techeaLeadId, event, ...extra }) as const;

  it('reports an event: received the first time, ignored as a duplicate, applied once', async () => {
    const lead = sandbox.behavior.addLead();
    const first = await client().send(report(lead, LeadEvent.LOAN_ISSUED, { advertiserRef: 'ADV-98765', metadata: { amount_issued: 8000, term_months: 24 } }), { idempotencyKey: 'k' });
    expect(first).toEqual({ techeaLeadId: lead, event: LeadEvent.LOAN_ISSUED, outcome: LeadEventOutcome.RECEIVED, providerStatus: 'received', advertiserRef: 'ADV-98765' });
    const again = await client().send(report(lead, LeadEvent.LOAN_ISSUED), { idempotencyKey: 'k' });
    expect(again.outcome).toBe(LeadEventOutcome.IGNORED);
    expect(sandbox.behavior.received.filter((r) => r.leadId === lead)).toEqual([
      { leadId: lead, event: 'loan_issued', advertiserRef: 'ADV-98765', metadata: { amount_issued: 8000, term_months: 24 } },
    ]);
  });

  it('sends advertiser_ref and metadata only when given', async () => {
    const lead = sandbox.behavior.addLead();
    await client().send(report(lead), { idempotencyKey: 'k' });
    expect(sandbox.behavior.received.find((r) => r.leadId === lead)).toMatchObject({ advertiserRef: null, metadata: null });
  });

  it('notifies the publisher of a received event, not of a duplicate', async () => {
    const calls: string[] = [];
    const publisher = await startFakeProvider((request) => {
      calls.push(request.url);
      return { status: 200, body: {} };
    });
    const withCallback = await startTecheaSandbox({ publisherCallbackUrl: new URL('/callback', publisher.baseUrl) });
    try {
      const lead = withCallback.behavior.addLead();
      const c = connectTechea(withCallback.connection, options);
      await c.send(report(lead, LeadEvent.REGISTRATION), { idempotencyKey: 'k' });
      await c.send(report(lead, LeadEvent.REGISTRATION), { idempotencyKey: 'k' });
      expect(calls).toEqual([`/callback?lead_id=${lead}&event=registration`]);
    } finally {
      await withCallback.stop();
      await publisher.stop();
    }
  });

  it.each([
    ['an unknown lead', () => report(randomUUID()), 'NOT_FOUND', 404, /^Lead [0-9a-f-]+ not found$/],
    ['a lead id that is not a UUID', () => report('lead-42'), 'REJECTED', 400, /^Invalid request \(lead_id: must be a UUID\)$/],
  ])('refuses %s with a neutral code and TECHEA\'s message', async (_what, command, code, status, message) => {
    const error = await thrownBy(() => client().send(command(), { idempotencyKey: 'k' }));
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error).toMatchObject({ code, httpStatus: status, retryable: false });
    expect(error.message).toMatch(message);
  });

  it.each([
    ['a wrong key', () => ({ apiKey: 'adv_wrong_key_000000' }), 'Invalid API key'],
    ['a publisher key', () => ({ apiKey: sandbox.behavior.credentials.publisherKey }), 'Publisher keys cannot update lead status'],
  ])('refuses %s with UNAUTHORIZED', async (_what, overrides, message) => {
    const error = await thrownBy(() => client(overrides()).send(report(sandbox.behavior.addLead()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, retryable: false, message });
  });

  it.each([
    [503, 'UNAVAILABLE', true],
    [500, 'UNAVAILABLE', true],
    [429, 'RATE_LIMITED', true],
    [422, 'REJECTED', false],
  ] as const)('maps an injected %i to %s (retryable: %s)', async (status, code, retryable) => {
    sandbox.server.setFaults({ forceStatus: status, forceCount: 1, retryAfterSeconds: 7 });
    const error = await thrownBy(() => client().send(report(sandbox.behavior.addLead()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code, httpStatus: status, retryable, retryAfterMs: 7_000 });
  });

  it('gives up with TIMEOUT when TECHEA does not answer in time', async () => {
    sandbox.server.setFaults({ latencyMs: 500 });
    const error = await thrownBy(() => client({}, 100).send(report(sandbox.behavior.addLead()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, httpStatus: null });
  });

  it('reports UNAVAILABLE when nothing listens', async () => {
    const closed = await startTecheaSandbox();
    await closed.stop();
    const error = await thrownBy(() => connectTechea(closed.connection, options).send(report(randomUUID()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('answers the pixel variant with an HMAC token, and refuses a bad token', async () => {
    const lead = sandbox.behavior.addLead();
    const { pixelSecret, advertiserId } = sandbox.behavior.credentials;
    const token = createHmac('sha256', pixelSecret).update(lead + advertiserId).digest('hex');
    const url = (t: string) => new URL(`/api/v1/lead/${lead}/status?token=${t}&event=approved&ref=R1`, sandbox.baseUrl);
    expect(await (await fetch(url(token))).json()).toEqual({ lead_id: lead, event: 'approved', status: 'received' });
    expect((await fetch(url('0'.repeat(64)))).status).toBe(401);
  });

  it('takes lead submissions from publishers, rejecting out-of-range amounts with 200 and a reason', async () => {
    const submit = (body: unknown) =>
      fetch(new URL('/api/v1/lead', sandbox.baseUrl), {
        method: 'POST',
        headers: { apikey: sandbox.behavior.credentials.publisherKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect(await submit({ amount: 100, term_months: 12 })).toEqual({
      status: 200,
      body: { lead_id: null, status: 'rejected', redirect_url: null, rejection_reason: 'amount must be between 500 and 75000' },
    });
    const accepted = await submit({ amount: 5000, term_months: 12 });
    expect(accepted.body).toMatchObject({ status: 'accepted', rejection_reason: null });
    expect((await client().send(report(accepted.body.lead_id as string), { idempotencyKey: 'k' })).outcome).toBe(LeadEventOutcome.RECEIVED);
  });
});

describe('TECHEA client: any 2xx is a success, whatever its body', () => {
  let sandbox: RunningSandbox<TecheaSandbox, TecheaClientOptions>;
  beforeAll(async () => {
    sandbox = await startTecheaSandbox();
  });
  afterEach(() => sandbox.server.clearFaults());
  afterAll(() => sandbox.stop());

  it.each<[string, { outcome: LeadEventOutcome | null; providerStatus?: string; unread: string[] }]>([
    // The reference page's own example: a loan_issued update answered with "event": "registration".
    ['reference-example', { outcome: LeadEventOutcome.RECEIVED, providerStatus: 'received', unread: ['event: "registration" where loan_issued was sent'] }],
    ['unknown-status', { outcome: null, providerStatus: 'queued', unread: ['status: unknown value "queued"'] }],
    ['no-body', { outcome: null, unread: ['body: empty'] }],
  ])('reads the %s answer: the event as sent, what could be read, and a note for the rest', async (variant, expected) => {
    sandbox.server.setFaults({ answerVariant: variant });
    const lead = sandbox.behavior.addLead();
    const calls = sandbox.server.stats.calls;
    const result = await connectTechea(sandbox.connection, options).send(
      { operation: 'reportLeadEvent', techeaLeadId: lead, event: LeadEvent.LOAN_ISSUED },
      { idempotencyKey: 'k' },
    );
    expect(result).toEqual({ techeaLeadId: lead, event: LeadEvent.LOAN_ISSUED, ...expected, answer: expect.any(String) });
    expect(sandbox.server.stats.calls).toBe(calls + 1);
    expect(sandbox.behavior.received.filter((r) => r.leadId === lead).map((r) => r.event)).toEqual(['loan_issued']);
  });

  it('refuses an unknown answer variant over the control API, naming the known ones', async () => {
    const response = await fetch(new URL('/__sandbox/faults', sandbox.server.baseUrl), { method: 'PUT', body: JSON.stringify({ answerVariant: 'made-up' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'answerVariant must be null or one of: reference-example, unknown-status, no-body' });
  });
});

describe('TECHEA client against a TECHEA that breaks its contract', () => {
  it('removes the API key from a message that echoes it', async () => {
    const fake = await startFakeProvider((request) => ({
      status: 401,
      body: { error: 'unauthorized', message: `Invalid API key ${String(request.headers.apikey)}` },
    }));
    try {
      const error = await thrownBy(() =>
        connectTechea({ baseUrl: fake.baseUrl, apiKey: 'adv_secret_key_987654' }, options).send(
          { operation: 'reportLeadEvent', techeaLeadId: randomUUID(), event: LeadEvent.REGISTRATION },
          { idempotencyKey: 'k' },
        ),
      );
      expect(error.message).toBe('Invalid API key [redacted]');
    } finally {
      await fake.stop();
    }
  });
});
