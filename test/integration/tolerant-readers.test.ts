import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, Provider, VerificationStatus } from '../../src/domain/vocabulary.js';
import { type LeadBankSandbox } from '../../src/providers/leadbank/sandbox.js';
import { type DecisionCloudSandbox } from '../../src/providers/decisioncloud/sandbox.js';
import { type TecalisSandbox } from '../../src/providers/tecalis/sandbox.js';
import { type TecheaSandbox } from '../../src/providers/techea/sandbox.js';
import { seedLead } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';
import { scrape } from '../support/prometheus-scrape.js';

/**
 * A provider's 2xx is a success, whatever its body: through the whole gateway, with
 * each sandbox answering the way the provider's page (or its stack) may, the dispatch
 * ends SUCCEEDED after one call, the record holds what could be read, the rest is
 * noted with the dispatch and counted per provider and field.
 */
describe('tolerant readers, end to end', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterEach(() => {
    for (const sandbox of Object.values(gateway.providers.sandboxes)) sandbox.clearFaults();
  });
  afterAll(() => gateway.stop());

  const unreadCount = async (provider: string, field: string) =>
    (await scrape(gateway.url, gateway.metricsToken)).value('leadgraph_provider_answer_unread_total', { provider, field }) ?? 0;
  const storedNotes = async (dispatchId: string) =>
    (await gateway.db.query<Array<{ result: { result: { unread?: string[]; answer?: string } } }>>(`SELECT result FROM dispatch WHERE id = $1`, [dispatchId]))[0]!
      .result.result;

  it("TECHEA answering as its page's example does: SUCCEEDED once, the event and advertiser reference stored, the odd event noted and counted", async () => {
    const techea = gateway.providers.sandboxes[Provider.TECHEA]!;
    const techeaLeadId = (techea.behavior as TecheaSandbox).addLead();
    const { createLead } = await queryData<any>(gateway.api, `mutation ($t: ID) { createLead(input: { techeaLeadId: $t, advertiserRef: "ADV-OLD" }) { id } }`, { t: techeaLeadId });
    techea.setFaults({ answerVariant: 'reference-example' });
    const before = { calls: techea.stats.calls, unread: await unreadCount('TECHEA', 'event') };

    const { reportLeadEvent } = await queryData<any>(
      gateway.api,
      `mutation ($id: ID!) { reportLeadEvent(input: { leadId: $id, event: LOAN_ISSUED, advertiserRef: "ADV-NEW" }) {
        outcome providerStatus lead { lastEvent advertiserRef history(first: 3) { provider from to } } dispatch { id state attempts lastError { code } }
      } }`,
      { id: createLead.id },
    );
    expect(reportLeadEvent).toEqual({
      outcome: 'RECEIVED',
      providerStatus: 'received',
      lead: { lastEvent: 'LOAN_ISSUED', advertiserRef: 'ADV-NEW', history: [{ provider: 'TECHEA', from: null, to: 'LOAN_ISSUED' }] },
      dispatch: { id: expect.any(String), state: 'SUCCEEDED', attempts: 1, lastError: null },
    });
    expect(techea.stats.calls).toBe(before.calls + 1);
    expect(await unreadCount('TECHEA', 'event')).toBe(before.unread + 1);
    expect(await storedNotes(reportLeadEvent.dispatch.id)).toMatchObject({
      unread: ['event: "registration" where loan_issued was sent'],
      answer: expect.stringContaining('"event":"registration"'),
    });
  });

  it.each([
    ['no-content', 'data', { loanStatus: 'ORIGINATED', firstPaymentDate: '2026-12-01' }],
    ['message-only', 'data', { loanStatus: 'ORIGINATED', firstPaymentDate: '2026-12-01' }],
    ['laravel-timestamps', undefined, { loanStatus: 'ORIGINATED', firstPaymentDate: '2026-12-01', appliedAt: '2026-11-02T08:30:00.000Z' }],
    // Unknown to the gateway: the unified values keep what was sent, Decision Cloud's own words are shown beside them.
    ['unknown-enums', 'loan_status', { loanStatus: 'ORIGINATED', loanType: 'INSTALLMENT', providerLoanStatus: 'Charged Off', providerLoanType: 'Balloon' }],
  ])('Decision Cloud answering with %s: SUCCEEDED once, the loan stored as read, the rest noted and counted', async (variant, field, loan) => {
    const decisionCloud = gateway.providers.sandboxes[Provider.DECISION_CLOUD]!;
    const customerId = (decisionCloud.behavior as DecisionCloudSandbox).addCustomer();
    decisionCloud.setFaults({ answerVariant: variant });
    const loanCalls = () => decisionCloud.requests.filter((r) => r.path.endsWith('/loans')).length;
    const before = { loanCalls: loanCalls(), unread: field === undefined ? 0 : await unreadCount('DECISION_CLOUD', field) };

    const { upsertLoan } = await queryData<any>(
      gateway.api,
      `mutation ($input: UpsertLoanInput!) { upsertLoan(input: $input) {
        loan { loanStatus loanType providerLoanStatus providerLoanType firstPaymentDate appliedAt } dispatch { id state attempts lastError { code } }
      } }`,
      {
        input: {
          customerId, loanId: `loan-${randomUUID()}`, managementSystemId: 3, loanType: 'INSTALLMENT', loanStatus: 'ORIGINATED',
          loanAmountCents: 99_000, firstPaymentDate: '2026-12-01', appliedAt: '2026-11-02T08:30:00Z',
        },
      },
    );
    expect(upsertLoan.dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1, lastError: null });
    expect(upsertLoan.loan).toMatchObject(loan);
    // Exactly one loan call: nothing retried, nothing sent twice.
    expect(loanCalls()).toBe(before.loanCalls + 1);
    const notes = await storedNotes(upsertLoan.dispatch.id);
    if (field === undefined) {
      expect(notes.unread).toBeUndefined();
    } else {
      expect(notes.unread).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${field}: `))]));
      expect(await unreadCount('DECISION_CLOUD', field)).toBe(before.unread + 1);
    }
  });

  // What the reader made of the answer is checked in the dispatch's stored result: the
  // sandbox's callback (the whole process, as Tecalis sends it) may reach the gateway
  // right after the answer and rightly overwrite the local copy.
  it.each([
    ['sparse', { absent: ['nationality', 'company', 'profileAlias', 'cleaned', 'createdAt', 'operations'] }],
    [
      'unknown-values',
      {
        operations: expect.arrayContaining([
          expect.objectContaining({ type: 'UNKNOWN', providerType: 'SELFIE', state: 'UNKNOWN', providerState: 'IN_REVIEW', totalTimeSeconds: 2.75 }),
        ]),
      },
    ],
  ])('Tecalis answering with %s: SUCCEEDED after one call, read without a note', async (variant, expected) => {
    const tecalis = gateway.providers.sandboxes[Provider.TECALIS]!;
    const authUuid = (tecalis.behavior as TecalisSandbox).addProcess({ name: 'Ana García', operationStates: { DOCUMENTS: 'OK' } });
    await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING, authUuid } });
    tecalis.setFaults({ answerVariant: variant });
    const patches = () => tecalis.requests.filter((r) => r.method === 'PATCH').length;
    const before = patches();

    const { updateVerificationStatus } = await queryData<any>(
      gateway.api,
      `mutation ($id: ID!) { updateVerificationStatus(input: { authUuid: $id, state: OK }) {
        verification { status providerStatus company } dispatch { id state attempts lastError { code } }
      } }`,
      { id: authUuid },
    );
    expect(updateVerificationStatus.dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1, lastError: null });
    expect(updateVerificationStatus.verification).toEqual({ status: 'OK', providerStatus: 'OK', company: 'Tecalis' });
    expect(patches()).toBe(before + 1);
    const [{ result }] = await gateway.db.query(`SELECT result FROM dispatch WHERE id = $1`, [updateVerificationStatus.dispatch.id]);
    expect(result.result.verification).toMatchObject({ status: 'OK', ...expected });
    // Keys left out and unknown values are not problems: nothing to note.
    expect(result.result.unread).toBeUndefined();
  });

  it.each([
    // Lead Bank's word kept beside the last status the gateway knows.
    ['unknown-status', 'status', { status: 'APPROVED', productName: 'Patched' }, { providerStatus: 'in_review', absent: ['status'] }],
    ['no-body', 'body', { status: 'APPROVED', productName: 'Before' }, { absent: expect.arrayContaining(['status', 'providerStatus', 'productName']) }],
  ])('Lead Bank answering with %s: SUCCEEDED once; what could not be read keeps its stored value, noted and counted', async (variant, field, expected, read) => {
    const leadBank = gateway.providers.sandboxes[Provider.LEAD_BANK]!;
    const applicationId = (leadBank.behavior as LeadBankSandbox).addApplication({ status: 'approved', details: { product_name: 'Before' } });
    await seedLead(gateway.db, { application: { id: applicationId, status: ApplicationStatus.APPROVED, productName: 'Before' } });
    leadBank.setFaults({ answerVariant: variant });
    const patches = () => leadBank.requests.filter((r) => r.method === 'PATCH').length;
    const before = { patches: patches(), unread: await unreadCount('LEAD_BANK', field) };

    const { updateApplication } = await queryData<any>(
      gateway.api,
      `mutation ($id: ID!) { updateApplication(input: { applicationId: $id, productName: "Patched" }) {
        application { status productName } dispatch { id state attempts lastError { code } }
      } }`,
      { id: applicationId },
    );
    expect(updateApplication.dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1, lastError: null });
    // The answer reads the record once the dispatch is applied; Lead Bank's webhook (the whole
    // application, productName "Patched") may have been applied by then too, and rightly wins.
    expect(updateApplication.application).toEqual({ ...expected, productName: expect.toBeOneOf([expected.productName, 'Patched']) });
    expect(patches()).toBe(before.patches + 1);
    expect(await unreadCount('LEAD_BANK', field)).toBe(before.unread + 1);
    // What the reader made of the answer (Lead Bank's webhook, with the whole application,
    // may reach the gateway right after and rightly overwrite the local copy).
    const [{ result }] = await gateway.db.query(`SELECT result FROM dispatch WHERE id = $1`, [updateApplication.dispatch.id]);
    expect(result.result.application).toMatchObject(read);
  });
});
