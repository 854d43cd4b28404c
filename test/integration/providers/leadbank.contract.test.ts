import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import {
  connectLeadBank,
  type LeadBankClientOptions,
  type LeadBankSandbox,
  startLeadBankSandbox,
} from '../../../src/providers/leadbank/index.js';
import { ProviderCallError } from '../../../src/providers/provider-error.js';
import { type UpdateApplicationCommand } from '../../../src/providers/provider.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { startFakeProvider, thrownBy } from '../../support/fake-provider.js';

const options = { timeoutMs: 2_000, logger: createLogger('silent') };
const key = () => `dispatch-${randomUUID()}`;
const update = (applicationId: string, fields: Omit<UpdateApplicationCommand, 'operation' | 'applicationId'> = {}): UpdateApplicationCommand => ({
  operation: 'updateApplication',
  applicationId,
  ...fields,
});
const notice = { deliveredAt: '2024-05-02T09:00:00Z', reason: 'Insufficient credit history', deliveryMethod: 'email' };

/** An application with every field group set, so merges have something to keep. */
const seeded = {
  created_at: '2024-05-01T08:00:00Z',
  updated_at: '2024-05-01T08:00:00Z',
  details: {
    product_name: 'Growth Business Credit Line',
    credit: {
      is_secured: true, is_mla: false, currency: 'USD', underwriting_grade: '99', limit: 5_000_000, max_limit: 10_000_000,
      report: { score: 575, pulled_at: '2024-05-01T07:00:00Z', source: 'equifax' },
    },
  },
  decision: { decided_at: '2024-05-01T09:00:00Z', reason: 'Meets policy' },
  documents: [
    { document_id: 'document_A', type: 'aan', displayed_at: '2024-05-01T08:30:00Z', version: 'v1' },
    { document_id: 'document_B', type: 'esign_agreement', consented_at: '2024-05-01T08:31:00Z', version: 'v1' },
  ],
  metadata: { external_id: 'APP-2024-001', channel: 'web' },
};

