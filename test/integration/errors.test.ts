import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';

describe('errors a client can get', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it.each([
    ['lead(id:)', `{ lead(id: "42") { id } }`, 'id'],
    ['leadByTecheaId', `{ leadByTecheaId(techeaLeadId: "abc") { id } }`, 'techeaLeadId'],
    ['application(id:)', `{ application(id: "APP-1") { id } }`, 'id'],
    ['verification(authUuid:)', `{ verification(authUuid: "x") { authUuid } }`, 'authUuid'],
    ['loan(customerId:)', `{ loan(customerId: "", loanId: "l1") { loanId } }`, 'customerId'],
    ['dispatch(id:)', `{ dispatch(id: "d-1") { id } }`, 'id'],
    ['leads(after:) with a forged cursor', `{ leads(after: "bGVhZDpYWFg") { totalCount } }`, 'after'],
    ['leads(first:) too large', `{ leads(first: 1000) { totalCount } }`, 'first'],
    ['leads(first:) negative', `{ leads(first: -1) { totalCount } }`, 'first'],
    ['leads(filter:) with no stages', `{ leads(filter: { stages: [] }) { totalCount } }`, 'filter.stages'],
    ['Lead.history(first:)', `{ leads { edges { node { history(first: 101) { id } } } } }`, 'first'],
    ['statusChanges(after:)', `{ statusChanges(after: "-5") { id } }`, 'after'],
    ['statusChanges(leadId:)', `{ statusChanges(leadId: "lead-1") { id } }`, 'leadId'],
    ['statusChanges(first:)', `{ statusChanges(first: 0) { id } }`, 'first'],
  ])('a malformed %s is BAD_USER_INPUT naming the argument', async (_what, query, field) => {
    await gateway.db.query(`INSERT INTO lead (tenant_id) VALUES ('default')`); // so nested history resolves at least once
    const response = await postGraphQL(gateway.api, query);
    expect(response.status).toBe(200);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: expected .+, but got .+`)),
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  });

  it('answers an invalid filter value in variables with BAD_USER_INPUT naming its path', async () => {
    const response = await postGraphQL(gateway.api, `query ($f: LeadFilter) { leads(filter: $f) { totalCount } }`, {
      f: { updatedSince: 'yesterday' },
    });
    expect(response.status).toBe(400);
    expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    // graphql-js names the path inside the variable: "$f" … at "f.updatedSince".
    expect(response.errors![0]!.message).toContain('"f.updatedSince"');
  });

  it('answers an unknown enum value in variables with BAD_USER_INPUT', async () => {
    const response = await postGraphQL(gateway.api, `query ($f: LeadFilter) { leads(filter: $f) { totalCount } }`, {
      f: { stages: ['ALMOST_DONE'] },
    });
    expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toContain('ALMOST_DONE');
  });

  it('answers a malformed JSON body with a JSON GraphQL error, not an HTML page', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
      body: '{"query": "{ leads { totalCount } }"',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers a body over the size limit with a JSON error', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
      body: JSON.stringify({ query: `{ leads { totalCount } }`, variables: { pad: 'x'.repeat(2_000_000) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is too large.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers a body in an encoding it does not read with 415 on every Node line (zstd included), and reads gzip', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = JSON.stringify({ query: '{ leads { totalCount } }' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` };
    for (const encoding of ['zstd', 'compress', 'gzip, br']) {
      const response = await fetch(gateway.url, { method: 'POST', headers: { ...headers, 'content-encoding': encoding }, body });
      expect(response.status, encoding).toBe(415);
      expect(await response.json()).toEqual({
        errors: [{ message: `Content-Encoding "${encoding}" is not supported: send the body as is, or in gzip, deflate or br.`, extensions: { code: 'BAD_REQUEST' } }],
      });
    }
    const gzipped = await fetch(gateway.url, { method: 'POST', headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync(body) });
    expect(gzipped.status).toBe(200);
    expect(((await gzipped.json()) as { data: { leads: { totalCount: number } } }).data.leads.totalCount).toBeGreaterThanOrEqual(0);
  });

  describe('every error the gateway answers itself takes the shape and media type of Apollo Server\'s own', () => {
    const ACCEPTS = {
      // Apollo Client 4, urql and graphql-request ask for the GraphQL-over-HTTP type first.
      'Apollo Client 4': 'application/graphql-response+json,application/json;q=0.9',
      'graphql-response+json only': 'application/graphql-response+json',
      'application/json': 'application/json',
      'curl (*/*)': '*/*',
      'no Accept': undefined,
    } as const;
    const json = { 'content-type': 'application/json' };
    const key = () => ({ authorization: `Bearer ${gateway.api.token}` });
    /** Each error, as a request; the first is Apollo Server's own (a body without a query), the reference. */
    const ERRORS: Record<string, { status: number; code: string; request: () => [string, RequestInit] }> = {
      "Apollo Server's own 400": { status: 400, code: 'BAD_REQUEST', request: () => [gateway.url, { method: 'POST', headers: { ...json, ...key() }, body: '{}' }] },
      'no credentials (401)': { status: 401, code: 'UNAUTHENTICATED', request: () => [gateway.url, { method: 'POST', headers: json, body: '{"query":"{ __typename }"}' }] },
      'an unknown key (401)': {
        status: 401,
        code: 'UNAUTHENTICATED',
        request: () => [gateway.url, { method: 'POST', headers: { ...json, authorization: `Bearer lgk_${'x'.repeat(43)}` }, body: '{"query":"{ __typename }"}' }],
      },
      '/metrics with a tenant key (401)': {
        status: 401,
        code: 'UNAUTHENTICATED',
        request: () => [new URL('/metrics', gateway.url).href, { headers: { authorization: `Bearer ${gateway.as('viewer').token}` } }],
      },
      'malformed JSON (400)': { status: 400, code: 'BAD_REQUEST', request: () => [gateway.url, { method: 'POST', headers: { ...json, ...key() }, body: '{"query"' }] },
      'a body too large (413)': {
        status: 413,
        code: 'BAD_REQUEST',
        request: () => [gateway.url, { method: 'POST', headers: { ...json, ...key() }, body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(2_000_000) }) }],
      },
      'an encoding not read (415)': {
        status: 415,
        code: 'BAD_REQUEST',
        request: () => [gateway.url, { method: 'POST', headers: { ...json, ...key(), 'content-encoding': 'zstd' }, body: '{"query":"{ __typename }"}' }],
      },
      'no such route (404)': { status: 404, code: 'NOT_FOUND', request: () => [new URL('/graphq', gateway.url).href, { method: 'POST', headers: json, body: '{}' }] },
    };

    it.each(Object.keys(ACCEPTS).flatMap((client) => Object.keys(ERRORS).map((error) => [error, client] as const)))(
      '%s, for %s',
      async (error, client) => {
        const accept = ACCEPTS[client as keyof typeof ACCEPTS];
        const send = async (name: string) => {
          const [url, init] = ERRORS[name]!.request();
          return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(accept !== undefined && { accept }) } });
        };
        const reference = await send("Apollo Server's own 400");
        const response = await send(error);
        expect(response.status).toBe(ERRORS[error]!.status);
        expect(response.headers.get('content-type')).toBe(reference.headers.get('content-type'));
        expect(response.headers.get('content-type')).toBe(
          accept?.startsWith('application/graphql-response+json') === true
            ? 'application/graphql-response+json; charset=utf-8'
            : 'application/json; charset=utf-8',
        );
        const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
        expect(body.data).toBeUndefined();
        expect(body.errors).toEqual([{ message: expect.any(String), extensions: expect.objectContaining({ code: ERRORS[error]!.code }) }]);
      },
    );
  });

  describe('JSONObject arguments are bounded (depth 32, 64 KiB)', () => {
    const REPORT = `mutation ($input: ReportLeadEventInput!) { reportLeadEvent(input: $input) { outcome } }`;
    /** The body written out by hand: JSON.stringify itself overflows the test's stack at 5,000 levels. */
    const report = async (metadata: Record<string, unknown> | number) => {
      const text = typeof metadata === 'number' ? `${'{"n":'.repeat(metadata - 1)}{"leaf":true}${'}'.repeat(metadata - 1)}` : JSON.stringify(metadata);
      const input = `{"leadId":"00000000-0000-4000-8000-000000000000","event":"REGISTRATION","metadata":${text}}`;
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.as('operator').token}` },
        body: `{"query":${JSON.stringify(REPORT)},"variables":{"input":${input}}}`,
      });
      return { status: response.status, ...((await response.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }) };
    };

    it.each([
      ['33 levels deep', 33, 'JSONObject may be nested at most 32 levels deep.'],
      ['5,000 levels deep', 5_000, 'JSONObject may be nested at most 32 levels deep.'],
      ['over 64 KiB', { text: 'x'.repeat(70_000) }, 'JSONObject may be at most 65536 bytes of JSON; this one is 70011.'],
    ])('refuses one %s with BAD_USER_INPUT, before any resolver runs', async (_what, metadata, reason) => {
      const response = await report(metadata);
      expect(response.status).toBe(400);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
      expect(response.errors![0]!.message).toContain('"input.metadata"');
      expect(response.errors![0]!.message).toContain(reason);
    });

    it('accepts one 32 levels deep (the resolver then answers about the lead, not the metadata)', async () => {
      const response = await report(32);
      expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.leadId' } });
    });
  });

  it('answers syntax errors with GRAPHQL_PARSE_FAILED', async () => {
    const response = await postGraphQL(gateway.api, `{ leads { `);
    expect(response.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('never lets SQL, stack traces or internal messages reach the client', async () => {
    // Break the database under the running gateway: the next query fails inside PostgreSQL.
    await gateway.db.query('ALTER TABLE verification RENAME TO verification_away');
    try {
      const response = await postGraphQL(gateway.api, `{ verification(authUuid: "3c90c3cc-0d44-4b50-8888-8dd25736052a") { authUuid } }`);
      expect(response.errors).toEqual([
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 3 }],
          path: ['verification'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(JSON.stringify(response)).not.toMatch(/relation|SELECT|verification_away|stack|at .*\.ts/i);
    } finally {
      await gateway.db.query('ALTER TABLE verification_away RENAME TO verification');
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(new URL('/nowhere', gateway.url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('reports liveness and readiness without credentials', async () => {
    expect(await (await fetch(new URL('/healthz', gateway.url))).json()).toEqual({ status: 'ok' });
    const ready = await fetch(new URL('/readyz', gateway.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      database: 'ok',
      migrations: 'applied',
      listen: 'up',
      breakers: { TECHEA: 'closed', LEAD_BANK: 'closed', TECALIS: 'closed', DECISION_CLOUD: 'closed' },
    });
  });
});
