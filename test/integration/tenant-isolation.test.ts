import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { RecordWriter } from '../../src/services/record-writer.js';
import { applicationRecord, seedLead, type SeededLead } from '../support/fixtures.js';
import { OTHER_TENANT, type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';

describe('tenant isolation: tenant B against tenant A', () => {
  let gateway: TestGateway;
  let a: SeededLead;

  beforeAll(async () => {
    gateway = await startTestGateway();
    a = await seedLead(gateway.db, {
      lastEvent: LeadEvent.LOAN_ISSUED,
      application: { status: ApplicationStatus.APPROVED },
      verification: { status: VerificationStatus.OK },
      loans: [{ loanStatus: LoanStatus.CURRENT }],
    });
  });
  afterAll(() => gateway.stop());

  /** B's answer about A's id must be exactly B's answer about an id that exists nowhere. */
  async function expectIndistinguishable(query: string, aVariables: Record<string, unknown>, unknownVariables: Record<string, unknown>) {
    const aboutA = await postGraphQL(gateway.other, query, aVariables);
    const aboutNothing = await postGraphQL(gateway.other, query, unknownVariables);
    expect(aboutA.status).toBe(aboutNothing.status);
    expect({ data: aboutA.data, errors: aboutA.errors }).toEqual({ data: aboutNothing.data, errors: aboutNothing.errors });
    return aboutA;
  }

  it.each([
    ['lead', `query ($id: ID!) { lead(id: $id) { id } }`, () => ({ id: a.leadId }), () => ({ id: randomUUID() })],
    ['leadByTecheaId', `query ($id: ID!) { leadByTecheaId(techeaLeadId: $id) { id } }`, () => ({ id: a.techeaLeadId }), () => ({ id: randomUUID() })],
    ['application', `query ($id: ID!) { application(id: $id) { id } }`, () => ({ id: a.applicationId }), () => ({ id: 'application_nowhere' })],
    ['verification', `query ($id: ID!) { verification(authUuid: $id) { authUuid } }`, () => ({ id: a.authUuid }), () => ({ id: randomUUID() })],
    ['loan', `query ($c: ID!, $l: ID!) { loan(customerId: $c, loanId: $l) { loanId } }`, () => ({ c: a.customerId, l: a.loanIds[0] }), () => ({ c: 'nobody', l: 'nothing' })],
    ['statusChanges(leadId:)', `query ($id: ID) { statusChanges(leadId: $id) { id } }`, () => ({ id: a.leadId }), () => ({ id: randomUUID() })],
  ])('B cannot read A\'s %s, nor tell it exists', async (_name, query, aboutA, unknown) => {
    const response = await expectIndistinguishable(query, aboutA(), unknown());
    expect(response.errors).toBeUndefined();
  });

  it("B's lists hold nothing of A's", async () => {
    await seedLead(gateway.db, { verification: { status: VerificationStatus.KO } }, OTHER_TENANT);
    const data = await queryData<any>(gateway.other, `{ leads(first: 100) { totalCount edges { node { id } } } statusChanges(first: 1000) { leadId } }`);
    expect(data.leads.totalCount).toBe(1);
    expect(data.leads.edges.map((e: any) => e.node.id)).not.toContain(a.leadId);
    expect(data.statusChanges.length).toBeGreaterThan(0);
    expect(data.statusChanges.map((c: any) => c.leadId)).not.toContain(a.leadId);
  });

  // An id no tenant holds is adopted on first contact (see record-adoption.ts), so an id
  // another tenant holds cannot be refused as if it existed nowhere: like a TECHEA lead
  // id, it is refused as taken, and nothing else of A's is revealed or touched.
  it.each([
    ['input.applicationId', () => a.applicationId!, 'Lead Bank application'],
    ['input.verificationAuthUuid', () => a.authUuid!, 'Tecalis process'],
  ])("B cannot link A's record through %s: refused as another tenant's, with no lead created", async (field, aId, what) => {
    const key = field.split('.')[1]!;
    const mutation = `mutation ($v: ID) { createLead(input: { ${key}: $v }) { id } }`;
    const leadsOfB = async () => (await queryData<any>(gateway.other, `{ leads { totalCount } }`)).leads.totalCount;
    const before = await leadsOfB();
    const aboutA = await postGraphQL(gateway.other, mutation, { v: aId() });
    expect(aboutA.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(aboutA.errors?.[0]?.message).toBe(`${field}: ${what} ${aId()} belongs to another tenant`);
    expect(await leadsOfB()).toBe(before);
    // And A's record is still A's alone.
    const linked = await queryData<any>(gateway.api, `query ($id: ID!) { lead(id: $id) { application { id } verification { authUuid } } }`, { id: a.leadId });
    expect(linked.lead).toEqual({ application: { id: a.applicationId }, verification: { authUuid: a.authUuid } });
  });

  // The gateway has one account at each provider, shared by all tenants: a provider's ids are
  // one namespace. Acting on another tenant's TECHEA lead or Decision Cloud customer would
  // change its records upstream, so the first tenant to record such an id owns it. The refusal
  // is the one a tenant gets for its own duplicate; that it reveals the id is taken is the price.
  it.each([
    ['TECHEA lead id', () => `mutation { createLead(input: { techeaLeadId: "${a.techeaLeadId}" }) { id } }`, 'input.techeaLeadId'],
    ['Decision Cloud customer', () => `mutation { createLead(input: { decisionCloudCustomerId: "${a.customerId}" }) { id } }`, 'input.decisionCloudCustomerId'],
    [
      'Decision Cloud customer, on a loan',
      () => `mutation { upsertLoan(input: { customerId: "${a.customerId}", loanId: "${a.loanIds[0]}", managementSystemId: 1, loanAmountCents: 1, appliedAt: "2026-10-01T10:00:00Z" }) { loan { loanId } } }`,
      'input.customerId',
    ],
  ])("B cannot claim A's %s", async (_what, mutation, field) => {
    const response = await postGraphQL(gateway.other, mutation());
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    const mine = await queryData<any>(gateway.api, `query ($id: ID!) { lead(id: $id) { loans { loanId loanAmountCents } } }`, { id: a.leadId });
    expect(mine.lead.loans.map((l: any) => l.loanId)).toEqual(a.loanIds);
  });

  it("B cannot revoke A's key: the answer is the one for a key that does not exist, and the key keeps working", async () => {
    const aKey = await gateway.createKey('default', 'viewer');
    const aboutA = await queryData<any>(gateway.other, `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: aKey.id });
    const aboutNothing = await queryData<any>(gateway.other, `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: randomUUID() });
    expect(aboutA).toEqual(aboutNothing);
    const stillWorks = await postGraphQL({ url: gateway.url, token: aKey.key }, `{ leads { totalCount } }`);
    expect(stillWorks.status).toBe(200);
    const keys = await queryData<any>(gateway.other, `{ apiKeys { id } }`);
    expect(keys.apiKeys.map((k: any) => k.id)).not.toContain(aKey.id);
  });

  it('the database itself refuses a link across tenants', async () => {
    const bApplication = applicationRecord();
    await gateway.db.transaction((manager) => new RecordWriter(manager, OTHER_TENANT).applyApplication(bApplication));
    await expect(
      gateway.db.query(`UPDATE application SET lead_id = $1 WHERE tenant_id = $2 AND id = $3`, [a.leadId, OTHER_TENANT, bApplication.id]),
    ).rejects.toThrow(/application_lead_fkey/);
  });
});
