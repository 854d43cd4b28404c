import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoanApplicationType, LoanStatus, LoanType } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import {
  connectDecisionCloud,
  DecisionCloudClient,
  type DecisionCloudClientOptions,
  decisionCloudHttp,
  type DecisionCloudSandbox,
  startDecisionCloudSandbox,
} from '../../../src/providers/decisioncloud/index.js';
import { ProviderCallError } from '../../../src/providers/provider-error.js';
import { type ProviderAdapter, type UpsertLoanCommand } from '../../../src/providers/provider.js';
import { type RunningSandbox } from '../../../src/providers/sandbox/running-sandbox.js';
import { startFakeProvider, thrownBy } from '../../support/fake-provider.js';

const options = { timeoutMs: 2_000, logger: createLogger('silent') };
const context = { idempotencyKey: 'k' };
const HOUR = 3_600_000;

/** The smallest loan Decision Cloud accepts, plus `extra`. */
const upsert = (customerId: string, extra: Partial<UpsertLoanCommand> = {}): UpsertLoanCommand => ({
  operation: 'upsertLoan',
  customerId,
  loanId: `loan-${randomUUID()}`,
  decisionCloudLeadId: 1,
  loanAmountCents: 75_000,
  appliedAt: '2021-09-25T04:01:57Z',
  ...extra,
});