describe('Lead Bank client against the Lead Bank sandbox, over real HTTP', () => {
  let sandbox: RunningSandbox<LeadBankSandbox, LeadBankClientOptions>;
  /** One client for most tests: its token stays cached, so injected faults reach the application route. */
  let shared: ReturnType<typeof connectLeadBank>;

  beforeAll(async () => {
    sandbox = await startLeadBankSandbox();
    shared = connectLeadBank(sandbox.connection, options);
  });
  afterEach(() => {
    sandbox.server.clearFaults();
    sandbox.behavior.processingDelayMs = 0;
  });
  afterAll(() => sandbox.stop());

  const client = (overrides: Partial<LeadBankClientOptions> = {}, timeoutMs = options.timeoutMs) =>
    connectLeadBank({ ...sandbox.connection, ...overrides }, { ...options, timeoutMs });

  /** Calls the sandbox directly, for what the client never sends (no key, immutable fields) and the other routes. */
  const raw = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const token = await fetch(new URL('/v1/oauth/token', sandbox.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.connection.clientId, client_secret: sandbox.connection.clientSecret }),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const response = await fetch(new URL(path, sandbox.baseUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('updates every field group and answers the whole application in the unified model', async () => {
    const id = sandbox.behavior.addApplication({ created_at: '2024-05-01T08:00:00Z', details: { credit: { report: seeded.details.credit.report } } });
    const { application } = await shared.send(
      update(id, {
        status: ApplicationStatus.APPROVED,
        productName: 'Everyday Credit',
        credit: { isSecured: false, isMla: true, currency: 'USD', underwritingGrade: 'A1', limitCents: 250_000, maxLimitCents: 500_000 },
        adverseActionNotice: notice,
        decision: { decidedAt: '2024-05-02T10:00:00Z', reason: 'Good standing', exceptionApprovalReason: 'Manual review' },
        documents: [
          { documentId: 'document_1', type: 'loan_agreement', displayedAt: '2024-05-02T10:01:00Z', version: 'v2' },
          { type: 'credit_pull_consent', consentedAt: '2024-05-02T10:02:00Z' },
        ],
        metadata: { external_id: 'APP-7' },
      }),
      { idempotencyKey: key() },
    );
    expect(application).toEqual({
      id,
      status: ApplicationStatus.APPROVED,
      productName: 'Everyday Credit',
      credit: {
        isSecured: false, isMla: true, currency: 'USD', underwritingGrade: 'A1', limitCents: 250_000, maxLimitCents: 500_000,
        score: 575, scorePulledAt: new Date('2024-05-01T07:00:00Z'), scoreSource: 'equifax',
      },
      adverseActionNotice: { deliveredAt: new Date(notice.deliveredAt), reason: notice.reason, deliveryMethod: 'email' },
      decision: { decidedAt: new Date('2024-05-02T10:00:00Z'), reason: 'Good standing', exceptionApprovalReason: 'Manual review' },
      documents: [
        { documentId: 'document_1', type: 'loan_agreement', displayedAt: new Date('2024-05-02T10:01:00Z'), consentedAt: null, version: 'v2' },
        { documentId: null, type: 'credit_pull_consent', displayedAt: null, consentedAt: new Date('2024-05-02T10:02:00Z'), version: null },
      ],
      metadata: { external_id: 'APP-7' },
      providerStatus: 'approved',
      // Read-only at Lead Bank: reported, never sent.
      entities: {
        accountHolderType: 'consumer',
        accountHolders: (sandbox.behavior.application(id) as { entities: { account_holders: string[] } }).entities.account_holders,
        authorizedSigners: [],
      },
      createdAt: new Date('2024-05-01T08:00:00Z'),
      updatedAt: expect.any(Date),
    });
    expect(sandbox.behavior.application(id)).toMatchObject({
      status: 'approved',
      details: { credit: { limit: 250_000, max_limit: 500_000, underwriting_grade: 'A1' }, adverse_action_notice: { delivery_method: 'email' } },
      decision: { exception_approval_reason: 'Manual review' },
    });
    expect(sandbox.behavior.appliedUpdates(id)).toBe(1);
  });

  it('sends only the fields the command carries, in Lead Bank\'s names', async () => {
    const id = sandbox.behavior.addApplication(seeded);
    await shared.send(update(id, { credit: { limitCents: 42 }, decision: { reason: 'Policy 7' }, metadata: { a: 1 } }), { idempotencyKey: key() });
    expect(sandbox.behavior.applied.at(-1)).toEqual({
      applicationId: id,
      kind: 'updated',
      body: { details: { credit: { limit: 42 } }, decision: { reason: 'Policy 7' }, metadata: { a: 1 } },
    });
  });

  it('merges details and decision deeply and replaces documents and metadata whole', async () => {
    const id = sandbox.behavior.addApplication(seeded);
    const { application } = await shared.send(
      update(id, {
        credit: { limitCents: 6_000_000 },
        decision: { exceptionApprovalReason: 'Director sign-off' },
        documents: [{ documentId: 'document_C', type: 'mla_notice', displayedAt: '2024-05-03T08:00:00Z' }],
        metadata: { channel: 'branch' },
      }),
      { idempotencyKey: key() },
    );
    expect(application).toMatchObject({
      productName: 'Growth Business Credit Line',
      credit: { isSecured: true, currency: 'USD', underwritingGrade: '99', limitCents: 6_000_000, maxLimitCents: 10_000_000, score: 575 },
      decision: { decidedAt: new Date('2024-05-01T09:00:00Z'), reason: 'Meets policy', exceptionApprovalReason: 'Director sign-off' },
      documents: [{ documentId: 'document_C', type: 'mla_notice' }],
      metadata: { channel: 'branch' },
    });
    expect(application.documents).toHaveLength(1);
    expect(application.updatedAt!.getTime()).toBeGreaterThanOrEqual(application.createdAt!.getTime());
  });

  it.each([
    [ApplicationStatus.APPROVED, {}],
    [ApplicationStatus.DECLINED, { adverseActionNotice: notice }],
    [ApplicationStatus.CANCELED, {}],
  ] as const)('sets the status %s', async (status, extra) => {
    const id = sandbox.behavior.addApplication();
    const { application } = await shared.send(update(id, { status, ...extra }), { idempotencyKey: key() });
    expect(application.status).toBe(status);
    expect(sandbox.behavior.application(id)?.status).toBe(status.toLowerCase());
  });

  it('declines with the adverse action notice delivered earlier', async () => {
    const id = sandbox.behavior.addApplication();
    await shared.send(update(id, { adverseActionNotice: notice }), { idempotencyKey: key() });
    const { application } = await shared.send(update(id, { status: ApplicationStatus.DECLINED }), { idempotencyKey: key() });
    expect(application).toMatchObject({ status: ApplicationStatus.DECLINED, adverseActionNotice: { reason: notice.reason } });
  });

  it.each([
    ['declined without an adverse action notice', () => update(sandbox.behavior.addApplication(), { status: ApplicationStatus.DECLINED }),
      /^The request contains invalid parameters \(details\.adverse_action_notice: a complete adverse action notice .* is required when status is declined\)$/],
    ['an adverse action notice delivered by pigeon', () => update(sandbox.behavior.addApplication(), { adverseActionNotice: { ...notice, deliveryMethod: 'pigeon' } }),
      /details\.adverse_action_notice\.delivery_method: must be one of email, text, other/],
    ['a displayed document with only consented_at', () => update(sandbox.behavior.addApplication(), { documents: [{ type: 'aan', consentedAt: '2024-05-01T08:00:00Z' }] }),
      /documents\[0\]\.displayed_at: is required for a document of type aan/],
    ['a consent document with only displayed_at', () => update(sandbox.behavior.addApplication(), { documents: [{ type: 'esign_agreement', displayedAt: '2024-05-01T08:00:00Z' }] }),
      /documents\[0\]\.consented_at: is required for a document of type esign_agreement/],
    ['a document with neither timestamp', () => update(sandbox.behavior.addApplication(), { documents: [{ type: 'tcpa_consent' }] }),
      /documents\[0\]\.displayed_at: is required for a document of type tcpa_consent/],
    ['a document of an unknown type', () => update(sandbox.behavior.addApplication(), { documents: [{ type: 'selfie', displayedAt: '2024-05-01T08:00:00Z' }] }),
      /documents\[0\]\.type: is not a known document type/],
    ['a negative limit', () => update(sandbox.behavior.addApplication(), { credit: { limitCents: -1 } }),
      /details\.credit\.limit: must be a non-negative integer/],
    ['an id that is not an application id', () => update('app-42', { metadata: {} }), /id: must match \^application_\\w\+\$/],
  ])('refuses %s with REJECTED and Lead Bank\'s invalid parameters, applying nothing', async (_what, command, message) => {
    const sent = command();
    const error = await thrownBy(() => shared.send(sent, { idempotencyKey: key() }));
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error).toMatchObject({ code: 'REJECTED', httpStatus: 422, retryable: false });
    expect(error.message).toMatch(message);
    expect(sandbox.behavior.appliedUpdates(sent.applicationId)).toBe(0);
  });

  it('refuses an unknown application with NOT_FOUND and the RFC 7807 detail', async () => {
    const error = await thrownBy(() => shared.send(update('application_nope', { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, retryable: false, message: 'Application application_nope not found' });
  });

  it('replays a retried dispatch from the stored response and applies it once', async () => {
    const id = sandbox.behavior.addApplication();
    const dispatch = key();
    const command = update(id, { status: ApplicationStatus.APPROVED, metadata: { attempt: 'same' } });
    const first = await shared.send(command, { idempotencyKey: dispatch });
    const again = await client().send(command, { idempotencyKey: dispatch });
    expect(again).toEqual(first);
    expect(sandbox.behavior.appliedUpdates(id)).toBe(1);
  });

  it('refuses a reused key with another body with REJECTED, applying nothing more', async () => {
    const id = sandbox.behavior.addApplication();
    const dispatch = key();
    await shared.send(update(id, { metadata: { n: 1 } }), { idempotencyKey: dispatch });
    const error = await thrownBy(() => shared.send(update(id, { metadata: { n: 2 } }), { idempotencyKey: dispatch }));
    expect(error).toMatchObject({ code: 'REJECTED', httpStatus: 422, message: 'This Idempotency-Key was used with a different request' });
    expect(sandbox.behavior.application(id)?.metadata).toEqual({ n: 1 });
    expect(sandbox.behavior.appliedUpdates(id)).toBe(1);
  });

  it('answers CONFLICT for the same key while the first call is in flight, then applies once', async () => {
    const id = sandbox.behavior.addApplication();
    const dispatch = key();
    const command = update(id, { status: ApplicationStatus.CANCELED });
    sandbox.behavior.processingDelayMs = 20_000;
    const inFlight = sandbox.behavior.nextInFlight();
    const first = client({}, 30_000).send(command, { idempotencyKey: dispatch });
    expect(await inFlight).toBe(dispatch);
    const error = await thrownBy(() => shared.send(command, { idempotencyKey: dispatch }));
    expect(error).toMatchObject({ code: 'CONFLICT', httpStatus: 409, retryable: true, message: 'A request with this Idempotency-Key is still being processed' });
    sandbox.behavior.releaseInFlight();
    expect((await first).application.status).toBe(ApplicationStatus.CANCELED);
    expect(sandbox.behavior.appliedUpdates(id)).toBe(1);
  });

  it('lets a refused request be corrected and sent again with the same key', async () => {
    const id = sandbox.behavior.addApplication();
    const dispatch = key();
    await thrownBy(() => shared.send(update(id, { status: ApplicationStatus.DECLINED }), { idempotencyKey: dispatch }));
    const { application } = await shared.send(update(id, { status: ApplicationStatus.DECLINED, adverseActionNotice: notice }), { idempotencyKey: dispatch });
    expect(application.status).toBe(ApplicationStatus.DECLINED);
    expect(sandbox.behavior.appliedUpdates(id)).toBe(1);
  });

  it.each([
    ['no Idempotency-Key', {}, 'The Idempotency-Key header is required'],
    ['an Idempotency-Key over 255 characters', { 'idempotency-key': 'k'.repeat(256) }, 'The Idempotency-Key header must be at most 255 characters'],
  ])('answers 400 operation_not_allowed to a patch with %s', async (_what, headers, detail) => {
    const id = sandbox.behavior.addApplication();
    expect(await raw('PATCH', `/v0/applications/${id}`, { metadata: {} }, headers)).toEqual({
      status: 400,
      body: { type: 'about:blank', status: 400, title: 'Bad Request', detail, code: 'operation_not_allowed' },
    });
  });

  it.each(['id', 'created_at', 'updated_at', 'entities'])('refuses a patch of the immutable %s with 422', async (field) => {
    const id = sandbox.behavior.addApplication();
    const answer = await raw('PATCH', `/v0/applications/${id}`, { [field]: 'x' }, { 'idempotency-key': key() });
    expect(answer).toEqual({
      status: 422,
      body: { error_type: 'invalid_parameters', error_message: 'The request contains invalid parameters', invalid_parameters: [{ parameter: field, reason: 'is immutable' }] },
    });
  });

  it('removes a member of details with null, as JSON Merge Patch does', async () => {
    const id = sandbox.behavior.addApplication(seeded);
    const answer = await raw('PATCH', `/v0/applications/${id}`, { details: { credit: { max_limit: null } } }, { 'idempotency-key': key() });
    expect(answer.status).toBe(200);
    expect(answer.body.details.credit).toEqual({ ...seeded.details.credit, max_limit: undefined });
    expect(answer.body.details.credit).not.toHaveProperty('max_limit');
  });

  it('creates an application with POST, reads it with GET, and refuses a reused client_application_id', async () => {
    const clientApplicationId = `ours-${randomUUID()}`;
    const created = await raw('POST', '/v0/applications', { client_application_id: clientApplicationId, details: { product_name: 'Starter' }, metadata: { x: 1 } }, { 'idempotency-key': key() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^application_\w+$/), details: { product_name: 'Starter' }, metadata: { x: 1 } });
    expect(await raw('GET', `/v0/applications/${created.body.id}`)).toEqual({ status: 200, body: created.body });
    const { application } = await shared.send(update(created.body.id as string, { status: ApplicationStatus.APPROVED }), { idempotencyKey: key() });
    expect(application).toMatchObject({ productName: 'Starter', status: ApplicationStatus.APPROVED });
    const duplicate = await raw('POST', '/v0/applications', { client_application_id: clientApplicationId }, { 'idempotency-key': key() });
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.invalid_parameters).toEqual([{ parameter: 'client_application_id', reason: `is already used by ${created.body.id}` }]);
    expect((await raw('GET', '/v0/applications/application_nope')).status).toBe(404);
  });

  it('refuses a call without a valid bearer token with 401 in RFC 7807 form', async () => {
    const response = await fetch(new URL(`/v0/applications/${sandbox.behavior.addApplication()}`, sandbox.baseUrl), { headers: { authorization: 'Bearer nope' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ type: 'about:blank', status: 401, title: 'Unauthorized', detail: 'Invalid access token', code: 'unauthorized' });
  });

  it('refuses a token request with another grant type', async () => {
    const response = await fetch(new URL('/v1/oauth/token', sandbox.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: sandbox.connection.clientId, client_secret: sandbox.connection.clientSecret }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'unsupported_grant_type' });
  });

  it.each([
    ['a wrong client secret', () => ({ clientSecret: 'secret_wrong_0000000000' })],
    ['an unknown client id', () => ({ clientId: 'client_unknown' })],
  ])('refuses %s at the token endpoint with UNAUTHORIZED, applying nothing', async (_what, overrides) => {
    const id = sandbox.behavior.addApplication();
    const error = await thrownBy(() => client(overrides()).send(update(id, { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, retryable: false, message: 'token request refused: Invalid client credentials' });
    expect(sandbox.behavior.appliedUpdates(id)).toBe(0);
  });

  it('asks for one token for many calls, concurrent ones included', async () => {
    const before = sandbox.behavior.tokensIssued;
    const c = client();
    const ids = [1, 2, 3].map(() => sandbox.behavior.addApplication());
    await Promise.all(ids.map((id) => c.send(update(id, { metadata: { n: 1 } }), { idempotencyKey: key() })));
    for (const id of ids) await c.send(update(id, { metadata: { n: 2 } }), { idempotencyKey: key() });
    expect(sandbox.behavior.tokensIssued - before).toBe(1);
  });

  it('renews the token once on a 401 after the tokens were revoked, and applies once', async () => {
    const c = client();
    const id = sandbox.behavior.addApplication();
    await c.send(update(id, { metadata: { n: 1 } }), { idempotencyKey: key() });
    const before = sandbox.behavior.tokensIssued;
    sandbox.behavior.revokeAllTokens();
    const { application } = await c.send(update(id, { metadata: { n: 2 } }), { idempotencyKey: key() });
    expect(application.metadata).toEqual({ n: 2 });
    expect(sandbox.behavior.tokensIssued - before).toBe(1);
    expect(sandbox.behavior.appliedUpdates(id)).toBe(2);
  });

  it.each([
    [503, 'UNAVAILABLE', true],
    [500, 'UNAVAILABLE', true],
    [429, 'RATE_LIMITED', true],
    [422, 'REJECTED', false],
  ] as const)('maps an injected %i to %s (retryable: %s) with Retry-After', async (status, code, retryable) => {
    await shared.send(update(sandbox.behavior.addApplication(), { metadata: {} }), { idempotencyKey: key() }); // token cached
    sandbox.server.setFaults({ forceStatus: status, forceCount: 1, retryAfterSeconds: 7 });
    const id = sandbox.behavior.addApplication();
    const error = await thrownBy(() => shared.send(update(id, { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code, httpStatus: status, retryable, retryAfterMs: 7_000 });
    expect(sandbox.behavior.appliedUpdates(id)).toBe(0);
  });

  it('maps an injected 503 of the token endpoint to UNAVAILABLE', async () => {
    sandbox.server.setFaults({ forceStatus: 503, forceCount: 1 });
    const error = await thrownBy(() => client().send(update(sandbox.behavior.addApplication(), { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503, retryable: true, message: 'token request refused: Internal server error' });
  });

  it('gives up with TIMEOUT when Lead Bank does not answer in time', async () => {
    sandbox.server.setFaults({ latencyMs: 500 });
    const error = await thrownBy(() => client({}, 100).send(update(sandbox.behavior.addApplication(), { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, httpStatus: null });
  });

  it('reports UNAVAILABLE when nothing listens', async () => {
    const closed = await startLeadBankSandbox();
    await closed.stop();
    const error = await thrownBy(() => connectLeadBank(closed.connection, options).send(update('application_x', { metadata: {} }), { idempotencyKey: key() }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });
});

describe('Lead Bank token lifetime, on a clock the test moves', () => {
  let clock = Date.parse('2024-05-01T00:00:00Z');
  let sandbox: RunningSandbox<LeadBankSandbox, LeadBankClientOptions>;

  beforeAll(async () => {
    sandbox = await startLeadBankSandbox({ tokenLifetimeSeconds: 3_600, now: () => clock });
  });
  afterAll(() => sandbox.stop());

  it('answers expires_in with the configured lifetime (86400 unless set)', async () => {
    const standard = await startLeadBankSandbox();
    try {
      const answer = await fetch(new URL('/v1/oauth/token', standard.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: standard.connection.clientId, client_secret: standard.connection.clientSecret, scope: 'applications:write' }),
      }).then((r) => r.json());
      expect(answer).toEqual({ access_token: expect.any(String), token_type: 'Bearer', scope: 'applications:write', expires_in: 86_400 });
    } finally {
      await standard.stop();
    }
  });

  it('renews the token before it expires, without a refused call', async () => {
    const c = connectLeadBank(sandbox.connection, options, () => clock);
    const id = sandbox.behavior.addApplication();
    const before = sandbox.behavior.tokensIssued;
    const callsBefore = sandbox.server.stats.calls;
    await c.send(update(id, { metadata: { n: 1 } }), { idempotencyKey: key() });
    clock += 3_590_000; // inside the renewal margin: the client asks for a new token first
    await c.send(update(id, { metadata: { n: 2 } }), { idempotencyKey: key() });
    expect(sandbox.behavior.tokensIssued - before).toBe(2);
    expect(sandbox.server.stats.calls - callsBefore).toBe(4);
  });

  it('renews once when Lead Bank finds the token expired before the client does', async () => {
    let clientClock = clock;
    const c = connectLeadBank(sandbox.connection, options, () => clientClock);
    const id = sandbox.behavior.addApplication();
    await c.send(update(id, { metadata: { n: 1 } }), { idempotencyKey: key() });
    const before = sandbox.behavior.tokensIssued;
    clock += 3_600_000; // the sandbox's clock only: its token is expired, the client's is not
    clientClock += 1_000;
    const { application } = await c.send(update(id, { metadata: { n: 2 } }), { idempotencyKey: key() });
    expect(application.metadata).toEqual({ n: 2 });
    expect(sandbox.behavior.tokensIssued - before).toBe(1);
    expect(sandbox.behavior.appliedUpdates(id)).toBe(2);
  });
});

describe('Lead Bank client against a Lead Bank that breaks its contract', () => {
  type Request = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string };
  const token = { access_token: 'tok_0123456789abcdef', token_type: 'Bearer', scope: 'applications', expires_in: 86_400 };
  const application = { id: 'application_fake1', created_at: '2024-05-01T08:00:00Z', updated_at: '2024-05-01T08:00:00Z', status: 'approved' };

  /** A fake Lead Bank: a working token endpoint unless `tokenAnswer` says otherwise, `patchAnswer` for the rest. */
  const withFake = async (
    patchAnswer: (request: Request) => { status: number; body?: unknown },
    run: (connection: LeadBankClientOptions, seen: Request[]) => Promise<void>,
    tokenAnswer: (request: Request) => { status: number; body?: unknown } = () => ({ status: 200, body: token }),
    connection: Partial<LeadBankClientOptions> = {},
  ) => {
    const seen: Request[] = [];
    const fake = await startFakeProvider((request) => {
      seen.push(request);
      return request.url === '/v1/oauth/token' ? tokenAnswer(request) : patchAnswer(request);
    });
    try {
      await run({ baseUrl: fake.baseUrl, clientId: 'client_fake', clientSecret: 'secret_fake_0123456789', ...connection }, seen);
    } finally {
      await fake.stop();
    }
  };

  // The 2xx says Lead Bank applied the patch: what its body says is read where it can
  // be; what cannot be read is noted, and those fields keep their stored values (absent).
  it.each<[string, unknown, Record<string, unknown>, string[]]>([
    ['an unknown status, after a patch that set one', { ...application, status: 'pending' }, { status: ApplicationStatus.APPROVED }, ['status: unknown value "pending"']],
    ['a body that is no application', { ok: true }, { absent: expect.arrayContaining(['status', 'documents', 'metadata']) }, ['body: not an application object']],
    ['an answer about another application', { ...application, id: 'application_other' }, { id: 'application_fake1', status: ApplicationStatus.APPROVED }, ['id: "application_other" where application_fake1 was patched']],
    [
      'a limit that is not in minor units',
      { ...application, details: { credit: { limit: 12.5 } } },
      { absent: ['productName', 'credit', 'adverseActionNotice'] },
      ['details: unreadable (details.credit.limit: Invalid input: expected int, received number)'],
    ],
    ['a timestamp that is no date-time', { ...application, updated_at: 'yesterday' }, { absent: ['updatedAt'], updatedAt: null }, ['updated_at: unreadable (updated_at: Invalid ISO datetime)']],
    ['no body at all', undefined, { absent: expect.arrayContaining(['status', 'documents', 'credit']) }, ['body: empty']],
  ])('takes %s as the success it is', async (_what, body, expected, unread) => {
    await withFake(
      () => ({ status: 200, ...(body !== undefined && { body }) }),
      async (connection) => {
        const result = await connectLeadBank(connection, options).send(update('application_fake1', { status: ApplicationStatus.APPROVED }), { idempotencyKey: key() });
        expect(result.application).toMatchObject({ id: 'application_fake1', ...expected });
        expect(result.unread).toEqual(unread);
        expect(result.answer).toBe(body === undefined ? '' : JSON.stringify(body));
      },
    );
  });

  it('answers INVALID_RESPONSE for a token answer that is no token', async () => {
    await withFake(() => ({ status: 200, body: application }), async (connection) => {
      const error = await thrownBy(() => connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() }));
      expect(error).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringMatching(/not a token \(token_type: token_type must be Bearer\)/) });
    }, () => ({ status: 200, body: { ...token, token_type: 'mac' } }));
  });

  it('maps a status absent from the application to null', async () => {
    const { status: _status, ...withoutStatus } = application;
    await withFake(() => ({ status: 200, body: withoutStatus }), async (connection) => {
      const result = await connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() });
      expect(result.application).toMatchObject({ status: null, credit: null, documents: [], metadata: null });
    });
  });

  it('sends the token request as JSON, with the scope only when configured', async () => {
    for (const scope of [undefined, 'applications:write']) {
      await withFake(() => ({ status: 200, body: application }), async (connection, seen) => {
        await connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() });
        const request = seen.find((r) => r.url === '/v1/oauth/token')!;
        expect(request.headers['content-type']).toBe('application/json');
        expect(JSON.parse(request.body)).toEqual({
          grant_type: 'client_credentials', client_id: 'client_fake', client_secret: 'secret_fake_0123456789', ...(scope !== undefined && { scope }),
        });
      }, undefined, scope === undefined ? {} : { scope });
    }
  });

  it('sends the same Idempotency-Key with the bearer token on the attempt after a 401', async () => {
    let patches = 0;
    await withFake(() => (++patches === 1 ? { status: 401, body: { status: 401, detail: 'Invalid access token' } } : { status: 200, body: application }), async (connection, seen) => {
      await connectLeadBank(connection, options).send(update('application_fake1', { metadata: {} }), { idempotencyKey: 'dispatch-1' });
      const sent = seen.filter((r) => r.method === 'PATCH');
      expect(sent.map((r) => [r.url, r.headers['idempotency-key'], r.headers.authorization])).toEqual([
        ['/v0/applications/application_fake1', 'dispatch-1', `Bearer ${token.access_token}`],
        ['/v0/applications/application_fake1', 'dispatch-1', `Bearer ${token.access_token}`],
      ]);
      expect(seen.filter((r) => r.url === '/v1/oauth/token')).toHaveLength(2);
    });
  });

  it('gives up with UNAUTHORIZED when the renewed token is refused too', async () => {
    await withFake(() => ({ status: 401, body: { type: 'about:blank', status: 401, title: 'Unauthorized', detail: 'Invalid access token', code: 'unauthorized' } }), async (connection, seen) => {
      const error = await thrownBy(() => connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() }));
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, message: 'Invalid access token' });
      expect(seen.map((r) => r.method)).toEqual(['POST', 'PATCH', 'POST', 'PATCH']);
    });
  });

  it('removes the client secret from a token error that echoes it', async () => {
    await withFake(() => ({ status: 200, body: application }), async (connection) => {
      const error = await thrownBy(() => connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() }));
      expect(error.message).toBe('token request refused: Invalid client_secret [redacted]');
    }, (request) => ({ status: 401, body: { status: 401, title: 'Unauthorized', detail: `Invalid client_secret ${(JSON.parse(request.body) as { client_secret: string }).client_secret}` } }));
  });

  it('removes the bearer token from an error that echoes it', async () => {
    await withFake((request) => ({ status: 403, body: { status: 403, detail: `Token ${String(request.headers.authorization)} may not do this` } }), async (connection) => {
      const error = await thrownBy(() => connectLeadBank(connection, options).send(update('application_fake1'), { idempotencyKey: key() }));
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token Bearer [redacted] may not do this' });
      expect(error.message).not.toContain(token.access_token);
    });
  });
});
