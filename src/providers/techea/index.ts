import { randomBytes } from 'node:crypto';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type ReportLeadEventCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { TecheaClient, type TecheaClientOptions } from './client.js';
import { TecheaSandbox, type TecheaSandboxOptions } from './sandbox.js';

export { TecheaSandbox, type TecheaClientOptions };

/** A TECHEA adapter for a live tenant or a sandbox. */
export function connectTechea(connection: TecheaClientOptions, options: AdapterOptions): ProviderAdapter<ReportLeadEventCommand> {
  const http = new ProviderHttpClient({
    provider: 'techea',
    timeoutMs: options.timeoutMs,
    secrets: [connection.apiKey],
    logger: options.logger,
  });
  return new TecheaClient(http, connection);
}

/** Starts a TECHEA sandbox with fresh credentials (overridable) and `seedLeads` leads. */
export function startTecheaSandbox(
  overrides: Partial<TecheaSandboxOptions> & { seedLeads?: number; port?: number; host?: string } = {},
): Promise<RunningSandbox<TecheaSandbox, TecheaClientOptions>> {
  const { seedLeads = 0, port = 0, host, ...options } = overrides;
  const behavior = new TecheaSandbox({
    advertiserKey: `adv_${randomBytes(16).toString('hex')}`,
    publisherKey: `pub_${randomBytes(16).toString('hex')}`,
    advertiserId: 'advertiser-1',
    pixelSecret: randomBytes(16).toString('hex'),
    ...options,
  });
  for (let i = 0; i < seedLeads; i++) behavior.addLead();
  return runSandbox(behavior, (baseUrl) => ({ baseUrl: new URL('/api/v1', baseUrl), apiKey: behavior.credentials.advertiserKey }), port, host);
}
