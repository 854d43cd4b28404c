import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { seedLead } from '../support/fixtures.js';
import { connectRawSubscriber } from '../support/raw-graphql-ws.js';
import { appendChanges, change } from '../support/status-log.js';
import { Provider } from '../../src/domain/vocabulary.js';
import { executeOverWebSocket } from '../support/ws-client.js';

/** The contract's whole read side in one query: every nested field of a page of leads. */
const FULL_READ = `leads(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id techeaLeadId advertiserRef stage lastEvent createdAt updatedAt
  application { id status productName metadata createdAt updatedAt
    credit { isSecured isMla currency underwritingGrade limit maxLimit score scorePulledAt scoreSource }
    adverseActionNotice { deliveredAt reason deliveryMethod }
    decision { decidedAt reason exceptionApprovalReason }
    documents { documentId type displayedAt consentedAt version } }
  verification { authUuid processUuid status statusReasons name documentNumber documentType nationality
    company profileAlias cleaned createdAt updatedAt operations { type operationId state totalTime } }
  loans { customerId loanId decisionCloudLeadId managementSystemId applicationType loanType loanStatus
    loanAmountCents fundedAmountCents firstPaymentDate appliedAt esignedAt withdrawnAt originatedAt }
  history { id leadId provider entityId from to occurredAt } } } }`;

