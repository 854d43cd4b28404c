import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

  // Issue #22: a provider id is an id of one account, and each tenant has its own (the
  // environment's is A's, the default tenant; B connects its own). The same id in B's
  // account is B's record: B's first contact adopts it there, A's record is not touched,
  // and nothing B is told mentions A.
  it.each([
    ['input.applicationId', () => a.applicationId!, 'application { id synced: providerStatus }'],
    ['input.verificationAuthUuid', () => a.authUuid!, 'verification { authUuid status }'],
  ])("B linking the id of A's record through %s adopts B's own record, in B's account; A's stays as it was", async (field, aId) => {
    const key = field.split('.')[1]!;
    const readA = () => queryData<any>(gateway.api, `query ($id: ID!) { lead(id: $id) { application { id status } verification { authUuid status } } }`, { id: a.leadId });
    const before = await readA();
    const created = await queryData<any>(gateway.other, `mutation ($v: ID) { createLead(input: { ${key}: $v }) { id application { id } verification { authUuid } } }`, { v: aId() });
    expect(JSON.stringify(created)).toContain(aId());
    expect(await readA()).toEqual(before);
    const rows = await gateway.db.query<Array<{ tenant_id: string }>>(
      key === 'applicationId' ? `SELECT tenant_id FROM application WHERE id = $1 ORDER BY tenant_id` : `SELECT tenant_id FROM verification WHERE auth_uuid = $1 ORDER BY tenant_id`,
      [aId()],
    );
    expect(rows.map((r) => r.tenant_id)).toEqual(['default', OTHER_TENANT]);
  });

  it.each([
    ['TECHEA lead id', () => `createLead(input: { techeaLeadId: "${a.techeaLeadId}" }) { id }`],
    ['Decision Cloud customer', () => `createLead(input: { decisionCloudCustomerId: "${a.customerId}" }) { id }`],
  ])("B recording A's %s makes B's own lead; A's lead and loans are untouched", async (_what, mutation) => {
    const readA = () => queryData<any>(gateway.api, `query ($id: ID!) { lead(id: $id) { techeaLeadId loans { loanId loanAmountCents } } }`, { id: a.leadId });
    const before = await readA();
    const response = await postGraphQL<any>(gateway.other, `mutation { ${mutation()} }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.createLead.id).not.toBe(a.leadId);
    expect(await readA()).toEqual(before);
  });

  it("the squatting probe: B's claim on a customer id nobody recorded yet creates only B's lead; A then records and reports on its own customer of that id", async () => {
    const customerId = `CUST-${randomUUID().slice(0, 8)}`;
    // Two lenders, each with a customer of that id in its own Decision Cloud account.
    for (const account of [gateway.otherAccounts.DECISION_CLOUD!.behavior, gateway.providers.sandboxes.DECISION_CLOUD!.behavior]) {
      (account as unknown as { addCustomer(id: string): string }).addCustomer(customerId);
    }
    const loan = (leadId: string) =>
      `mutation { upsertLoan(input: { customerId: "${customerId}", loanId: "LN-1", leadId: "${leadId}", managementSystemId: 1, loanAmountCents: 100, appliedAt: "2026-10-01T10:00:00Z" }) { loan { loanId } dispatch { state lastError { message } } } }`;
    const bLead = (await queryData<any>(gateway.other, `mutation { createLead(input: { decisionCloudCustomerId: "${customerId}" }) { id } }`)).createLead.id;
    expect((await queryData<any>(gateway.other, loan(bLead))).upsertLoan.dispatch).toEqual({ state: 'SUCCEEDED', lastError: null });

    const aLead = await postGraphQL<any>(gateway.api, `mutation { createLead(input: { decisionCloudCustomerId: "${customerId}" }) { id } }`);
    expect(aLead.errors).toBeUndefined();
    const aLoan = await postGraphQL<any>(gateway.api, loan(aLead.data.createLead.id));
    expect(aLoan.errors).toBeUndefined();
    expect(aLoan.data.upsertLoan.dispatch).toEqual({ state: 'SUCCEEDED', lastError: null });
    // Each report went to its own tenant's Decision Cloud account.
    const reportedTo = (server: { requests: ReadonlyArray<{ path: string }> }) => server.requests.filter((r) => r.path.includes(`/customers/${customerId}/loans`)).length;
    expect(reportedTo(gateway.otherAccounts.DECISION_CLOUD!.server)).toBe(1);
    expect(reportedTo(gateway.providers.sandboxes.DECISION_CLOUD!)).toBe(1);
  });

  it('no refusal a tenant can get names another tenant', () => {
    // The messages of src/ that once told a tenant an id was taken elsewhere are gone.
    for (const text of ['belongs to another tenant', 'held elsewhere']) {
      expect(readSources()).not.toContain(text);
    }
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

/** Every TypeScript source of the gateway, concatenated. */
function readSources(): string {
  const root = path.join(import.meta.dirname, '../../src');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(root, file), 'utf8'))
    .join('\n');
}
