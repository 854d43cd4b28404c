import { randomUUID } from 'node:crypto';
import { type DocumentNode, getNamedType, print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_LEAD_BY_ID, GATEWAY_LEADS } from '../../bench/read/queries.js';
import {
  CreateLeadDocument,
  LeadPageDocument,
  LeadsPageDocument,
  ReportLeadEventDocument,
  UpdateApplicationDocument,
  UpdateVerificationStatusDocument,
  UpsertLoanDocument,
} from '../../examples/web/src/gql/graphql.js';
import { type Role } from '../../src/domain/roles.js';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { committedSchema, everyField } from '../support/every-field-query.js';
import { seedLead, type SeededLead } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type Target } from '../support/graphql-client.js';
import { sandboxesOf, type Sandboxes } from './mutations/mutation-harness.js';

/**
 * Queries and mutations over HTTP run on operations compiled by graphql-jit
 * (`http/compiled-executor.ts`); the answers must be the very bytes graphql-js gives.
 * Two gateways share one database: `compiled` as it runs in production, `plain` with
 * Apollo Server's own graphql-js execution. Each operation goes to both, with a key of
 * the same tenant and role, and the status and body text must be equal. Mutations carry
 * an idempotency key: the compiled gateway runs them, and the same request to the plain
 * gateway answers that same dispatch from the database (and sends nothing again).
 */

/** Both gateways start with what mutations need: the first attempt's outcome awaited in the answer. */
const ENV = { DISPATCH_BACKOFF_BASE_MS: '10', DISPATCH_BACKOFF_MAX_MS: '50', DISPATCH_POLL_MS: '20', PROVIDER_TIMEOUT_MS: '10000', DISPATCH_WAIT_MS: '20000' };

/** What one gateway answered: what a client receives, byte for byte. */
interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

async function post(target: Target, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<RawAnswer> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(target.token !== undefined && { authorization: `Bearer ${target.token}` }),
    },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

const text = (document: DocumentNode): string => print(document);