describe('query limits (GraphQL Armor and graphql-js), on HTTP and WebSocket', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const deep = (levels: number) => {
    let selection = 'id';
    for (let i = 0; i < levels; i++) selection = i % 2 === 0 ? `application { lead { ${selection} } }` : `verification { lead { ${selection} } }`;
    return `{ leads { edges { node { ${selection} } } } }`;
  };

  it.each([
    ['a query deeper than 10 levels', deep(5), /depth/i],
    ['more than 15 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: leads { totalCount }`).join(' ')} }`, /aliases/i],
    ['more than 20 directives', `{ leads @include(if: true) ${'@skip(if: false) '.repeat(20)}{ totalCount } }`, /directives/i],
    ['a query costing more than 50,000 (the full read, three times over)', `{ ${[1, 2, 3].map((i) => `q${i}: ${FULL_READ}`).join(' ')} }`, /cost limit of 50000 exceeded/i],
  ])('refuses %s before running it', async (_what, query, message) => {
    const response = await postGraphQL(gateway.api, query);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).toMatch(message);

    const overWs = await executeOverWebSocket(gateway.url, gateway.api.token, query);
    expect(overWs.kind).toBe('errors');
    if (overWs.kind === 'errors') expect(overWs.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a document of more than 2000 tokens while parsing, with 400', async () => {
    const query = `{ leads { edges { node { ${'id '.repeat(2100)} } } } }`;
    const response = await postGraphQL(gateway.api, query);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.errors?.[0]?.message).toMatch(/2000 tokens/);
    const overWs = await executeOverWebSocket(gateway.url, gateway.api.token, query);
    expect(overWs).toMatchObject({ kind: 'errors', errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
  });

  it.each([
    ['a syntax error', `{ leads { `],
    ['a document over the token limit', `{ leads { edges { node { ${'id '.repeat(2100)} } } } }`],
    ['a query over the depth limit', deep(5)],
    ['a query over the cost limit', `{ ${[1, 2, 3].map((i) => `q${i}: ${FULL_READ}`).join(' ')} }`],
    ['a field that does not exist', `{ leads { nope } }`],
  ])('answers %s with the very same errors over WebSocket as over HTTP', async (_what, query) => {
    const http = await postGraphQL(gateway.api, query);
    expect(http.status).toBe(400);
    expect(http.errors?.length).toBeGreaterThan(0);
    expect(await executeOverWebSocket(gateway.url, gateway.api.token, query)).toEqual({ kind: 'errors', errors: http.errors });
  });

  it.each([
    ['depth', deep(5), 'Query depth limit of 10 exceeded, found 14.'],
    ['aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: leads { totalCount }`).join(' ')} }`, 'Aliases limit of 15 exceeded, found 16.'],
    ['cost', `{ ${[1, 2, 3].map((i) => `q${i}: ${FULL_READ}`).join(' ')} }`, expect.stringMatching(/^Query Cost limit of 50000 exceeded, found [\d.]+\.$/)],
    ['directives', `{ leads @include(if: true) ${'@skip(if: false) '.repeat(20)}{ totalCount } }`, 'Directives limit of 20 exceeded, found 21.'],
  ])('says a document over the %s limit is over it, not that it has a syntax error', async (_what, query, message) => {
    const http = await postGraphQL(gateway.api, query);
    expect(http.errors?.[0]).toEqual({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('runs the full read query of the contract within every limit', async () => {
    const response = await postGraphQL(
      gateway.api,
      `{ ${FULL_READ} }`,
    );
    expect(response.errors).toBeUndefined();
  });

  it('suggests field names outside production', async () => {
    const response = await postGraphQL(gateway.api, `{ leadz { totalCount } }`);
    expect(response.errors?.[0]?.message).toMatch(/Did you mean .*"leads"/);
  });

  it('refuses GET requests without a CSRF preflight header', async () => {
    const url = new URL(gateway.url);
    url.searchParams.set('query', '{ leads { totalCount } }');
    const response = await fetch(url, { headers: { authorization: `Bearer ${gateway.api.token}` } });
    expect(response.status).toBe(400);
    const allowed = await fetch(url, { headers: { authorization: `Bearer ${gateway.api.token}`, 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
  });
});

describe('in production', () => {
  let gateway: TestGateway;
  let providers: Awaited<ReturnType<typeof startLiveSandboxes>>;

  beforeAll(async () => {
    // Production needs every provider configured: the sandboxes stand in for them.
    providers = await startLiveSandboxes();
    gateway = await startTestGateway({ env: { NODE_ENV: 'production', ...providers.env } });
  });
  afterAll(async () => {
    await gateway.stop();
    await providers.stop();
  });

  /** The errors an operation gets, over HTTP and over graphql-ws. */
  const overBoth = async (query: string, variables?: Record<string, unknown>) => {
    const http = await postGraphQL(gateway.api, query, variables);
    const ws = await executeOverWebSocket(gateway.url, gateway.api.token, query, variables);
    return { http: http.errors ?? [], ws: ws.kind === 'errors' ? ws.errors : ws.kind === 'result' ? (ws.result.errors ?? []) : [] };
  };

  it.each([
    ['__schema', `{ __schema { types { name } } }`],
    ['__type', `{ __type(name: "Lead") { fields { name } } }`],
  ])('turns introspection (%s) off, over HTTP and WebSocket alike', async (_what, query) => {
    const { http, ws } = await overBoth(query);
    for (const errors of [http, ws]) {
      expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors[0]?.message).toMatch(/introspection/i);
    }
  });

  it.each([
    ['a field', `{ leadz { totalCount } }`, undefined, 'Cannot query field "leadz" on type "Query".'],
    ['an argument', `{ leads(firs: 1) { totalCount } }`, undefined, 'Unknown argument "firs" on field "Query.leads".'],
    ['an inline enum value', `{ leads(filter: { stages: [APROVED] }) { totalCount } }`, undefined, 'Value "APROVED" does not exist in "LeadStage" enum.'],
    [
      'an enum value in variables',
      `query ($f: LeadFilter) { leads(filter: $f) { totalCount } }`,
      { f: { stages: ['APROVED'] } },
      'Variable "$f" got invalid value "APROVED" at "f.stages[0]"; Value "APROVED" does not exist in "LeadStage" enum.',
    ],
  ])('gives no "Did you mean" hint for %s, over HTTP and WebSocket alike', async (_what, query, variables, message) => {
    const { http, ws } = await overBoth(query, variables);
    expect(http.map((e) => e.message)).toEqual([message]);
    expect(ws.map((e) => e.message)).toEqual([message]);
  });
});

describe('rate limits', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: { RATE_LIMIT_PER_SECOND: '5', SUBSCRIPTION_STARTS_PER_MINUTE: '3', AUTH_FAILURES_PER_MINUTE: '3' },
    });
  });
  afterAll(() => gateway.stop());

  it('answers 429 RATE_LIMITED with Retry-After once a key goes over its rate, and spares other keys', async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => postGraphQL(gateway.as('viewer'), `{ leads { totalCount } }`)));
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(7);
    expect(limited[0]!.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(limited[0]!.headers?.get('retry-after')).toBe('1');
    expect((await postGraphQL(gateway.as('operator'), `{ leads { totalCount } }`)).status).toBe(200);
  });

  it('counts queries over WebSocket against the request rate, not the subscription-start budget', async () => {
    const key = await gateway.createKey('default', 'viewer');
    // Four queries on one socket, one after another: more than the 3 subscription starts a minute, within 5 a second.
    const socket = await connectRawSubscriber({ url: gateway.url, token: key.key });
    for (let i = 0; i < 4; i++) {
      expect(await socket.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });
    }
    // A burst on a fresh key: what passes is what HTTP would pass, and the budget is the one HTTP spends.
    const burstKey = await gateway.createKey('default', 'viewer');
    const burst = await connectRawSubscriber({ url: gateway.url, token: burstKey.key });
    const answers = await Promise.all(Array.from({ length: 12 }, () => burst.run(`{ leads { totalCount } }`)));
    const limited = answers.filter((answer) => answer.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(7);
    expect(limited[0]!.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    const overHttp = await postGraphQL({ url: gateway.url, token: burstKey.key }, `{ leads { totalCount } }`);
    expect(overHttp.status).toBe(429);
    await Promise.all([socket.close(), burst.close()]);
  });

  it('limits subscriptions started over WebSocket per key', async () => {
    // One change in the log: a subscription started with `after: "0"` answers with it at once.
    const lead = await seedLead(gateway.db);
    const [changeId] = await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'lead-1')]);
    const key = await gateway.createKey('default', 'viewer');
    const socket = await connectRawSubscriber({ url: gateway.url, token: key.key });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await socket.run(`subscription { statusChanged(after: "0") { id } }`));
    expect(answers.slice(0, 3)).toEqual(Array.from({ length: 3 }, () => ({ data: { statusChanged: { id: changeId } } })));
    expect(answers[3]).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } }] });
    // Queries still run: they spend the request rate, not the subscription budget.
    expect(await socket.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });
    await socket.close();
  });

  it('refuses an address that keeps failing to authenticate, before checking what it sends, until its window passes', async () => {
    const bad = { url: gateway.url, token: 'lgk_' + 'y'.repeat(43) };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postGraphQL(bad, `{ leads { totalCount } }`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Over its budget, the address is refused before any credential is checked: a right key
    // answers exactly as a wrong one, so 429 tells a guesser nothing.
    const right = await postGraphQL(gateway.as('viewer'), `{ leads { totalCount } }`);
    const wrong = await postGraphQL(bad, `{ leads { totalCount } }`);
    expect(right.status).toBe(429);
    expect(right.errors).toEqual(wrong.errors);
    expect(right.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    // The socket too: closed at connection_init, the right key unchecked.
    await expect(connectRawSubscriber({ url: gateway.url, token: gateway.as('viewer').token! })).rejects.toThrow(
      /closed before connection_ack: \{"code":4429,"reason":"RATE_LIMITED: Too many requests: try again in \d+ s\."\}/,
    );
  });
});

describe('failed webhook authentications', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_FAILURES_PER_MINUTE: '2' } });
  });
  afterAll(() => gateway.stop());

  it('count against the address like failed API keys, and an address over its budget is refused there before anything is checked', async () => {
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(new URL(path, gateway.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post('/webhooks/leadbank', { 'lead-signature': 't=1,v1=00' })).status).toBe(401);
    expect((await post(`/webhooks/tecalis/${'x'.repeat(43)}`)).status).toBe(401);
    // The budget is spent: GraphQL with a right key, and the webhooks, are refused unchecked.
    expect((await postGraphQL(gateway.api, `{ leads { totalCount } }`)).status).toBe(429);
    const leadBank = await post('/webhooks/leadbank', { 'lead-signature': 't=1,v1=00' });
    expect(leadBank.status).toBe(429);
    expect(leadBank.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await post(`/webhooks/tecalis/${'x'.repeat(43)}`)).status).toBe(429);
  });
});

