import { randomBytes } from 'node:crypto';
import { Provider } from '../../domain/vocabulary.js';
import { commandSpec, defineProvider, givenCredentials } from '../descriptor.js';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type ProviderResults, type UpsertLoanCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { DecisionCloudClient, type DecisionCloudClientOptions } from './client.js';
import { DecisionCloudSandbox, type DecisionCloudSandboxOptions } from './sandbox.js';
import { decisionCloudMirror } from './sandbox-mirror.js';

export { DecisionCloudClient, DecisionCloudSandbox, type DecisionCloudClientOptions };
export { loanAsSent } from './answer.js';

/** A Decision Cloud adapter for the live API or a sandbox. */
export function connectDecisionCloud(connection: DecisionCloudClientOptions, options: AdapterOptions): ProviderAdapter<UpsertLoanCommand> {
  return new DecisionCloudClient(decisionCloudHttp(connection, options), connection);
}

/** The HTTP client of a Decision Cloud adapter: the client secret is removed from every message. */
export function decisionCloudHttp(connection: DecisionCloudClientOptions, options: AdapterOptions): ProviderHttpClient {
  return new ProviderHttpClient({
    provider: 'decisioncloud',
    timeoutMs: options.timeoutMs,
    secrets: [connection.clientSecret],
    logger: options.logger,
  });
}

/**
 * Starts a Decision Cloud sandbox with fresh client credentials (overridable) and
 * `seedCustomers` customers, ids "1", "2", … as in the reference page's example.
 */
export function startDecisionCloudSandbox(
  overrides: Partial<DecisionCloudSandboxOptions> & { seedCustomers?: number; port?: number; host?: string | undefined } = {},
): Promise<RunningSandbox<DecisionCloudSandbox, DecisionCloudClientOptions>> {
  const { seedCustomers = 3, port = 0, host, ...options } = overrides;
  const behavior = new DecisionCloudSandbox({
    clientId: `dc_${randomBytes(8).toString('hex')}`,
    clientSecret: randomBytes(24).toString('hex'),
    ...options,
  });
  for (let i = 1; i <= seedCustomers; i++) behavior.addCustomer(String(i));
  return runSandbox(behavior, (baseUrl) => ({ baseUrl, ...behavior.credentials }), port, host);
}

/** Decision Cloud, loan management: the gateway creates and updates loans, keyed by customer. */
export const DECISION_CLOUD = defineProvider({
  id: Provider.DECISION_CLOUD,
  key: 'decisionCloud',
  title: 'Decision Cloud',
  clientName: 'decisioncloud',
  settings: {
    envPrefix: 'DECISIONCLOUD',
    credentials: ['DECISIONCLOUD_CLIENT_ID', 'DECISIONCLOUD_CLIENT_SECRET'],
    read: (baseUrl, env) => ({ baseUrl, clientId: env.required('DECISIONCLOUD_CLIENT_ID'), clientSecret: env.secret('DECISIONCLOUD_CLIENT_SECRET') }),
    connection: (settings) => ({ baseUrl: settings.baseUrl, clientId: settings.clientId, clientSecret: settings.clientSecret.reveal() }),
    env: (connection: DecisionCloudClientOptions) => ({
      DECISIONCLOUD_BASE_URL: connection.baseUrl.href,
      DECISIONCLOUD_CLIENT_ID: connection.clientId,
      DECISIONCLOUD_CLIENT_SECRET: connection.clientSecret,
    }),
  },
  connect: connectDecisionCloud,
  commands: {
    upsertLoan: commandSpec<UpsertLoanCommand, ProviderResults['upsertLoan']>({
      recordOf: (command) => ({ entityId: command.loanId, customerId: command.customerId }),
      apply: async (records, result, leadId) => void (await records.applyLoan(result.loan, leadId ?? undefined)),
    }),
  },
  sandbox: {
    records: {
      variable: 'SANDBOX_DECISIONCLOUD_CUSTOMERS',
      key: 'decisionCloudCustomerIds',
      label: 'Decision Cloud customers',
      expected: 'ids of 1 to 255 characters',
      pattern: /^[^\s,](?:[^,]{0,253}[^\s,])?$/,
      lowerCase: false,
      samples: ['sample-customer-1', 'sample-customer-2', 'sample-customer-3'],
    },
    start: ({ ids, port, host, credentialsFrom }) =>
      startDecisionCloudSandbox({
        seedCustomers: 0,
        seedCustomerIds: ids,
        port,
        host,
        ...givenCredentials(credentialsFrom, { clientId: 'DECISIONCLOUD_CLIENT_ID', clientSecret: 'DECISIONCLOUD_CLIENT_SECRET' }),
      }),
    mirror: decisionCloudMirror,
  },
});
