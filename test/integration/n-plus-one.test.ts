import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { type TecheaSandbox } from '../../src/providers/techea/sandbox.js';
import { seedLead } from '../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';
import { SqlCounter } from '../support/sql-counter.js';

const PAGE_QUERY = `query ($first: Int) {
  leads(first: $first) { edges { node {
    application { id }
    verification { authUuid operations { state } }
    loans { loanId }
    history { id }
  } } }
}`;

describe('nested fields are batched per request (no N+1)', () => {
  const sql = new SqlCounter();
  let gateway: TestGateway;

  beforeAll(async () => {
    // The outbox dispatcher polls on the same pool; an hour between polls keeps its
    // statements out of the counts (its first poll runs at start, before the seeding).
    // The clock of remembered key checks stands still: the key, checked once, stays
    // remembered for the whole file, so every count is the request's own reads.
    gateway = await startTestGateway({ sqlLogger: sql, apiKeyClock: () => 0, env: { DISPATCH_POLL_MS: '3600000' } });
    await queryData(gateway.api, '{ leads(first: 1) { totalCount } }');
    for (let i = 0; i < 50; i++) {
      await seedLead(gateway.db, {
        lastEvent: LeadEvent.REGISTRATION,
        application: { status: ApplicationStatus.APPROVED },
        verification: { status: VerificationStatus.OK },
        loans: [{ loanStatus: LoanStatus.ORIGINATED }, { loanStatus: LoanStatus.CURRENT }],
      });
    }
  }, 120_000);
  afterAll(() => gateway.stop());

  async function statementsFor(first: number): Promise<{ count: number; edges: number }> {
    sql.reset();
    const data = await queryData<{ leads: { edges: unknown[] } }>(gateway.api, PAGE_QUERY, { first });
    return { count: sql.statements.length, edges: data.leads.edges.length };
  }

  // No count includes the statement that checks the API key: a successful check is
  // remembered for WS_CREDENTIAL_CHECK_SECONDS (api-key-cache.test.ts counts that one).
  it('sends as many statements for 50 leads as for 5: the page with all its records', async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(five.edges).toBe(5);
    expect(fifty.edges).toBe(50);
    expect(fifty.count).toBe(five.count);
    expect(fifty.count).toBe(1);
  });

  it('reads one lead and every record it selects in one statement', async () => {
    const [{ id }] = await gateway.db.query<[{ id: string }]>(`SELECT id FROM lead LIMIT 1`);
    sql.reset();
    const data = await queryData<{ lead: { id: string; loans: unknown[] } }>(
      gateway.api,
      `query ($id: ID!) { lead(id: $id) { id application { id documents { type } } verification { authUuid operations { state } } loans { loanId } history { id } } }`,
      { id },
    );
    expect(data.lead.loans).toHaveLength(2);
    expect(sql.statements.length).toBe(1);
  });

  it('reads a history with its own `first` through its batched loader: one statement more', async () => {
    sql.reset();
    const data = await queryData<{ leads: { edges: Array<{ node: { history: unknown[] } }> } }>(
      gateway.api,
      `{ leads(first: 50) { edges { node { application { id } history(first: 3) { id } } } } }`,
    );
    expect(data.leads.edges.every((edge) => edge.node.history.length <= 3)).toBe(true);
    // The page with its records, and the histories of all 50 leads.
    expect(sql.statements.length).toBe(2);
  });

  it('batches the way back up too: record → lead', async () => {
    sql.reset();
    await queryData(
      gateway.api,
      `{ leads(first: 50) { edges { node { application { lead { id } } verification { lead { id } } loans { lead { id } } } } } }`,
    );
    // The page with the records of all 50 leads; their leads are the page's own.
    expect(sql.statements.length).toBe(1);
  });

  it("resolves a dispatching mutation's payload with one statement per nested field, like a query", async () => {
    const techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
    const lead = await seedLead(gateway.db, { techeaLeadId: techea.addLead(), verification: { status: VerificationStatus.OK } });
    const mutate = async (event: string, selection: string) => {
      sql.reset();
      await queryData(gateway.api, `mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { ${selection} } }`, {
        i: { leadId: lead.leadId, event },
      });
      return sql.statements.length;
    };
    const bare = await mutate('REGISTRATION', 'dispatch { id }');
    const nested = await mutate('LOAN_ISSUED', 'dispatch { id } lead { application { id } verification { operations { state } } loans { loanId } history { id } }');
    // application, verification, operations, loans, history: five loader batches, nothing per row.
    expect(nested - bare).toBeLessThanOrEqual(5);
  });

  it('links a page of status changes to their leads, records and dispatches with one statement per kind, however long the page', async () => {
    const LINKS = `query ($first: Int) { statusChanges(first: $first) {
      id lead { id stage } dispatch { id state }
      record { __typename ... on Lead { id } ... on Application { id applicationStatus: status } ... on Verification { id verificationStatus: status } ... on Loan { id loanStatus } }
    } }`;
    const countFor = async (first: number) => {
      sql.reset();
      const data = await queryData<{ statusChanges: Array<{ record: { __typename: string } | null }> }>(gateway.api, LINKS, { first });
      return { count: sql.statements.length, kinds: new Set(data.statusChanges.map((change) => change.record?.__typename)) };
    };
    const few = await countFor(10);
    const many = await countFor(300);
    expect(many.kinds).toEqual(new Set(['Lead', 'Application', 'Verification', 'Loan']));
    // The page, then one batch each: leads, applications, verifications, loans, dispatches.
    expect(many.count).toBeLessThanOrEqual(6);
    expect(few.count).toBeLessThanOrEqual(6);
  });

  it('links a dispatch to its lead and record in a mutation answer with one statement each', async () => {
    const techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
    const lead = await seedLead(gateway.db, { techeaLeadId: techea.addLead() });
    sql.reset();
    await queryData(gateway.api, `mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { dispatch { id } } }`, {
      i: { leadId: lead.leadId, event: 'REGISTRATION' },
    });
    const bare = sql.statements.length;
    sql.reset();
    await queryData(gateway.api, `mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { dispatch { id lead { id } record { ... on Lead { id } } } } }`, {
      i: { leadId: lead.leadId, event: 'LOAN_ISSUED' },
    });
    // The lead and the record (the same lead, a TECHEA dispatch): one batch.
    expect(sql.statements.length - bare).toBeLessThanOrEqual(1);
  });

  it('counts the total only when it is asked for', async () => {
    sql.reset();
    await queryData(gateway.api, `{ leads(first: 5) { edges { cursor } } }`);
    const without = sql.statements.length;
    sql.reset();
    await queryData(gateway.api, `{ leads(first: 5) { totalCount edges { cursor } } }`);
    expect(sql.statements.length).toBe(without + 1);
  });
});
