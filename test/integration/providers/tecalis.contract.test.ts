import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VerificationOperationState, VerificationOperationType, VerificationStatus } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import { ProviderCallError } from '../../../src/providers/provider-error.js';
import { type UpdateVerificationStatusCommand, type VerificationFinalState } from '../../../src/providers/provider.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { connectTecalis, startTecalisSandbox, type TecalisClientOptions, type TecalisSandbox } from '../../../src/providers/tecalis/index.js';
import { parseWireTimestamp } from '../../../src/providers/tecalis/wire.js';
import { startFakeProvider, thrownBy } from '../../support/fake-provider.js';

const options = { timeoutMs: 2_000, logger: createLogger('silent') };

const update = (authUuid: string, state: VerificationFinalState = 'KO', reasons?: string): UpdateVerificationStatusCommand => ({
  operation: 'updateVerificationStatus',
  authUuid,
  state,
  ...(reasons !== undefined && { reasons }),
});

describe('Tecalis client against the Tecalis sandbox, over real HTTP', () => {
  let sandbox: RunningSandbox<TecalisSandbox, TecalisClientOptions>;

  beforeAll(async () => {
    sandbox = await startTecalisSandbox({ seedProcesses: 2 });
  });
  afterEach(() => sandbox.server.clearFaults());
  afterAll(() => sandbox.stop());

  const client = (overrides: Partial<TecalisClientOptions> = {}, timeoutMs = options.timeoutMs) =>
    connectTecalis({ ...sandbox.connection, ...overrides }, { ...options, timeoutMs });
  const appliedTo = (authUuid: string) => sandbox.behavior.applied.filter((change) => change.authUuid === authUuid);
  /** Calls the sandbox directly, for what the typed client cannot send. */
  const raw = (method: string, path: string, body: unknown): Promise<{ status: number; body: any }> =>
    fetch(new URL(path, sandbox.baseUrl), {
      method,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));

  it.each([
    ['OK', VerificationStatus.OK],
    ['KO', VerificationStatus.KO],
    ['CANCELLED', VerificationStatus.CANCELLED],
  ] as const)('sets the state %s and answers the whole process in the unified model', async (state, status) => {
    const authUuid = sandbox.behavior.addProcess({
      name: 'Ana García',
      documentNumber: '12345678Z',
      documentType: 'ID_CARD',
      nationality: 'ESP',
      operationStates: { HOME: 'OK', OCR: 'KO' },
    });
    const stored = sandbox.behavior.processOf(authUuid)!.data;

    const { verification } = await client().send(update(authUuid, state), { idempotencyKey: 'k' });

    expect(verification).toEqual({
      authUuid,
      processUuid: stored.process_uuid,
      status,
      statusReasons: null,
      name: 'Ana García',
      documentNumber: '12345678Z',
      documentType: 'ID_CARD',
      nationality: 'ESP',
      company: 'Tecalis',
      profileAlias: 'Debug',
      cleaned: false,
      operations: [
        { operationId: stored.operations[0]!.operation, type: VerificationOperationType.DOCUMENTS, providerType: 'DOCUMENTS', state: VerificationOperationState.NOT_STARTED, providerState: 'NOT_STARTED', totalTimeSeconds: 0 },
        { operationId: stored.operations[1]!.operation, type: VerificationOperationType.HOME, providerType: 'HOME', state: VerificationOperationState.OK, providerState: 'OK', totalTimeSeconds: 12 },
        { operationId: stored.operations[2]!.operation, type: VerificationOperationType.OCR, providerType: 'OCR', state: VerificationOperationState.KO, providerState: 'KO', totalTimeSeconds: 12 },
        { operationId: stored.operations[3]!.operation, type: VerificationOperationType.POL, providerType: 'POL', state: VerificationOperationState.NOT_STARTED, providerState: 'NOT_STARTED', totalTimeSeconds: 0 },
        { operationId: stored.operations[4]!.operation, type: VerificationOperationType.FINISH, providerType: 'FINISH', state: VerificationOperationState.NOT_STARTED, providerState: 'NOT_STARTED', totalTimeSeconds: 0 },
      ],
      createdAt: parseWireTimestamp(stored.created_at!),
      updatedAt: expect.any(Date),
      providerStatus: state,
    });
    expect(sandbox.behavior.processOf(authUuid)!.data.status).toBe(state);
    expect(appliedTo(authUuid)).toEqual([{ authUuid, from: 'PENDING', to: state, statusReasons: null }]);
  });

  it('answers a process whose name Tecalis has not got yet (" ") with no name', async () => {
    const { verification } = await client().send(update(sandbox.behavior.addProcess()), { idempotencyKey: 'k' });
    expect(verification.name).toBeNull();
  });

  it('leaves the stored reasons as they are when the command has none', async () => {
    const authUuid = sandbox.behavior.addProcess({ statusReasons: 'Document expired' });
    const { verification } = await client().send(update(authUuid, 'KO'), { idempotencyKey: 'k' });
    expect(verification.statusReasons).toBe('Document expired');
    expect(sandbox.behavior.processOf(authUuid)!.data.status_reasons).toBe('Document expired');
  });

  it.each([
    ['a text', 'The status is changed manually'],
    ['an empty text', ''],
  ])('replaces the stored reasons when the command has %s', async (_what, reasons) => {
    const authUuid = sandbox.behavior.addProcess({ statusReasons: 'Document expired' });
    const { verification } = await client().send(update(authUuid, 'KO', reasons), { idempotencyKey: 'k' });
    expect(verification.statusReasons).toBe(reasons);
    expect(sandbox.behavior.processOf(authUuid)!.data.status_reasons).toBe(reasons);
  });

  it('applies a replay once, and a later different state again', async () => {
    const authUuid = sandbox.behavior.addProcess();
    const first = await client().send(update(authUuid, 'KO', 'Selfie mismatch'), { idempotencyKey: 'k' });
    const replay = await client().send(update(authUuid, 'KO', 'Selfie mismatch'), { idempotencyKey: 'k' });
    expect(replay).toEqual(first);
    expect(appliedTo(authUuid)).toHaveLength(1);

    await client().send(update(authUuid, 'OK'), { idempotencyKey: 'k2' });
    expect(appliedTo(authUuid)).toEqual([
      { authUuid, from: 'PENDING', to: 'KO', statusReasons: 'Selfie mismatch' },
      { authUuid, from: 'KO', to: 'OK', statusReasons: 'Selfie mismatch' },
    ]);
  });

  it.each([
    ['a wrong api key', () => ({ apiKey: randomUUID() }), () => sandbox.behavior.addProcess()],
    // Tecalis's behaviour: it checks the key and the process together, so this is not NOT_FOUND.
    ['an unknown auth_uuid', () => ({}), () => randomUUID()],
  ])('refuses %s with UNAUTHORIZED and "Not authorized"', async (_what, overrides, authUuid) => {
    const process = authUuid();
    const error = await thrownBy(() => client(overrides()).send(update(process), { idempotencyKey: 'k' }));
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, retryable: false, message: 'Not authorized' });
    expect(appliedTo(process)).toEqual([]);
  });

  it.each([
    ['a missing state', {}, 'The state field is required.'],
    ['an empty state', { state: '' }, 'The state field is required.'],
    ['a state that is no final state', { state: 'PENDING' }, 'The selected state is invalid.'],
    ['a lower-case state', { state: 'ok' }, 'The selected state is invalid.'],
    ['reasons that are no text', { state: 'KO', reasons: 42 }, 'The reasons field must be a string.'],
  ])('refuses %s with 422 in Tecalis\'s error shape', async (_what, fields, message) => {
    const authUuid = sandbox.behavior.addProcess();
    const answer = await raw('PATCH', '/customer/status', { api_key: sandbox.connection.apiKey, auth_uuid: authUuid, ...fields });
    expect(answer).toEqual({ status: 422, body: { internal_code: 422, message } });
    expect(appliedTo(authUuid)).toEqual([]);
  });

  it('refuses a body that is not JSON with 422 in the same shape', async () => {
    expect(await raw('PATCH', '/customer/status', 'state=KO')).toEqual({
      status: 422,
      body: { internal_code: 422, message: 'The request body must be a JSON object.' },
    });
  });

  it('checks the credentials before the state', async () => {
    expect(await raw('PATCH', '/customer/status', { api_key: randomUUID(), auth_uuid: sandbox.behavior.addProcess(), state: 'MAYBE' })).toEqual({
      status: 401,
      body: { internal_code: 401, message: 'Not authorized' },
    });
  });

  it.each([
    [503, 'UNAVAILABLE', true],
    [500, 'UNAVAILABLE', true],
    [429, 'RATE_LIMITED', true],
    [422, 'REJECTED', false],
  ] as const)('maps an injected %i to %s (retryable: %s), honouring Retry-After', async (status, code, retryable) => {
    sandbox.server.setFaults({ forceStatus: status, forceCount: 1, retryAfterSeconds: 7 });
    const error = await thrownBy(() => client().send(update(sandbox.behavior.addProcess()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code, httpStatus: status, retryable, retryAfterMs: 7_000 });
  });

  it('gives up with TIMEOUT when Tecalis does not answer in time', async () => {
    sandbox.server.setFaults({ latencyMs: 500 });
    const error = await thrownBy(() => client({}, 100).send(update(sandbox.behavior.addProcess()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, httpStatus: null });
  });

  it('reports UNAVAILABLE when nothing listens', async () => {
    const closed = await startTecalisSandbox();
    await closed.stop();
    const error = await thrownBy(() => connectTecalis(closed.connection, options).send(update(randomUUID()), { idempotencyKey: 'k' }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('starts a process on POST /api/auth, keeping its callbacks and metadata for later', async () => {
    const created = await raw('POST', '/api/auth', {
      api_key: sandbox.connection.apiKey,
      profile_uuid: sandbox.behavior.credentials.profileUuid,
      replacements: { callback: 'https://lender.example/kyc/ok', callback_ko: 'https://lender.example/kyc/ko', language: 'es' },
      metadata: { lead_id: 'lead-42' },
    });
    expect(created.status).toBe(201);
    const data = created.body.data;
    expect(data).toMatchObject({ status: 'PENDING', status_reasons: null, name: ' ', cleaned: false, company: 'Tecalis', profile_alias: 'Debug' });
    expect(data.operations.map((op: { type: string; state: string }) => `${op.type}:${op.state}`)).toEqual([
      'DOCUMENTS:NOT_STARTED', 'HOME:NOT_STARTED', 'OCR:NOT_STARTED', 'POL:NOT_STARTED', 'FINISH:NOT_STARTED',
    ]);
    expect(sandbox.behavior.processOf(data.auth_uuid)).toMatchObject({
      callback: 'https://lender.example/kyc/ok',
      callbackKo: 'https://lender.example/kyc/ko',
      replacements: { language: 'es' },
      metadata: { lead_id: 'lead-42' },
    });
    expect(sandbox.behavior.created).toContain(data.auth_uuid);

    const { verification } = await client().send(update(data.auth_uuid, 'OK'), { idempotencyKey: 'k' });
    expect(verification).toMatchObject({ authUuid: data.auth_uuid, status: VerificationStatus.OK });
  });

  it.each([
    ['a wrong api key', () => ({ api_key: randomUUID() }), 401, 'Not authorized'],
    ['no profile', () => ({ profile_uuid: undefined }), 422, 'The profile uuid field is required.'],
    ['an unknown profile', () => ({ profile_uuid: randomUUID() }), 422, 'The selected profile uuid is invalid.'],
    ['a callback that is no URL', () => ({ replacements: { callback: 'not a url' } }), 422, 'The replacements.callback field must be a valid URL.'],
    ['replacements that are no object', () => ({ replacements: ['x'] }), 422, 'The replacements field must be an object.'],
  ])('refuses to start a process with %s', async (_what, fields, status, message) => {
    const before = sandbox.behavior.inspect().processes;
    const answer = await raw('POST', '/api/auth', { api_key: sandbox.connection.apiKey, profile_uuid: sandbox.behavior.credentials.profileUuid, ...fields() });
    expect(answer).toEqual({ status, body: { internal_code: status, message } });
    expect(sandbox.behavior.inspect().processes).toBe(before);
  });

  it('calls back only the URLs given for a process (callback_ko for KO and CANCELLED), with its metadata; a process given none calls nobody', async () => {
    const received: Array<{ url: string; body: any }> = [];
    const receiver = await startFakeProvider(({ url, body }) => {
      received.push({ url, body: JSON.parse(body) });
      return { status: 200, body: { status: 'applied' } };
    });
    try {
      const silent = sandbox.behavior.addProcess();
      await client().send(update(silent, 'OK'), { idempotencyKey: 'k' });
      expect(sandbox.behavior.callbacksSent.filter((sent) => sent.authUuid === silent)).toEqual([]);

      const authUuid = sandbox.behavior.addProcess();
      // Over HTTP, as for a sandbox run on its own (`leadgraph sandbox`).
      const given = await raw('PUT', `/__sandbox/processes/${authUuid}/callbacks`, {
        callback: new URL('/ok', receiver.baseUrl).href,
        callback_ko: new URL('/ko', receiver.baseUrl).href,
        metadata: { leadgraph_token: 'second-factor' },
      });
      expect(given.status).toBe(200);
      expect(given.body).toMatchObject({ callback: new URL('/ok', receiver.baseUrl).href, metadata: { leadgraph_token: 'second-factor' } });
      for (const state of ['KO', 'CANCELLED', 'OK'] as const) {
        const sent = once(sandbox.behavior.events, 'callback-sent');
        await client().send(update(authUuid, state), { idempotencyKey: `k-${state}` });
        expect((await sent)[0]).toMatchObject({ authUuid, status: state, answer: 200 });
      }
      expect(received.map((r) => [r.url, r.body.data.status, r.body.data.auth_uuid, r.body.metadata])).toEqual([
        ['/ko', 'KO', authUuid, { leadgraph_token: 'second-factor' }],
        ['/ko', 'CANCELLED', authUuid, { leadgraph_token: 'second-factor' }],
        ['/ok', 'OK', authUuid, { leadgraph_token: 'second-factor' }],
      ]);
    } finally {
      await receiver.stop();
    }
  });

  it.each([
    ['an unknown process', () => randomUUID(), { callback: 'https://lender.example/kyc' }, 404, 'Not found'],
    ['a callback that is no URL', () => sandbox.behavior.addProcess(), { callback: 'not a url' }, 422, 'The callback field must be a valid URL.'],
    ['metadata that is no object', () => sandbox.behavior.addProcess(), { metadata: 'x' }, 422, 'The metadata field must be an object.'],
  ])('refuses to give callback URLs to %s', async (_what, authUuid, body, status, message) => {
    expect(await raw('PUT', `/__sandbox/processes/${authUuid()}/callbacks`, body)).toEqual({ status, body: { internal_code: status, message } });
  });

  it('sums up its state: seeded and added processes, creations, applied changes', () => {
    const summary = sandbox.behavior.inspect();
    expect(summary.processes).toBeGreaterThanOrEqual(2);
    expect(summary).toMatchObject({ created: sandbox.behavior.created.length, applied: sandbox.behavior.applied.length });
  });
});

describe('Tecalis client against a Tecalis that breaks its contract', () => {
  /** A valid answer about `authUuid`, after the reference page's example. */
  const process = (authUuid: string, overrides: Record<string, unknown> = {}) => ({
    name: ' ',
    document_number: null,
    document_type: null,
    process_uuid: '019a125d-2300-7288-a0ac-54adae9b9cce',
    nationality: null,
    auth_uuid: authUuid,
    company: 'Tecalis',
    profile_alias: 'Debug',
    status: 'KO',
    status_reasons: 'The status changed manually',
    created_at: '2026-05-04T09:41:23.000000Z',
    updated_at: '2026-05-05T07:51:38.000000Z',
    cleaned: false,
    operations: [
      { type: 'DOCUMENTS', operation: '019df25d-252f-7389-a488-fd8ab68bdf34', state: 'NOT_STARTED', total_time: 0 },
      { type: 'FINISH', operation: '019df25d-2546-706c-b006-8a8e99cda330', state: 'KO', total_time: 0 },
    ],
    ...overrides,
  });

  const sendTo = async (answer: Parameters<typeof startFakeProvider>[0], command: UpdateVerificationStatusCommand, apiKey = randomUUID()) => {
    const fake = await startFakeProvider(answer);
    try {
      return await connectTecalis({ baseUrl: fake.baseUrl, apiKey }, options).send(command, { idempotencyKey: 'k' });
    } finally {
      await fake.stop();
    }
  };

  it('reads the reference page\'s example answer', async () => {
    const authUuid = randomUUID();
    const { verification } = await sendTo(() => ({ status: 200, body: { data: process(authUuid) } }), update(authUuid, 'KO', 'The status changed manually'));
    expect(verification).toMatchObject({
      status: VerificationStatus.KO,
      statusReasons: 'The status changed manually',
      createdAt: new Date('2026-05-04T09:41:23.000Z'),
      updatedAt: new Date('2026-05-05T07:51:38.000Z'),
      operations: [
        { operationId: '019df25d-252f-7389-a488-fd8ab68bdf34', type: VerificationOperationType.DOCUMENTS, providerType: 'DOCUMENTS', state: VerificationOperationState.NOT_STARTED, providerState: 'NOT_STARTED', totalTimeSeconds: 0 },
        { operationId: '019df25d-2546-706c-b006-8a8e99cda330', type: VerificationOperationType.FINISH, state: VerificationOperationState.KO, totalTimeSeconds: 0 },
      ],
    });
  });

  it.each([
    ['with reasons', 'Manual review', { reasons: 'Manual review' }],
    ['without reasons', undefined, {}],
  ])('sends PATCH /customer/status with the credentials in the body, %s', async (_what, reasons, extra) => {
    const authUuid = randomUUID();
    const apiKey = randomUUID();
    const seen: Array<{ method: string; url: string; body: unknown }> = [];
    await sendTo(
      (request) => {
        seen.push({ method: request.method, url: request.url, body: JSON.parse(request.body) });
        return { status: 200, body: { data: process(authUuid, { status: 'CANCELLED' }) } };
      },
      update(authUuid, 'CANCELLED', reasons),
      apiKey,
    );
    // The field descriptions, not the published example (which swaps the two values).
    expect(seen).toEqual([{ method: 'PATCH', url: '/customer/status', body: { auth_uuid: authUuid, api_key: apiKey, state: 'CANCELLED', ...extra } }]);
  });

  // A 2xx means Tecalis set the state. Its page shows keys, types and states in one
  // example, not as closed lists: what the body says is read where it can be, the rest noted.
  const OP = '019df25d-252f-7389-a488-fd8ab68bdf34';
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['an in-progress status after the state was set', { status: 'IN_PROGRESS' }, { status: VerificationStatus.KO, providerStatus: 'KO' }, ['status: "IN_PROGRESS" after setting KO']],
    ['a status other than the one set', { status: 'PENDING' }, { status: VerificationStatus.KO, providerStatus: 'KO' }, ['status: "PENDING" after setting KO']],
    [
      'an unknown operation type, with a fraction of a second',
      { operations: [{ type: 'SELFIE', operation: OP, state: 'OK', total_time: 3.5 }] },
      { operations: [{ operationId: OP, type: VerificationOperationType.UNKNOWN, providerType: 'SELFIE', state: VerificationOperationState.OK, providerState: 'OK', totalTimeSeconds: 3.5 }] },
      [],
    ],
    [
      'an unknown operation state',
      { operations: [{ type: 'OCR', operation: OP, state: 'STARTED', total_time: 3 }] },
      { operations: [{ operationId: OP, type: VerificationOperationType.OCR, providerType: 'OCR', state: VerificationOperationState.UNKNOWN, providerState: 'STARTED', totalTimeSeconds: 3 }] },
      [],
    ],
    ['an operation whose id cannot key a row', { operations: [{ type: 'OCR', operation: 'op-1', state: 'OK', total_time: 3 }] }, { operations: [] }, ['operations: [0] an operation id that is not a UUID ("op-1")']],
    ['a timestamp that is not one', { updated_at: '05/05/2026 07:51' }, { updatedAt: null, absent: ['updatedAt'] }, ['updated_at: unreadable value "05/05/2026 07:51"']],
    ['keys left out', { operations: undefined, cleaned: undefined, company: undefined }, { absent: ['company', 'cleaned', 'operations'] }, []],
    ['an answer about another process', { auth_uuid: '019a125d-2378-73b9-991c-78be3946449a' }, { status: VerificationStatus.KO }, ['auth_uuid: "019a125d-2378-73b9-991c-78be3946449a" where AUTH was sent']],
  ])('takes %s as the success it is', async (_what, overrides, expected, unread) => {
    const authUuid = randomUUID();
    const body = JSON.parse(JSON.stringify({ data: process(authUuid, overrides) })) as unknown;
    const result = await sendTo(() => ({ status: 200, body }), update(authUuid, 'KO'));
    expect(result.verification).toMatchObject({ authUuid, ...expected });
    expect(result.unread ?? []).toEqual(unread.map((line) => line.replace('AUTH', authUuid)));
    if (unread.length > 0) expect(result.answer).toBe(JSON.stringify(body));
  });

  it('takes a body without a process as the success it is: the state set, every other field absent (the stored ones stand)', async () => {
    const authUuid = randomUUID();
    const result = await sendTo(() => ({ status: 200, body: { ok: true } }), update(authUuid, 'OK'));
    expect(result.verification).toMatchObject({ authUuid, status: VerificationStatus.OK, operations: [] });
    expect(result.verification.absent).toContain('operations');
    expect(result.verification.absent).toContain('name');
    expect(result.unread).toEqual(['data: no process in the answer']);
  });

  it('surfaces Tecalis\'s 422 message as REJECTED', async () => {
    const error = await thrownBy(() =>
      sendTo(() => ({ status: 422, body: { internal_code: 422, message: 'The selected state is invalid.' } }), update(randomUUID())),
    );
    expect(error).toMatchObject({ code: 'REJECTED', httpStatus: 422, retryable: false, message: 'The selected state is invalid.' });
  });

  it('removes the API key from an error message that echoes the body', async () => {
    const apiKey = randomUUID();
    const error = await thrownBy(() =>
      sendTo((request) => ({ status: 401, body: { internal_code: 401, message: `Not authorized: ${request.body}` } }), update(randomUUID()), apiKey),
    );
    expect(error.message).toMatch(/^Not authorized: .*"api_key":"\[redacted\]"/);
    expect(error.message).not.toContain(apiKey);
  });

  it('removes the API key from the notes and the kept answer when Tecalis echoes it', async () => {
    const apiKey = randomUUID();
    const authUuid = randomUUID();
    const result = await sendTo((request) => ({ status: 200, body: { data: process(authUuid, { status: request.body }) } }), update(authUuid), apiKey);
    expect(result.unread?.join('\n')).toContain('[redacted]');
    expect(JSON.stringify(result)).not.toContain(apiKey);
  });
});
