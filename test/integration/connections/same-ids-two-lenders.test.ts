import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecisionCloudSandbox } from '../../../src/providers/decisioncloud/index.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { type TecalisSandbox } from '../../../src/providers/tecalis/index.js';
import { type TecheaSandbox } from '../../../src/providers/techea/index.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { queryData, type Target } from '../../support/graphql-client.js';

/** The variables of a provider's settings that are credentials (what a request log must not mix up). */
const CREDENTIAL = /KEY|SECRET|CLIENT_ID|TOKEN|PASSWORD|USER/;

/**
 * Issue #22, as two lenders on one gateway live it: the same upstream ids at every
 * provider, each lender's its own (another person, another application), used by both
 * without conflict, and each lender's calls reaching its own accounts only.
 */
describe('two lenders, the same ids at every provider', () => {
  let gateway: TestGateway;
  const ids = {
    techeaLeadId: randomUUID(),
    applicationId: `application_${randomUUID().slice(0, 8)}`,
    authUuid: randomUUID(),
    customerId: `CUST-${randomUUID().slice(0, 8)}`,
  };

  /** Each lender: who calls, and its account at each provider. */
  let lenders: Array<{ name: string; target: Target; accounts: Record<string, SandboxServer> }>;

  beforeAll(async () => {
    gateway = await startTestGateway();
    lenders = [
      // The default tenant's accounts are the environment's (the built-in sandboxes).
      { name: 'default', target: gateway.api, accounts: gateway.providers.sandboxes },
      { name: 'other', target: gateway.other, accounts: Object.fromEntries(Object.entries(gateway.otherAccounts).map(([id, running]) => [id, running.server])) },
    ];
    // Each account holds a record of every id: two lenders' records that share their ids.
    for (const { accounts } of lenders) {
      (accounts.TECHEA!.behavior as TecheaSandbox).addLead(ids.techeaLeadId);
      (accounts.LEAD_BANK!.behavior as LeadBankSandbox).addApplication({ id: ids.applicationId });
      (accounts.TECALIS!.behavior as TecalisSandbox).addProcess({ authUuid: ids.authUuid });
      (accounts.DECISION_CLOUD!.behavior as DecisionCloudSandbox).addCustomer(ids.customerId);
    }
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('both lenders link, then act on, their own records of the same ids; every call reaches the caller’s own account, with its credentials', async () => {
    for (const { target } of lenders) {
      const { createLead } = await queryData<any>(
        target,
        `mutation ($t: ID, $a: ID, $v: ID, $c: ID) { createLead(input: { techeaLeadId: $t, applicationId: $a, verificationAuthUuid: $v, decisionCloudCustomerId: $c }) { id } }`,
        { t: ids.techeaLeadId, a: ids.applicationId, v: ids.authUuid, c: ids.customerId },
      );
      const leadId = createLead.id as string;
      const states = await queryData<any>(
        target,
        `mutation ($lead: ID!, $a: ID!, $v: ID!, $c: ID!) {
          event: reportLeadEvent(input: { leadId: $lead, event: REGISTRATION }) { dispatch { state lastError { message } } }
          application: updateApplication(input: { applicationId: $a, productName: "Same id, own lender" }) { dispatch { state lastError { message } } }
          verification: updateVerificationStatus(input: { authUuid: $v, state: OK }) { dispatch { state lastError { message } } }
          loan: upsertLoan(input: { customerId: $c, loanId: "LN-1", leadId: $lead, managementSystemId: 1, loanAmountCents: 100, appliedAt: "2026-10-01T10:00:00Z" }) { dispatch { state lastError { message } } }
        }`,
        { lead: leadId, a: ids.applicationId, v: ids.authUuid, c: ids.customerId },
      );
      for (const field of ['event', 'application', 'verification', 'loan']) expect(states[field].dispatch, field).toEqual({ state: 'SUCCEEDED', lastError: null });
    }

    // One local record per lender for each id, never one shared.
    for (const [table, column, id] of [
      ['lead', 'techea_lead_id', ids.techeaLeadId],
      ['application', 'id', ids.applicationId],
      ['verification', 'auth_uuid', ids.authUuid],
      ['lead', 'decision_cloud_customer_id', ids.customerId],
    ] as const) {
      const rows = await gateway.db.query<Array<{ tenant_id: string }>>(`SELECT tenant_id FROM ${table} WHERE ${column} = $1 ORDER BY tenant_id`, [id]);
      expect(rows.map((row) => row.tenant_id), `${table}.${column}`).toEqual(['default', 'other-tenant']);
    }

    // Each account's request log: the calls for the shared id came, and none carried the other lender's credentials.
    const otherCredentials = (providerId: string) => {
      const provider = gateway.providers.registry.descriptorOf(providerId);
      const variables = provider.settings.env(gateway.otherAccounts[providerId]!.connection);
      return Object.entries(variables).filter(([name]) => CREDENTIAL.test(name)).map(([, value]) => value);
    };
    const logOf = (server: SandboxServer) => JSON.stringify(server.requests.map((r) => ({ path: r.path, headers: r.headers, body: r.rawBody })));
    for (const providerId of ['TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD']) {
      const credentials = otherCredentials(providerId);
      expect(credentials.length, providerId).toBeGreaterThan(0);
      const [environment, other] = [logOf(lenders[0]!.accounts[providerId]!), logOf(lenders[1]!.accounts[providerId]!)];
      const sharedId = { TECHEA: ids.techeaLeadId, LEAD_BANK: ids.applicationId, TECALIS: ids.authUuid, DECISION_CLOUD: ids.customerId }[providerId]!;
      expect(environment, providerId).toContain(sharedId);
      expect(other, providerId).toContain(sharedId);
      // The other lender's account saw its own credentials, the environment's never saw them.
      expect(credentials.some((value) => other.includes(value)), providerId).toBe(true);
      for (const value of credentials) expect(environment.includes(value), `${providerId}: another lender's credential`).toBe(false);
    }
  });
});
