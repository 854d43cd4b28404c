/**
 * The records the built-in sandboxes hold before anyone calls them, besides what the
 * demo data set mirrors into them: the provider-side records that exist before the
 * gateway hears of them (the bank's onboarding made the application, Tecalis's widget
 * the process, a publisher the TECHEA lead), for trying first contact by hand.
 * `SANDBOX_*` variables replace them (see `config.ts`).
 */
export interface SandboxRecords {
  readonly techeaLeadIds: readonly string[];
  readonly leadBankApplicationIds: readonly string[];
  readonly tecalisAuthUuids: readonly string[];
  readonly decisionCloudCustomerIds: readonly string[];
}

/** Well-known ids, the same on every start, so the README can show them. */
export const SAMPLE_SANDBOX_RECORDS: SandboxRecords = {
  techeaLeadIds: ['7ec4ea00-0000-4000-8000-000000000001', '7ec4ea00-0000-4000-8000-000000000002', '7ec4ea00-0000-4000-8000-000000000003'],
  leadBankApplicationIds: ['application_sample1', 'application_sample2', 'application_sample3'],
  tecalisAuthUuids: ['7eca1150-0000-4000-8000-000000000001', '7eca1150-0000-4000-8000-000000000002', '7eca1150-0000-4000-8000-000000000003'],
  decisionCloudCustomerIds: ['sample-customer-1', 'sample-customer-2', 'sample-customer-3'],
};

/** One line per provider, for the start-up log and `leadgraph sandbox`. */
export function describeSandboxRecords(records: SandboxRecords): string[] {
  return [
    `TECHEA leads: ${records.techeaLeadIds.join(', ') || '(none)'}`,
    `Lead Bank applications: ${records.leadBankApplicationIds.join(', ') || '(none)'}`,
    `Tecalis processes: ${records.tecalisAuthUuids.join(', ') || '(none)'}`,
    `Decision Cloud customers: ${records.decisionCloudCustomerIds.join(', ') || '(none)'}`,
  ];
}
