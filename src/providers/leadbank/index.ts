import { randomBytes } from 'node:crypto';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type UpdateApplicationCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { LeadBankClient, type LeadBankClientOptions } from './client.js';
import { type ApplicationSeed, LeadBankSandbox, type LeadBankSandboxOptions } from './sandbox.js';

export { LeadBankSandbox, type ApplicationSeed, type LeadBankClientOptions };
export { checkApplicationUpdate } from './validate.js';
export { documentKindOf } from './mapping.js';
export { mirrorApplication } from './sandbox-mirror.js';
export { checkLeadBankSignature, LEADBANK_SIGNATURE_HEADER, parseLeadBankWebhook, signLeadBankWebhook, type LeadBankWebhook } from './webhook.js';

/**
 * A Lead Bank adapter for the live API or a sandbox. `now` is the clock the token
 * cache judges expiry by (tests share one with the sandbox).
 */
export function connectLeadBank(
  connection: LeadBankClientOptions,
  options: AdapterOptions,
  now: () => number = Date.now,
): ProviderAdapter<UpdateApplicationCommand> {
  const http = new ProviderHttpClient({
    provider: 'leadbank',
    timeoutMs: options.timeoutMs,
    secrets: [connection.clientSecret],
    logger: options.logger,
  });
  return new LeadBankClient(http, connection, { now });
}

/** Starts a Lead Bank sandbox with fresh credentials (overridable) and `seedApplications` applications (3 by default). */
export function startLeadBankSandbox(
  overrides: Partial<LeadBankSandboxOptions> & { seedApplications?: number; port?: number; host?: string } = {},
): Promise<RunningSandbox<LeadBankSandbox, LeadBankClientOptions>> {
  const { seedApplications = 3, port = 0, host, ...options } = overrides;
  const behavior = new LeadBankSandbox({
    clientId: `client_${randomBytes(8).toString('hex')}`,
    clientSecret: `secret_${randomBytes(24).toString('hex')}`,
    ...options,
  });
  for (let i = 0; i < seedApplications; i++) behavior.addApplication();
  return runSandbox(
    behavior,
    (baseUrl) => ({ baseUrl, clientId: behavior.credentials.clientId, clientSecret: behavior.credentials.clientSecret }),
    port,
    host,
  );
}