describe('compiled execution answers byte for byte as graphql-js', () => {
  let compiled: TestGateway;
  let plain: TestGateway;
  let sandboxes: Sandboxes;
  let full: SeededLead;
  let bare: SeededLead;

  beforeAll(async () => {
    compiled = await startTestGateway({ env: ENV });
    plain = await startTestGateway({ env: ENV, database: compiled.database, execution: 'graphql-js' });
    sandboxes = sandboxesOf(compiled);
    full = await seedLead(compiled.db, {
      lastEvent: LeadEvent.LOAN_ISSUED,
      application: {
        status: ApplicationStatus.APPROVED,
        decision: { decidedAt: new Date('2026-10-03T12:00:00Z'), reason: 'good standing', exceptionApprovalReason: null },
      },
      verification: { status: VerificationStatus.OK, statusReasons: 'all checks passed' },
      loans: [{ loanStatus: LoanStatus.PAID_IN_FULL }, { loanStatus: LoanStatus.CURRENT }],
    });
    bare = await seedLead(compiled.db, { advertiserRef: 'ADV-bare' });
    for (let i = 0; i < 5; i++) await seedLead(compiled.db, { application: { status: i % 2 === 0 ? null : ApplicationStatus.DECLINED }, loans: [{ loanStatus: null }] });
  });
  afterEach(() => {
    for (const { server } of Object.values(sandboxes)) server.clearFaults();
  });
  afterAll(async () => {
    await plain?.stop();
    await compiled?.stop();
  });

  /** Sends the operation to both gateways, as `who` of each, and expects the same answer; returns it. */
  async function same(
    query: string,
    variables?: Record<string, unknown>,
    who: (gateway: TestGateway) => Target = (g) => g.api,
    operationName?: string,
  ): Promise<RawAnswer> {
    const fromCompiled = await post(who(compiled), query, variables, operationName);
    const fromPlain = await post(who(plain), query, variables, operationName);
    expect(fromCompiled).toEqual(fromPlain);
    return fromCompiled;
  }

  /** The answer's JSON, for what each case says on top of equality (so two equally wrong answers cannot pass). */
  const json = (answer: RawAnswer) => JSON.parse(answer.body) as { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

  describe("the example app's queries and the benchmark's reads", () => {
    it.each<[string, () => readonly [string, Record<string, unknown> | undefined]]>([
      ['LeadsPage, first page', () => [text(LeadsPageDocument), { first: 3 }]],
      ['LeadsPage, a filtered page after a cursor', () => [text(LeadsPageDocument), { first: 2, after: null, filter: { stages: ['NEW', 'DECLINED'] } }]],
      ['LeadPage of a lead with every record', () => [text(LeadPageDocument), { id: full.leadId }]],
      ['LeadPage of a lead with none', () => [text(LeadPageDocument), { id: bare.leadId }]],
      ['the benchmark’s leads(first: 50)', () => [GATEWAY_LEADS, undefined]],
      ['the benchmark’s lead(id)', () => [GATEWAY_LEAD_BY_ID, { id: full.leadId }]],
      ['the README’s page of leads', () => ['{ leads(first: 10) { totalCount edges { node { id stage application { status } loans { loanStatus } } } } }', undefined]],
    ])('%s', async (_name, operation) => {
      const [query, variables] = operation();
      const answer = await same(query, variables);
      expect(answer.status).toBe(200);
      expect(json(answer).errors).toBeUndefined();
      expect(json(answer).data).not.toBeNull();
    });

    it('a status log with the ProviderRecord union through fragments, aliases and __typename', async () => {
      const answer = await same(`query Log($lead: ID) {
        statusHead
        changes: statusChanges(leadId: $lead, first: 20) {
          id provider from to
          record {
            __typename
            ... on Application { id applicationStatus: status }
            ... on Verification { authUuid status }
            ... on Loan { loanId loanStatus }
            ... on Lead { ...LeadBits }
          }
          lead { ...LeadBits }
        }
      }
      fragment LeadBits on Lead { id stage lastEvent }`, { lead: full.leadId });
      expect(json(answer).data?.changes.length).toBeGreaterThan(0);
    });

    // Compiled operations write enum and built-in scalar values as the resolvers return
    // them (graphql-js would pass each through its serializer, compiled-operations.ts):
    // every such field the schema has must come out as graphql-js writes it.
    it('every field the schema answers, from each root field, on records with every value set and on bare ones', async () => {
      const techeaLeadId = sandboxes.techea.behavior.addLead();
      const { leadId } = await seedLead(compiled.db, { techeaLeadId });
      const reported = await post(compiled.api, text(ReportLeadEventDocument), { input: { leadId, event: 'REGISTRATION', idempotencyKey: `every-field-${randomUUID()}` } });
      const dispatchId = (json(reported).data?.reportLeadEvent as { dispatch: { id: string } }).dispatch.id;
      const schema = committedSchema();
      const arguments_: Record<string, string> = {
        apiKeys: '',
        statusChanges: '(first: 20)',
        leads: '(first: 7)',
        lead: `(id: "${full.leadId}")`,
        leadByTecheaId: `(techeaLeadId: "${full.techeaLeadId}")`,
        application: `(id: "${full.applicationId}")`,
        verification: `(authUuid: "${full.authUuid}")`,
        loan: `(loanId: "${full.loanIds[0]}", customerId: "${full.customerId}")`,
        dispatch: `(id: "${dispatchId}")`,
      };
      const roots = Object.values(schema.getQueryType()!.getFields()).filter((field) => field.name !== 'statusHead');
      expect(roots.map((field) => field.name).sort()).toEqual(Object.keys(arguments_).sort());
      /** The root field with every field below it, as deep as the limits let one document go (GRAPHQL_MAX_ALIASES 15; a log of 20 changes costs the most). */
      const everyFieldOf = (root: (typeof roots)[number], args: string) => {
        const below = (levels: number) => everyField(schema, getNamedType(root.type), levels) ?? '';
        const levels = root.name === 'statusChanges' ? 1 : ([3, 2].find((n) => (below(n).match(/\w+: /g)?.length ?? 0) <= 15) ?? 1);
        return `{ ${root.name}${args} ${below(levels)} }`;
      };
      for (const root of roots) {
        const answer = await same(everyFieldOf(root, arguments_[root.name] ?? ''), undefined, (g) => g.as('admin'));
        expect(json(answer).errors?.map((e) => e.message), root.name).toBeUndefined();
        expect(json(answer).data?.[root.name], root.name).not.toBeNull();
      }
      const leadRoot = roots.find((root) => root.name === 'lead')!;
      const bareLead = await same(everyFieldOf(leadRoot, `(id: "${bare.leadId}")`));
      expect(json(bareLead).data?.lead).toMatchObject({ id: bare.leadId, application: null });
    });

    it('a document of two operations, run by name, with @include and @skip', async () => {
      const document = `query A { statusHead } query B($id: ID!) { lead(id: $id) { id stage @include(if: true) advertiserRef @skip(if: true) } }`;
      const answer = await same(document, { id: bare.leadId }, undefined, 'B');
      expect(json(answer).data).toEqual({ lead: { id: bare.leadId, stage: 'NEW' } });
    });
  });

  describe('errors', () => {
    it.each([
      ['an unknown field (validation)', '{ leads { edges { node { nope } } } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['a document over the depth limit', `{ leads { edges { node { application { lead { application { lead { application { lead { application { lead { id } } } } } } } } } } } }`, undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['a syntax error', '{ leads { ', undefined, 400, 'GRAPHQL_PARSE_FAILED'],
      ['a variable of the wrong type', 'query ($id: ID!) { lead(id: $id) { id } }', { id: { not: 'an id' } }, 400, 'BAD_USER_INPUT'],
      ['a missing required variable', 'query ($id: ID!) { lead(id: $id) { id } }', {}, 400, 'BAD_USER_INPUT'],
      ['an unknown enum value in a variable', 'query ($f: LeadFilter) { leads(filter: $f) { totalCount } }', { f: { stages: ['ALMOST_DONE'] } }, 400, 'BAD_USER_INPUT'],
      ['an argument the resolver refuses', '{ leads(first: 1000) { totalCount } }', undefined, 200, 'BAD_USER_INPUT'],
      ['a nested argument the resolver refuses, on every row', '{ leads { edges { node { id history(first: 101) { id } } } } }', undefined, 200, 'BAD_USER_INPUT'],
      ['a NUL character in an argument', '{ lead(id: "a\\u0000b") { id } }', undefined, 200, 'BAD_USER_INPUT'],
    ] as const)('%s', async (_name, query, variables, status, code) => {
      const answer = await same(query, variables);
      expect(answer.status).toBe(status);
      if (code !== null) expect(json(answer).errors?.[0]?.extensions?.code).toBe(code);
    });

    it.each([
      ['an unknown operation name', 'query A { statusHead }', 'Z'],
      ['two operations and no name', 'query A { statusHead } query B { statusHead }', undefined],
    ])('%s', async (_name, query, operationName) => {
      const answer = await same(query, undefined, undefined, operationName);
      expect(json(answer).errors).toHaveLength(1);
    });

    it('another tenant’s lead is not there for a caller of another tenant', async () => {
      const answer = await same('query ($id: ID!) { lead(id: $id) { id stage } application(id: "x") { id } }', { id: full.leadId }, (g) => g.other);
      expect(json(answer).data).toEqual({ lead: null, application: null });
    });

    it.each<[string, Role]>([
      ['a viewer may not create a lead', 'viewer'],
      ['an operator may not list API keys', 'operator'],
    ])('%s: FORBIDDEN', async (_name, role) => {
      const query = role === 'viewer' ? text(CreateLeadDocument) : '{ statusHead apiKeys { id } }';
      const answer = await same(query, { input: { advertiserRef: 'ADV-forbidden' } }, (g) => g.as(role));
      expect(json(answer).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });

    it('a mutation whose input the gateway refuses: BAD_USER_INPUT naming the field, nothing written', async () => {
      const answer = await same(text(ReportLeadEventDocument), { input: { leadId: randomUUID(), event: 'REGISTRATION' } });
      expect(json(answer).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.leadId' });
    });
  });

  describe("the example app's mutations (run by the compiled gateway, answered again by the plain one)", () => {
    /** Runs the mutation on the compiled gateway, then the same request (same idempotency key) on both. */
    async function mutateThenReplay(document: DocumentNode, input: Record<string, unknown>): Promise<Record<string, any>> {
      const variables = { input: { ...input, idempotencyKey: `compiled-${randomUUID()}` } };
      const first = await post(compiled.api, text(document), variables);
      expect(first.status).toBe(200);
      const replay = await same(text(document), variables);
      // The replay answers the first dispatch: the very answer the compiled gateway gave first.
      expect(replay).toEqual(first);
      return json(first).data!;
    }

    it('ReportLeadEvent', async () => {
      const { leadId } = await seedLead(compiled.db, { techeaLeadId: sandboxes.techea.behavior.addLead() });
      const data = await mutateThenReplay(ReportLeadEventDocument, { leadId, event: 'REGISTRATION' });
      expect(data.reportLeadEvent).toMatchObject({ outcome: 'RECEIVED', dispatch: { state: 'SUCCEEDED', lastError: null } });
    });

    it('UpdateApplication', async () => {
      const id = sandboxes.leadBank.behavior.addApplication();
      await seedLead(compiled.db, { application: { status: null, id } });
      const data = await mutateThenReplay(UpdateApplicationDocument, { applicationId: id, status: 'APPROVED', metadata: { channel: 'web' } });
      expect(data.updateApplication).toMatchObject({ application: { id, status: 'APPROVED' }, dispatch: { state: 'SUCCEEDED' } });
    });

    it('UpdateVerificationStatus', async () => {
      const authUuid = sandboxes.tecalis.behavior.addProcess();
      await seedLead(compiled.db, { verification: { status: VerificationStatus.PENDING, authUuid } });
      const data = await mutateThenReplay(UpdateVerificationStatusDocument, { authUuid, state: 'OK', reasons: 'match' });
      expect(data.updateVerificationStatus).toMatchObject({ verification: { status: 'OK', statusReasons: 'match' }, dispatch: { state: 'SUCCEEDED' } });
    });

    it('UpsertLoan', async () => {
      const customerId = sandboxes.decisionCloud.behavior.addCustomer(`customer_${randomUUID()}`);
      const loan = { customerId, loanId: `loan_${randomUUID()}`, decisionCloudLeadId: 7, appliedAt: '2026-11-01T08:00:00.000Z', loanAmountCents: 50_000 };
      const data = await mutateThenReplay(UpsertLoanDocument, loan);
      expect(data.upsertLoan).toMatchObject({ loan: { loanStatus: null }, dispatch: { state: 'SUCCEEDED' } });
    });

    it('a provider refusal, returned as data (dispatch.lastError)', async () => {
      const { leadId } = await seedLead(compiled.db, { techeaLeadId: sandboxes.techea.behavior.addLead() });
      sandboxes.techea.server.setFaults({ forceStatus: 422, forceCount: 1 });
      const data = await mutateThenReplay(ReportLeadEventDocument, { leadId, event: 'REGISTRATION' });
      expect(data.reportLeadEvent).toMatchObject({
        outcome: null,
        dispatch: { state: 'FAILED', attempts: 1, lastError: { code: 'REJECTED', httpStatus: 422, message: 'Request failed with status 422' } },
      });
    });

    it('CreateLead (no idempotency key: each gateway creates its own lead, equal but for its generated values)', async () => {
      const query = text(CreateLeadDocument);
      const variables = { input: { advertiserRef: 'ADV-compiled' } };
      const [fromCompiled, fromPlain] = [await post(compiled.api, query, variables), await post(plain.api, query, variables)];
      const generated = (answer: RawAnswer) => {
        const lead = json(answer).data?.createLead as { id: string; techeaLeadId: string; updatedAt: string };
        return answer.body.replace(lead.id, '<id>').replace(lead.techeaLeadId, '<techeaLeadId>').replace(lead.updatedAt, '<updatedAt>');
      };
      expect(fromCompiled.status).toBe(200);
      expect({ ...fromCompiled, body: generated(fromCompiled) }).toEqual({ ...fromPlain, body: generated(fromPlain) });
    });
  });
});