describe('Decision Cloud client against the Decision Cloud sandbox, over real HTTP', () => {
  let sandbox: RunningSandbox<DecisionCloudSandbox, DecisionCloudClientOptions>;

  beforeAll(async () => {
    sandbox = await startDecisionCloudSandbox();
  });
  afterEach(() => sandbox.server.clearFaults());
  afterAll(() => sandbox.stop());

  const client = (overrides: Partial<DecisionCloudClientOptions> = {}, timeoutMs = options.timeoutMs) =>
    connectDecisionCloud({ ...sandbox.connection, ...overrides }, { ...options, timeoutMs });
  const appliedTo = (loanId: string) => sandbox.behavior.applied.filter((change) => change.loanId === loanId);

  /** A client that already holds a token, so an injected fault hits the loan call, not the token request. */
  const warmClient = async () => {
    const c = client();
    await c.send(upsert(sandbox.behavior.addCustomer()), context);
    return c;
  };

  /** Straight to the sandbox, past the client: a token, then a raw call. */
  const accessToken = async (): Promise<string> => {
    const { clientId, clientSecret } = sandbox.behavior.credentials;
    const response = await fetch(new URL('/oauth/token', sandbox.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const raw = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(new URL(path, sandbox.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const rawLoan = async (customerId: string, body: unknown) =>
    raw(`/api/v1/loan-performance/customers/${customerId}/loans`, body, { authorization: `Bearer ${await accessToken()}` });

  describe('upserting loans', () => {
    it('creates a loan with 201, updates it with 200, and applies each change once', async () => {
      const customerId = sandbox.behavior.addCustomer();
      const command = upsert(customerId, {
        managementSystemId: 7,
        applicationType: LoanApplicationType.NEW,
        loanType: LoanType.INSTALLMENT,
        loanStatus: LoanStatus.PENDING,
        fundedAmountCents: 35_000,
        firstPaymentDate: '2021-10-25',
        esignedAt: '2021-09-25T05:00:00Z',
      });
      const created = await client().send(command, context);
      expect(created).toEqual({
        created: true,
        loan: {
          customerId,
          loanId: command.loanId,
          decisionCloudLeadId: 1,
          managementSystemId: 7,
          applicationType: LoanApplicationType.NEW,
          loanType: LoanType.INSTALLMENT,
          loanStatus: LoanStatus.PENDING,
          providerApplicationType: 'New',
          providerLoanType: 'Installment',
          providerLoanStatus: 'Pending',
          loanAmountCents: 75_000,
          fundedAmountCents: 35_000,
          firstPaymentDate: '2021-10-25',
          appliedAt: new Date('2021-09-25T04:01:57Z'),
          esignedAt: new Date('2021-09-25T05:00:00Z'),
          withdrawnAt: null,
          originatedAt: null,
        },
      });

      const update = upsert(customerId, { loanId: command.loanId, loanStatus: LoanStatus.ORIGINATED, originatedAt: '2021-09-26T10:00:00Z' });
      const updated = await client().send(update, context);
      expect(updated.created).toBe(false);
      // Fields left out of the update keep their stored values.
      expect(updated.loan).toMatchObject({ loanStatus: LoanStatus.ORIGINATED, originatedAt: new Date('2021-09-26T10:00:00Z'), fundedAmountCents: 35_000, managementSystemId: 7 });

      const replay = await client().send(update, context);
      expect(replay).toEqual(updated);
      expect(appliedTo(command.loanId).map((change) => change.change)).toEqual(['created', 'updated']);
    });

    it('sends only the fields the command has, datetimes as YYYY-MM-DDTHH:mm:ssZ in UTC', async () => {
      const customerId = sandbox.behavior.addCustomer();
      const command: UpsertLoanCommand = {
        operation: 'upsertLoan',
        customerId,
        loanId: 'LMS-1001',
        managementSystemId: 9,
        loanAmountCents: 50_000,
        appliedAt: '2021-09-25T06:01:57.123+02:00',
        esignedAt: '2021-09-25T04:01:57.999Z',
        withdrawnAt: '2021-09-27T00:00:00.000Z',
      };
      const result = await client().send(command, context);
      expect(appliedTo('LMS-1001')).toEqual([
        {
          customerId,
          loanId: 'LMS-1001',
          change: 'created',
          fields: { loan_id: 'LMS-1001', management_system_id: 9, loan_amount: 50_000, applied_at: '2021-09-25T04:01:57Z', esigned_at: '2021-09-25T04:01:57Z', withdrawn_at: '2021-09-27T00:00:00Z' },
        },
      ]);
      expect(result.loan).toMatchObject({ decisionCloudLeadId: null, applicationType: null, loanType: null, loanStatus: null, fundedAmountCents: null, firstPaymentDate: null });
    });

    it.each([
      [LoanApplicationType.NEW, 'New'],
      [LoanApplicationType.RETURNING, 'Returning'],
      [LoanApplicationType.REFINANCED, 'Refinanced'],
    ])('sends the application type %s as "%s" and reads it back', async (applicationType, wire) => {
      const command = upsert(sandbox.behavior.addCustomer(), { applicationType });
      const { loan } = await client().send(command, context);
      expect(sandbox.behavior.loan(command.customerId, command.loanId)?.application_type).toBe(wire);
      expect(loan.applicationType).toBe(applicationType);
    });

    it.each([
      [LoanType.PAYDAY, 'Payday'],
      [LoanType.INSTALLMENT, 'Installment'],
      [LoanType.LINE_OF_CREDIT, 'Line Of Credit'],
    ])('sends the loan type %s as "%s" and reads it back', async (loanType, wire) => {
      const command = upsert(sandbox.behavior.addCustomer(), { loanType });
      const { loan } = await client().send(command, context);
      expect(sandbox.behavior.loan(command.customerId, command.loanId)?.loan_type).toBe(wire);
      expect(loan.loanType).toBe(loanType);
    });

    it.each([
      [LoanStatus.PENDING, 'Pending'],
      [LoanStatus.EXPIRED, 'Expired'],
      [LoanStatus.WITHDRAWN, 'Withdrawn'],
      [LoanStatus.DENIED, 'Denied'],
      [LoanStatus.APPROVED, 'Approved'],
      [LoanStatus.ORIGINATED, 'Originated'],
      [LoanStatus.REVERSED, 'Reversed'],
      [LoanStatus.PAST_DUE, 'Past Due'],
      [LoanStatus.WRITTEN_OFF, 'Written Off'],
      [LoanStatus.CURRENT, 'Current'],
      [LoanStatus.PAID_IN_FULL, 'Paid In Full'],
    ])('sends the loan status %s as "%s" and reads it back', async (loanStatus, wire) => {
      const command = upsert(sandbox.behavior.addCustomer(), { loanStatus });
      const { loan } = await client().send(command, context);
      expect(sandbox.behavior.loan(command.customerId, command.loanId)?.loan_status).toBe(wire);
      expect(loan.loanStatus).toBe(loanStatus);
    });

    it('puts the customer id in the path as it is, and refuses to build a path from one that could leave it', async () => {
      const customerId = sandbox.behavior.addCustomer('LMS-42_7.a~b');
      const command = upsert(customerId);
      expect((await client().send(command, context)).loan.customerId).toBe('LMS-42_7.a~b');
      expect(sandbox.behavior.loan('LMS-42_7.a~b', command.loanId)).toBeDefined();
      // The mutations refuse these with BAD_USER_INPUT first; the client is the last line.
      const before = sandbox.server.requests.length;
      for (const bad of ['..', '.', 'LMS 42/7', 'a/../b', '%2e%2e']) {
        await expect(client().send(upsert(bad), context)).rejects.toThrow(/refusing to put .* in a provider URL path/);
      }
      expect(sandbox.server.requests.length).toBe(before);
    });

    it('serves the seeded customers "1" to "3", as in the reference page', async () => {
      for (const customerId of ['1', '2', '3']) expect((await client().send(upsert(customerId), context)).created).toBe(true);
    });

    it('accepts the reference page\'s example body as it is', async () => {
      const example = {
        loan_id: `{LOAN_ID}-${randomUUID()}`,
        lead_id: 1,
        management_system_id: 1,
        application_type: 'New',
        loan_type: 'Installment',
        loan_status: 'Pending',
        loan_amount: 75000,
        funded_amount: 35000,
        first_payment_date: '2021-09-25',
        applied_at: '2021-09-25T04:01:57Z',
        esigned_at: '2021-09-25T04:01:57Z',
        withdrawn_at: '2021-09-25T04:01:57Z',
        originated_at: '2021-09-25T04:01:57Z',
      };
      expect(await rawLoan('1', example)).toEqual({ status: 201, body: { data: { customer_id: '1', ...example } } });
    });

    it('creates customers through the customer upsert, 201 then 200, and takes their loans', async () => {
      const headers = { authorization: `Bearer ${await accessToken()}` };
      const customerId = `cus-${randomUUID()}`;
      const body = { customer_id: customerId, first_name: 'Ada' };
      expect(await raw('/api/v1/loan-performance/customers', body, headers)).toEqual({ status: 201, body: { data: body } });
      expect((await raw('/api/v1/loan-performance/customers', body, headers)).status).toBe(200);
      expect(await raw('/api/v1/loan-performance/customers', { first_name: 'Ada' }, headers)).toEqual({
        status: 422,
        body: { message: 'The given data was invalid.', errors: { customer_id: ['The customer id field is required.'] } },
      });
      expect((await client().send(upsert(customerId), context)).created).toBe(true);
    });
  });

  describe('documented errors', () => {
    it('refuses a loan of an unknown customer with NOT_FOUND and Decision Cloud\'s message', async () => {
      const error = await thrownBy(() => client().send(upsert(`unknown-${randomUUID()}`), context));
      expect(error).toBeInstanceOf(ProviderCallError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, retryable: false, message: 'Not Found' });
    });

    it.each([
      ['a loan without lead_id or management_system_id', { decisionCloudLeadId: undefined },
        'The given data was invalid. (lead_id: The lead id field is required when management system id is not present.; management_system_id: The management system id field is required when lead id is not present.)'],
      ['an empty loan id', { loanId: '' }, 'The given data was invalid. (loan_id: The loan id field is required.)'],
      ['an amount that is not whole cents', { loanAmountCents: 750.5 }, 'The given data was invalid. (loan_amount: The loan amount field must be an integer.)'],
      ['a funded amount that is not whole cents', { fundedAmountCents: 1.5 }, 'The given data was invalid. (funded_amount: The funded amount field must be an integer.)'],
      ['a lead id that is not an integer', { decisionCloudLeadId: 1.5 }, 'The given data was invalid. (lead_id: The lead id field must be an integer.)'],
      ['an applied_at that is no instant', { appliedAt: 'yesterday' }, 'The given data was invalid. (applied_at: The applied at field must match the format YYYY-MM-DDTHH:mm:ssZ.)'],
      ['a first payment date in another format', { firstPaymentDate: '25/09/2021' }, 'The given data was invalid. (first_payment_date: The first payment date field must match the format YYYY-MM-DD.)'],
      ['a first payment date that does not exist', { firstPaymentDate: '2021-02-30' }, 'The given data was invalid. (first_payment_date: The first payment date field must match the format YYYY-MM-DD.)'],
    ] as const)('refuses %s with REJECTED and the field errors', async (_what, extra, message) => {
      const command = upsert(sandbox.behavior.addCustomer(), extra);
      const error = await thrownBy(() => client().send(command, context));
      expect(error).toMatchObject({ code: 'REJECTED', httpStatus: 422, retryable: false, message });
      expect(appliedTo(command.loanId)).toEqual([]);
    });

    const valid = { loan_id: 'L-raw', lead_id: 1, loan_amount: 75_000, applied_at: '2021-09-25T04:01:57Z' };
    const format = (field: string, shape: string) => ({ [field]: [`The ${field.replaceAll('_', ' ')} field must match the format ${shape}.`] });
    const integer = (field: string) => ({ [field]: [`The ${field.replaceAll('_', ' ')} field must be an integer.`] });
    const selected = (field: string) => ({ [field]: [`The selected ${field.replaceAll('_', ' ')} is invalid.`] });
    it.each([
      ['no loan_id', { loan_id: undefined }, { loan_id: ['The loan id field is required.'] }],
      ['a blank loan_id', { loan_id: '   ' }, { loan_id: ['The loan id field is required.'] }],
      ['a loan_id that is a number', { loan_id: 42 }, { loan_id: ['The loan id field must be a string.'] }],
      ['neither lead_id nor management_system_id', { lead_id: undefined }, {
        lead_id: ['The lead id field is required when management system id is not present.'],
        management_system_id: ['The management system id field is required when lead id is not present.'],
      }],
      ['a lead_id of null and no management_system_id', { lead_id: null }, {
        lead_id: ['The lead id field is required when management system id is not present.'],
        management_system_id: ['The management system id field is required when lead id is not present.'],
      }],
      ['a lead_id that is a string', { lead_id: '1' }, integer('lead_id')],
      ['a management_system_id that is a fraction', { management_system_id: 1.5 }, integer('management_system_id')],
      ['no loan_amount', { loan_amount: undefined }, { loan_amount: ['The loan amount field is required.'] }],
      ['a loan_amount in dollars', { loan_amount: 750.5 }, integer('loan_amount')],
      ['a loan_amount that is a string', { loan_amount: '75000' }, integer('loan_amount')],
      ['a funded_amount of null', { funded_amount: null }, integer('funded_amount')],
      ['an application_type in lower case', { application_type: 'new' }, selected('application_type')],
      ['a loan_type without its spaces', { loan_type: 'LineOfCredit' }, selected('loan_type')],
      ['a loan_type in another case', { loan_type: 'Line of Credit' }, selected('loan_type')],
      ['a loan_status without its spaces', { loan_status: 'PastDue' }, selected('loan_status')],
      ['a loan_status in another case', { loan_status: 'Paid in full' }, selected('loan_status')],
      ['a loan_status in the unified spelling', { loan_status: 'WRITTEN_OFF' }, selected('loan_status')],
      ['a first_payment_date with a time', { first_payment_date: '2021-09-25T00:00:00Z' }, format('first_payment_date', 'YYYY-MM-DD')],
      ['a first_payment_date that does not exist', { first_payment_date: '2021-02-30' }, format('first_payment_date', 'YYYY-MM-DD')],
      ['no applied_at', { applied_at: undefined }, { applied_at: ['The applied at field is required.'] }],
      ['an applied_at with milliseconds', { applied_at: '2021-09-25T04:01:57.000Z' }, format('applied_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['an applied_at with an offset', { applied_at: '2021-09-25T04:01:57+00:00' }, format('applied_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['an applied_at with a space', { applied_at: '2021-09-25 04:01:57' }, format('applied_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['an applied_at that does not exist', { applied_at: '2021-09-31T04:01:57Z' }, format('applied_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['an esigned_at that is a date', { esigned_at: '2021-09-25' }, format('esigned_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['a withdrawn_at that is a Unix time', { withdrawn_at: 1632542517 }, format('withdrawn_at', 'YYYY-MM-DDTHH:mm:ssZ')],
      ['an originated_at without a zone', { originated_at: '2021-09-25T04:01:57' }, format('originated_at', 'YYYY-MM-DDTHH:mm:ssZ')],
    ])('answers 422 in Laravel\'s shape for %s', async (_what, override, errors) => {
      expect(await rawLoan('1', { ...valid, ...override })).toEqual({ status: 422, body: { message: 'The given data was invalid.', errors } });
    });

    it.each([
      ['an empty object', {}],
      ['a body that is not JSON', 'loan_id=1'],
    ])('answers 422 with every required field for %s', async (_what, body) => {
      expect((await rawLoan('1', body)).body.errors).toEqual({
        loan_id: ['The loan id field is required.'],
        lead_id: ['The lead id field is required when management system id is not present.'],
        management_system_id: ['The management system id field is required when lead id is not present.'],
        loan_amount: ['The loan amount field is required.'],
        applied_at: ['The applied at field is required.'],
      });
    });

    it.each([
      ['no Authorization header', {}],
      ['an unknown bearer token', { authorization: 'Bearer 0123456789abcdef' }],
      ['a Basic header instead of a bearer token', { authorization: 'Basic c2VjcmV0' }],
    ])('answers 401 {"message":"Unauthenticated."} for %s', async (_what, headers) => {
      expect(await raw('/api/v1/loan-performance/customers/1/loans', valid, headers)).toEqual({ status: 401, body: { message: 'Unauthenticated.' } });
    });

    it.each([
      ['credentials sent as JSON', () => JSON.stringify({ grant_type: 'client_credentials', ...sandbox.behavior.credentials }), 'application/json', 400, 'unsupported_grant_type'],
      ['another grant type', () => `grant_type=password&client_id=${sandbox.behavior.credentials.clientId}`, 'application/x-www-form-urlencoded', 400, 'unsupported_grant_type'],
      ['a wrong client secret', () => `grant_type=client_credentials&client_id=${sandbox.behavior.credentials.clientId}&client_secret=wrong`, 'application/x-www-form-urlencoded', 401, 'invalid_client'],
      ['no client id', () => 'grant_type=client_credentials', 'application/x-www-form-urlencoded', 401, 'invalid_client'],
    ])('refuses a token request with %s', async (_what, body, contentType, status, error) => {
      const response = await fetch(new URL('/oauth/token', sandbox.baseUrl), { method: 'POST', headers: { 'content-type': contentType }, body: body() });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error });
    });

    it('refuses wrong client credentials with UNAUTHORIZED and never shows the secret', async () => {
      const error = await thrownBy(() => client({ clientSecret: 'wrong-client-secret-0123456789' }).send(upsert('1'), context));
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, retryable: false, message: 'Client authentication failed (invalid_client)' });
      expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('wrong-client-secret-0123456789');
    });
  });

  describe('the access token', () => {
    it('is requested once for many calls, concurrent or one after another', async () => {
      const c = client();
      const before = sandbox.behavior.counts.tokensIssued;
      const customerId = sandbox.behavior.addCustomer();
      await Promise.all([1, 2, 3, 4, 5].map(() => c.send(upsert(customerId), context)));
      for (let i = 0; i < 3; i++) await c.send(upsert(customerId), context);
      expect(sandbox.behavior.counts.tokensIssued - before).toBe(1);
    });

    it('is renewed once when Decision Cloud revokes it, and the loan is applied once', async () => {
      const c = await warmClient();
      const { tokensIssued, unauthenticated } = sandbox.behavior.counts;
      sandbox.behavior.revokeTokens();
      const command = upsert(sandbox.behavior.addCustomer());
      expect((await c.send(command, context)).created).toBe(true);
      expect(sandbox.behavior.counts).toEqual({ tokensIssued: tokensIssued + 1, unauthenticated: unauthenticated + 1 });
      expect(appliedTo(command.loanId)).toHaveLength(1);
    });

    it('is renewed once on any 401 of the loan call', async () => {
      const c = await warmClient();
      const before = sandbox.behavior.counts.tokensIssued;
      sandbox.server.setFaults({ forceStatus: 401, forceCount: 1 });
      expect((await c.send(upsert(sandbox.behavior.addCustomer()), context)).created).toBe(true);
      expect(sandbox.behavior.counts.tokensIssued).toBe(before + 1);
    });
  });

  describe('transient failures', () => {
    it.each([
      [503, 'UNAVAILABLE', true, 'Server Error'],
      [500, 'UNAVAILABLE', true, 'Server Error'],
      [429, 'RATE_LIMITED', true, 'Too Many Attempts.'],
      [403, 'UNAUTHORIZED', false, 'This action is unauthorized.'],
      [422, 'REJECTED', false, 'The given data was invalid.'],
    ] as const)('maps an injected %i of the loan call to %s (retryable: %s), with Retry-After', async (status, code, retryable, message) => {
      const c = await warmClient();
      sandbox.server.setFaults({ forceStatus: status, forceCount: 1, retryAfterSeconds: 7 });
      const error = await thrownBy(() => c.send(upsert(sandbox.behavior.addCustomer()), context));
      expect(error).toMatchObject({ code, httpStatus: status, retryable, retryAfterMs: 7_000, message });
    });

    it('maps an injected 503 of the token request to UNAVAILABLE, with Retry-After', async () => {
      sandbox.server.setFaults({ forceStatus: 503, forceCount: 1, retryAfterSeconds: 3 });
      const error = await thrownBy(() => client().send(upsert('1'), context));
      expect(error).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503, retryable: true, retryAfterMs: 3_000 });
    });

    it('gives up with TIMEOUT when Decision Cloud does not answer in time', async () => {
      sandbox.server.setFaults({ latencyMs: 500 });
      const error = await thrownBy(() => client({}, 100).send(upsert('1'), context));
      expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, httpStatus: null });
    });

    it('reports UNAVAILABLE when nothing listens', async () => {
      const closed = await startDecisionCloudSandbox();
      await closed.stop();
      const error = await thrownBy(() => connectDecisionCloud(closed.connection, options).send(upsert('1'), context));
      expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    });
  });
});

describe('Decision Cloud token lifetime, on a clock the test moves', () => {
  let clock = Date.now();
  let sandbox: RunningSandbox<DecisionCloudSandbox, DecisionCloudClientOptions>;

  beforeAll(async () => {
    sandbox = await startDecisionCloudSandbox({ now: () => clock });
  });
  afterAll(() => sandbox.stop());

  it('renews the token shortly before it expires, and after, without a refused call', async () => {
    const c: ProviderAdapter<UpsertLoanCommand> = new DecisionCloudClient(decisionCloudHttp(sandbox.connection, options), sandbox.connection, () => clock);
    await c.send(upsert('1'), context);
    clock += HOUR - 59_000; // the token has 59 s left: Decision Cloud still takes it, the client renews anyway
    await c.send(upsert('1'), context);
    clock += HOUR + 1_000; // and now it has expired
    await c.send(upsert('1'), context);
    expect(sandbox.behavior.counts).toEqual({ tokensIssued: 3, unauthenticated: 0 });
  });

  it('renews a short-lived token before it expires, without a refused call', async () => {
    const short = await startDecisionCloudSandbox({ tokenLifetimeSeconds: 30, now: () => clock });
    try {
      const c: ProviderAdapter<UpsertLoanCommand> = new DecisionCloudClient(decisionCloudHttp(short.connection, options), short.connection, () => clock);
      await c.send(upsert('1'), context);
      clock += 29_000; // one second left: a client that waited for the full lifetime would now race the expiry
      await c.send(upsert('1'), context);
      expect(short.behavior.counts).toEqual({ tokensIssued: 2, unauthenticated: 0 });
    } finally {
      await short.stop();
    }
  });
});

describe('Decision Cloud client against a Decision Cloud that breaks its contract', () => {
  const SECRET = 'dc-client-secret-0123456789';
  const TOKEN = 'issued-access-token-abcdef';
  const stored = {
    customer_id: '1',
    loan_id: 'L1',
    lead_id: 1,
    management_system_id: null,
    application_type: 'New',
    loan_type: 'Payday',
    loan_status: 'Pending',
    loan_amount: 75_000,
    funded_amount: null,
    first_payment_date: null,
    applied_at: '2021-09-25T04:01:57Z',
    esigned_at: null,
    withdrawn_at: null,
    originated_at: null,
  };
  const command = upsert('1', { loanId: 'L1' });
  const tokenAnswer = { status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: TOKEN } };

  /** A fake Decision Cloud: a good token endpoint unless told otherwise, and `loans` for the loan call. */
  const withFake = async (
    loans: (request: { headers: Record<string, unknown>; body: string }) => { status: number; body?: unknown },
    run: (client: ProviderAdapter<UpsertLoanCommand>, calls: { token: number; loans: number }) => Promise<void>,
    token: () => { status: number; body?: unknown } = () => tokenAnswer,
  ) => {
    const calls = { token: 0, loans: 0 };
    const fake = await startFakeProvider((request) => {
      if (request.url === '/oauth/token') {
        calls.token++;
        return token();
      }
      calls.loans++;
      return loans(request);
    });
    try {
      const connection = { baseUrl: fake.baseUrl, clientId: 'client-1', clientSecret: SECRET };
      await run(new DecisionCloudClient(decisionCloudHttp(connection, options), connection), calls);
    } finally {
      await fake.stop();
    }
  };

  // Decision Cloud's page documents no response: the 2xx is the promise that the loan as
  // sent is stored. What the body adds is read where it can be; the rest is noted.
  it.each<[string, number, unknown, Record<string, unknown>, string[]]>([
    ['an unknown loan_status', 201, { data: { ...stored, loan_status: 'Paid' } }, { loanStatus: null, providerLoanStatus: 'Paid' }, ['loan_status: unreadable value "Paid"']],
    ['an unknown loan_type', 201, { data: { ...stored, loan_type: 'Line of Credit' } }, { loanType: null }, ['loan_type: unreadable value "Line of Credit"']],
    ['an unknown application_type', 201, { data: { ...stored, application_type: 'NEW' } }, { applicationType: null }, ['application_type: unreadable value "NEW"']],
    ['a body without data', 201, { loan: stored }, { loanAmountCents: 75_000 }, ['data: no stored loan in the answer']],
    ['a {message} body', 200, { message: 'Loan saved.' }, { loanAmountCents: 75_000 }, ['data: no stored loan in the answer']],
    ['a 204 without a body', 204, undefined, { loanAmountCents: 75_000, decisionCloudLeadId: 1 }, ['data: no body']],
    ['an amount that is not whole cents', 201, { data: { ...stored, loan_amount: 750.5 } }, { loanAmountCents: 75_000 }, ['loan_amount: unreadable value 750.5']],
    ['an applied_at without a zone', 201, { data: { ...stored, applied_at: '2021-09-25 04:01:57' } }, { appliedAt: new Date('2021-09-25T04:01:57Z') }, ['applied_at: unreadable value "2021-09-25 04:01:57"']],
    ['an answer about another loan', 200, { data: { ...stored, loan_id: 'L2' } }, { loanId: 'L1' }, ['loan_id: L2 where L1 was sent']],
    ['an answer about another customer', 200, { data: { ...stored, customer_id: '2' } }, { customerId: '1' }, ['customer_id: 2 where 1 was sent']],
    ['a 202 instead of 201 or 200', 202, { data: stored }, { loanStatus: 'PENDING', loanType: 'PAYDAY' }, []],
  ])('takes %s as the success it is: what it could read, and a note for the rest', async (_what, status, body, loan, unread) => {
    await withFake(
      () => ({ status, ...(body !== undefined && { body }) }),
      async (client, calls) => {
        const result = await client.send(command, context);
        expect(result.loan).toMatchObject({ customerId: '1', loanId: 'L1', ...loan });
        expect(result.created).toBe(status === 201);
        expect(result.unread ?? []).toEqual(unread);
        if (unread.length > 0) expect(result.answer).toBe(body === undefined ? '' : JSON.stringify(body));
        expect(calls.loans).toBe(1);
      },
    );
  });

  it('reads Laravel timestamps (microseconds), offsets, and a first_payment_date cast to a midnight timestamp', async () => {
    await withFake(
      () => ({
        status: 201,
        body: { data: { ...stored, applied_at: '2021-09-25T04:01:57.123456Z', esigned_at: '2021-09-25T06:01:57+02:00', first_payment_date: '2021-10-25T00:00:00.000000Z' } },
      }),
      async (client) => {
        const result = await client.send(command, context);
        expect(result.unread).toBeUndefined();
        expect(result.loan).toMatchObject({
          appliedAt: new Date('2021-09-25T04:01:57.123Z'),
          esignedAt: new Date('2021-09-25T04:01:57Z'),
          firstPaymentDate: '2021-10-25',
        });
      },
    );
  });

  it('reads a stored loan whose unset fields are left out, and datetimes with microseconds', async () => {
    const { loan_id, loan_amount, lead_id } = stored;
    await withFake(
      () => ({ status: 200, body: { data: { loan_id, loan_amount, lead_id, applied_at: '2021-09-25T04:01:57.000000Z' } } }),
      async (client) => {
        const result = await client.send(command, context);
        expect(result).toMatchObject({ created: false, loan: { customerId: '1', loanId: 'L1', applicationType: null, loanStatus: null, esignedAt: null } });
        expect(result.loan.appliedAt).toEqual(new Date('2021-09-25T04:01:57Z'));
      },
    );
  });

  it.each([
    ['no access token', { token_type: 'Bearer', expires_in: 3600 }],
    ['another token type', { token_type: 'MAC', expires_in: 3600, access_token: TOKEN }],
  ])('answers INVALID_RESPONSE for a token answer with %s', async (_what, body) => {
    await withFake(
      () => ({ status: 201, body: { data: stored } }),
      async (client, calls) => {
        const error = await thrownBy(() => client.send(command, context));
        expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: false });
        expect(error.message).toMatch(/not a token/);
        expect(calls.loans).toBe(0);
      },
      () => ({ status: 200, body }),
    );
  });

  it('renews the token only once when Decision Cloud keeps answering 401', async () => {
    await withFake(
      () => ({ status: 401, body: { message: 'Unauthenticated.' } }),
      async (client, calls) => {
        const error = await thrownBy(() => client.send(command, context));
        expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, retryable: false, message: 'Unauthenticated.' });
        expect(calls).toEqual({ token: 2, loans: 2 });
      },
    );
  });

  it('treats invalid_client on a 400 as refused credentials (UNAUTHORIZED)', async () => {
    await withFake(
      () => ({ status: 201, body: { data: stored } }),
      async (client) => {
        const error = await thrownBy(() => client.send(command, context));
        expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 400, retryable: false, message: 'Client authentication failed (invalid_client)' });
      },
      () => ({ status: 400, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }),
    );
  });

  it('removes the client secret from a token error that echoes it', async () => {
    await withFake(
      () => ({ status: 201, body: { data: stored } }),
      async (client) => {
        const error = await thrownBy(() => client.send(command, context));
        expect(error.message).toBe('Client authentication failed for [redacted] (invalid_client)');
      },
      () => ({ status: 401, body: { error: 'invalid_client', error_description: `Client authentication failed for ${SECRET}` } }),
    );
  });

  it('removes the bearer token from a loan error that echoes it', async () => {
    await withFake(
      (request) => ({ status: 422, body: { message: 'The given data was invalid.', errors: { authorization: [`Bad header ${String(request.headers.authorization)}`] } } }),
      async (client) => {
        const error = await thrownBy(() => client.send(command, context));
        expect(error.message).toBe('The given data was invalid. (authorization: Bad header Bearer [redacted])');
        expect(error.message).not.toContain(TOKEN);
      },
    );
  });
});
