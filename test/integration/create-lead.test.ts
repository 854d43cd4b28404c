import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { RecordWriter } from '../../src/services/record-writer.js';
import { applicationRecord, loanRecord, seedLead, verificationRecord } from '../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';

const CREATE = `mutation ($input: CreateLeadInput!) {
  createLead(input: $input) {
    id techeaLeadId advertiserRef stage
    application { id status } verification { authUuid status } loans { loanId loanStatus }
  }
}`;

describe('createLead', () => {
  let gateway: TestGateway;
  const countLeads = async () => Number((await gateway.db.query<Array<{ n: string }>>('SELECT count(*) AS n FROM lead'))[0]!.n);

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('records a bare lead at stage NEW', async () => {
    const techeaLeadId = randomUUID();
    const data = await queryData<{ createLead: Record<string, unknown> }>(gateway.api, CREATE, {
      input: { techeaLeadId, advertiserRef: 'ADV-98765' },
    });
    expect(data.createLead).toMatchObject({
      techeaLeadId,
      advertiserRef: 'ADV-98765',
      stage: 'NEW',
      application: null,
      verification: null,
      loans: [],
    });
  });

  it('links existing records and derives the stage from them', async () => {
    const application = applicationRecord({ status: ApplicationStatus.APPROVED });
    const verification = verificationRecord({ status: VerificationStatus.OK });
    const customerId = `customer_${randomUUID()}`;
    const loan = loanRecord({ customerId, loanStatus: LoanStatus.ORIGINATED });
    await gateway.db.transaction(async (manager) => {
      const writer = new RecordWriter(manager, DEFAULT_TENANT);
      await writer.applyApplication(application);
      await writer.applyVerification(verification);
      await writer.applyLoan(loan);
    });

    const data = await queryData<{ createLead: any }>(gateway.api, CREATE, {
      input: { applicationId: application.id, verificationAuthUuid: verification.authUuid, decisionCloudCustomerId: customerId },
    });
    expect(data.createLead).toMatchObject({
      stage: 'LOAN_ISSUED',
      application: { id: application.id, status: 'APPROVED' },
      verification: { authUuid: verification.authUuid, status: 'OK' },
      loans: [{ loanId: loan.loanId, loanStatus: 'ORIGINATED' }],
    });

    // A loan reported later for the same customer joins the same lead.
    const later = loanRecord({ customerId, loanStatus: LoanStatus.PAID_IN_FULL, appliedAt: new Date('2030-01-01T00:00:00Z') });
    await gateway.db.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyLoan(later));
    const reread = await queryData<{ lead: any }>(gateway.api, `query ($id: ID!) { lead(id: $id) { stage loans { loanId } } }`, {
      id: data.createLead.id,
    });
    expect(reread.lead).toEqual({ stage: 'LOAN_PAID', loans: [{ loanId: later.loanId }, { loanId: loan.loanId }] });
  });

  it.each([
    [{ techeaLeadId: 'not-a-uuid' }, 'input.techeaLeadId', 'input.techeaLeadId: expected a UUID, but got "not-a-uuid"'],
    [{ applicationId: 'app_1' }, 'input.applicationId', 'input.applicationId: expected an id matching ^application_\\w+$, but got "app_1"'],
    [{ verificationAuthUuid: '123' }, 'input.verificationAuthUuid', 'input.verificationAuthUuid: expected a UUID, but got "123"'],
    [{ decisionCloudCustomerId: '' }, 'input.decisionCloudCustomerId', 'input.decisionCloudCustomerId: expected an id of 1 to 255 of A-Z, a-z, 0-9, ".", "_", "~" and "-", not only dots, but got ""'],
    [{ decisionCloudCustomerId: '..' }, 'input.decisionCloudCustomerId', 'input.decisionCloudCustomerId: expected an id of 1 to 255 of A-Z, a-z, 0-9, ".", "_", "~" and "-", not only dots, but got ".."'],
    [{ advertiserRef: 'x'.repeat(256) }, 'input.advertiserRef', 'input.advertiserRef: expected at most 255 characters, but got 256'],
  ])('refuses %o with BAD_USER_INPUT naming %s, writing nothing', async (input, field, message) => {
    const before = await countLeads();
    const response = await postGraphQL(gateway.api, CREATE, { input });
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({ message, extensions: { code: 'BAD_USER_INPUT', field } }),
    ]);
    expect(await countLeads()).toBe(before);
  });

  it('adopts a Lead Bank application and a Tecalis process it has never seen, linked to the new lead, confirming nothing', async () => {
    const applicationId = `application_${randomUUID().replaceAll('-', '')}`;
    const authUuid = randomUUID();
    const data = await queryData<{ createLead: any }>(
      gateway.api,
      `mutation ($input: CreateLeadInput!) { createLead(input: $input) {
        id stage application { id status syncedAt lead { id } } verification { authUuid status syncedAt operations { type } }
      } }`,
      { input: { applicationId, verificationAuthUuid: authUuid } },
    );
    expect(data.createLead).toEqual({
      id: expect.any(String),
      // Nothing a provider confirmed yet: the stage does not move.
      stage: 'NEW',
      application: { id: applicationId, status: null, syncedAt: null, lead: { id: data.createLead.id } },
      verification: { authUuid, status: 'PENDING', syncedAt: null, operations: [] },
    });
  });

  it('refuses, naming the field, an id at a provider the tenant has no account at (no connection of its own), and writes nothing', async () => {
    const lenderC = { url: gateway.url, token: (await gateway.createKey('lender-c', 'admin')).key };
    for (const [input, field, provider] of [
      [{ applicationId: 'application_c1' }, 'input.applicationId', 'LEAD_BANK'],
      [{ verificationAuthUuid: randomUUID() }, 'input.verificationAuthUuid', 'TECALIS'],
      [{ techeaLeadId: randomUUID() }, 'input.techeaLeadId', 'TECHEA'],
      [{ decisionCloudCustomerId: 'CUST-C1' }, 'input.decisionCloudCustomerId', 'DECISION_CLOUD'],
    ] as const) {
      const response = await postGraphQL(lenderC, CREATE, { input });
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: `${field}: this tenant has no connection to ${provider}; an administrator adds one with "leadgraph connections set"`,
          extensions: { code: 'PROVIDER_NOT_CONNECTED', field },
        }),
      ]);
    }
    const written = await gateway.db.query<Array<{ n: number }>>(
      `SELECT (SELECT count(*) FROM lead WHERE tenant_id = 'lender-c') + (SELECT count(*) FROM application WHERE tenant_id = 'lender-c')
            + (SELECT count(*) FROM verification WHERE tenant_id = 'lender-c') AS n`,
    );
    expect(Number(written[0]!.n)).toBe(0);
  });

  it('refuses a TECHEA id that already has a lead', async () => {
    const existing = await seedLead(gateway.db);
    const response = await postGraphQL(gateway.api, CREATE, { input: { techeaLeadId: existing.techeaLeadId } });
    expect(response.errors?.[0]).toMatchObject({
      message: `input.techeaLeadId: a lead with TECHEA lead id ${existing.techeaLeadId} already exists`,
      extensions: { code: 'BAD_USER_INPUT', field: 'input.techeaLeadId' },
    });
  });

  it('refuses a record already linked to another lead, and rolls the whole lead back', async () => {
    const taken = await seedLead(gateway.db, { verification: { status: VerificationStatus.OK } });
    const free = applicationRecord();
    await gateway.db.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyApplication(free));
    const before = await countLeads();

    const response = await postGraphQL(gateway.api, CREATE, {
      input: { applicationId: free.id, verificationAuthUuid: taken.authUuid },
    });
    expect(response.errors?.[0]).toMatchObject({
      message: `input.verificationAuthUuid: Tecalis process ${taken.authUuid} is already linked to another lead`,
      extensions: { code: 'BAD_USER_INPUT', field: 'input.verificationAuthUuid' },
    });
    expect(await countLeads()).toBe(before);
    // The application linked earlier in the same transaction is free again.
    const [row] = await gateway.db.query<Array<{ lead_id: string | null }>>('SELECT lead_id FROM application WHERE id = $1', [free.id]);
    expect(row!.lead_id).toBeNull();
  });

  it('lets exactly one of two concurrent callers link the same application', async () => {
    const contested = applicationRecord();
    await gateway.db.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyApplication(contested));
    const results = await Promise.all(
      Array.from({ length: 2 }, () => postGraphQL(gateway.api, CREATE, { input: { applicationId: contested.id } })),
    );
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT')).toHaveLength(1);
  });
});
