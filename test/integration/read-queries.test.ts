import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicationStatus,
  LeadEvent,
  LeadStage,
  LoanStatus,
  VerificationStatus,
} from '../../src/domain/vocabulary.js';
import { seedLead, type SeededLead } from '../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';

const LEAD_FIELDS = `
  id techeaLeadId advertiserRef stage lastEvent createdAt updatedAt
  application {
    id status productName metadata createdAt updatedAt
    credit { isSecured isMla currency underwritingGrade limit maxLimit score scorePulledAt scoreSource }
    adverseActionNotice { deliveredAt reason deliveryMethod }
    decision { decidedAt reason exceptionApprovalReason }
    documents { documentId type displayedAt consentedAt version }
    lead { id }
  }
  verification {
    authUuid processUuid status statusReasons name documentNumber documentType nationality
    company profileAlias cleaned createdAt updatedAt
    operations { type operationId state totalTime }
    lead { id }
  }
  loans {
    customerId loanId decisionCloudLeadId managementSystemId applicationType loanType loanStatus
    loanAmountCents fundedAmountCents firstPaymentDate appliedAt esignedAt withdrawnAt originatedAt
    lead { id }
  }
  history { id leadId provider entityId from to occurredAt }
`;

describe('read queries against a real PostgreSQL', () => {
  let gateway: TestGateway;
  let full: SeededLead;

  beforeAll(async () => {
    gateway = await startTestGateway();
    full = await seedLead(gateway.db, {
      lastEvent: LeadEvent.LOAN_ISSUED,
      application: {
        status: ApplicationStatus.APPROVED,
        decision: { decidedAt: new Date('2026-10-03T12:00:00Z'), reason: 'good standing', exceptionApprovalReason: null },
      },
      verification: { status: VerificationStatus.OK, statusReasons: 'all checks passed' },
      loans: [{ loanStatus: LoanStatus.PAID_IN_FULL }, { loanStatus: LoanStatus.CURRENT }],
    });
  });
  afterAll(() => gateway.stop());

  it('answers lead(id) with every linked record joined', async () => {
    const data = await queryData<{ lead: Record<string, any> }>(
      gateway.api,
      `query ($id: ID!) { lead(id: $id) { ${LEAD_FIELDS} } }`,
      { id: full.leadId },
    );
    const lead = data.lead;
    expect(lead.id).toBe(full.leadId);
    expect(lead.techeaLeadId).toBe(full.techeaLeadId);
    // The latest loan is CURRENT, which outranks the TECHEA event LOAN_ISSUED only by source: same step.
    expect(lead.stage).toBe(LeadStage.LOAN_ISSUED);
    expect(lead.lastEvent).toBe('LOAN_ISSUED');
    expect(lead.application).toMatchObject({
      id: full.applicationId,
      status: 'APPROVED',
      credit: { limit: 5_000_000, score: 712, scorePulledAt: '2026-10-01T10:00:00.000Z', scoreSource: 'equifax' },
      adverseActionNotice: null,
      decision: { decidedAt: '2026-10-03T12:00:00.000Z', reason: 'good standing', exceptionApprovalReason: null },
      lead: { id: full.leadId },
    });
    expect(lead.application.documents.map((d: { type: string }) => d.type)).toEqual([
      'esign_agreement',
      'credit_pull_consent',
      'offer_summary',
    ]);
    expect(lead.verification).toMatchObject({ authUuid: full.authUuid, status: 'OK', statusReasons: 'all checks passed' });
    expect(lead.verification.operations.map((o: { type: string }) => o.type)).toEqual([
      'DOCUMENTS',
      'HOME',
      'OCR',
      'POL',
      'FINISH',
    ]);
    // Most recently applied first.
    expect(lead.loans.map((l: { loanId: string }) => l.loanId)).toEqual([...full.loanIds].reverse());
    expect(lead.loans[0]).toMatchObject({ loanStatus: 'CURRENT', loanAmountCents: 75_000, firstPaymentDate: '2026-12-01' });
    // Newest first, ids decreasing; every provider that moved appears.
    const ids = lead.history.map((c: { id: string }) => BigInt(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
    expect(new Set(lead.history.map((c: { provider: string }) => c.provider))).toEqual(
      new Set(['TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD']),
    );
  });

  it('limits history to the requested number of newest changes', async () => {
    const all = await queryData<{ lead: { history: Array<{ id: string }> } }>(
      gateway.api,
      `query ($id: ID!) { lead(id: $id) { history(first: 100) { id } } }`,
      { id: full.leadId },
    );
    const two = await queryData<{ lead: { history: Array<{ id: string }> } }>(
      gateway.api,
      `query ($id: ID!) { lead(id: $id) { history(first: 2) { id } } }`,
      { id: full.leadId },
    );
    expect(all.lead.history.length).toBeGreaterThan(2);
    expect(two.lead.history).toEqual(all.lead.history.slice(0, 2));
  });

  it('finds a lead by its TECHEA id', async () => {
    const data = await queryData<{ leadByTecheaId: { id: string } }>(
      gateway.api,
      `query ($t: ID!) { leadByTecheaId(techeaLeadId: $t) { id } }`,
      { t: full.techeaLeadId },
    );
    expect(data.leadByTecheaId.id).toBe(full.leadId);
  });

  it('answers each record query with the record and its lead', async () => {
    const data = await queryData<Record<string, any>>(
      gateway.api,
      `query ($app: ID!, $auth: ID!, $customer: ID!, $loan: ID!) {
        application(id: $app) { id status lead { id stage } }
        verification(authUuid: $auth) { authUuid status lead { id } }
        loan(customerId: $customer, loanId: $loan) { loanId loanStatus lead { id } }
      }`,
      { app: full.applicationId, auth: full.authUuid, customer: full.customerId, loan: full.loanIds[0] },
    );
    expect(data.application).toEqual({ id: full.applicationId, status: 'APPROVED', lead: { id: full.leadId, stage: 'LOAN_ISSUED' } });
    expect(data.verification).toEqual({ authUuid: full.authUuid, status: 'OK', lead: { id: full.leadId } });
    expect(data.loan).toEqual({ loanId: full.loanIds[0], loanStatus: 'PAID_IN_FULL', lead: { id: full.leadId } });
  });

  it('answers null, not an error, for ids that are well-formed but unknown', async () => {
    const response = await postGraphQL(
      gateway.api,
      `query ($uuid: ID!) {
        lead(id: $uuid) { id }
        leadByTecheaId(techeaLeadId: $uuid) { id }
        application(id: "application_unknown") { id }
        verification(authUuid: $uuid) { authUuid }
        loan(customerId: "nobody", loanId: "nothing") { loanId }
        dispatch(id: $uuid) { id }
      }`,
      { uuid: randomUUID() },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      lead: null,
      leadByTecheaId: null,
      application: null,
      verification: null,
      loan: null,
      dispatch: null,
    });
  });

  it('reads a dispatch from the outbox', async () => {
    const [row] = await gateway.db.query<Array<{ id: string }>>(
      `INSERT INTO dispatch (tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state, attempts, max_attempts, last_error)
       VALUES ('default', 'LEAD_BANK', 'updateApplication', $1, '{}', 'key-1', 'hash', 'FAILED', 3, 3,
               '{"code":"REJECTED","httpStatus":422,"message":"status: invalid"}')
       RETURNING id`,
      [full.leadId],
    );
    const data = await queryData<{ dispatch: Record<string, unknown> }>(
      gateway.api,
      `query ($id: ID!) { dispatch(id: $id) { id provider operation state attempts idempotencyKey lastError { code httpStatus message } createdAt updatedAt } }`,
      { id: row!.id },
    );
    expect(data.dispatch).toMatchObject({
      id: row!.id,
      provider: 'LEAD_BANK',
      operation: 'updateApplication',
      state: 'FAILED',
      attempts: 3,
      idempotencyKey: 'key-1',
      lastError: { code: 'REJECTED', httpStatus: 422, message: 'status: invalid' },
    });
  });

  it('lists status changes in id order after a given id, optionally for one lead', async () => {
    const other = await seedLead(gateway.db, { verification: { status: VerificationStatus.KO } });
    const all = await queryData<{ statusChanges: Array<{ id: string; leadId: string }> }>(
      gateway.api,
      `{ statusChanges(first: 1000) { id leadId } }`,
    );
    const ids = all.statusChanges.map((c) => BigInt(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));

    const pivot = all.statusChanges[1]!.id;
    const after = await queryData<{ statusChanges: Array<{ id: string }> }>(
      gateway.api,
      `query ($after: ID) { statusChanges(after: $after, first: 1000) { id } }`,
      { after: pivot },
    );
    expect(after.statusChanges).toEqual(all.statusChanges.slice(2).map(({ id }) => ({ id })));

    const forOther = await queryData<{ statusChanges: Array<{ leadId: string }> }>(
      gateway.api,
      `query ($lead: ID) { statusChanges(leadId: $lead) { leadId } }`,
      { lead: other.leadId },
    );
    expect(forOther.statusChanges.length).toBe(1);
    expect(forOther.statusChanges.every((c) => c.leadId === other.leadId)).toBe(true);
  });
});
