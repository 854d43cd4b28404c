import { randomBytes } from 'node:crypto';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type UpsertLoanCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { DecisionCloudClient, type DecisionCloudClientOptions } from './client.js';
import { DecisionCloudSandbox, type DecisionCloudSandboxOptions } from './sandbox.js';

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
  overrides: Partial<DecisionCloudSandboxOptions> & { seedCustomers?: number; port?: number; host?: string } = {},
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
