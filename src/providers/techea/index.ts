import { randomBytes } from 'node:crypto';
import { LeadEventOutcome, Provider } from '../../domain/vocabulary.js';
import { commandSpec, defineProvider, givenCredentials } from '../descriptor.js';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type ProviderResults, type ReportLeadEventCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { UUID_PATTERN } from '../sandbox/id-patterns.js';
import { TecheaClient, type TecheaClientOptions } from './client.js';
import { TecheaSandbox, type TecheaSandboxOptions } from './sandbox.js';
import { techeaMirror } from './sandbox-mirror.js';

export { TecheaSandbox, type TecheaClientOptions };
/**
 * For tools that speak TECHEA's wire directly (the benchmark's baseline and its dispatch
 * floor): an event as sent, and the outcome a status answered means.
 */
export { fromWireStatus as leadEventOutcomeOf, toWireEvent } from './mapping.js';

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
  overrides: Partial<TecheaSandboxOptions> & { seedLeads?: number; port?: number; host?: string | undefined } = {},
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

/** TECHEA, the affiliate lead network: the gateway reports lead status events to it. */
export const TECHEA = defineProvider({
  id: Provider.TECHEA,
  key: 'techea',
  title: 'TECHEA',
  clientName: 'techea',
  settings: {
    envPrefix: 'TECHEA',
    credentials: ['TECHEA_API_KEY'],
    read: (baseUrl, env) => ({ baseUrl, apiKey: env.secret('TECHEA_API_KEY') }),
    connection: (settings) => ({ baseUrl: settings.baseUrl, apiKey: settings.apiKey.reveal() }),
    env: (connection: TecheaClientOptions) => ({ TECHEA_BASE_URL: connection.baseUrl.href, TECHEA_API_KEY: connection.apiKey }),
  },
  connect: connectTechea,
  commands: {
    reportLeadEvent: commandSpec<ReportLeadEventCommand, ProviderResults['reportLeadEvent']>({
      recordOf: (command) => ({ entityId: command.techeaLeadId, customerId: null }),
      apply: async (records, result, leadId) => {
        if (leadId === null) return undefined;
        // IGNORED means TECHEA had the event already. If the gateway recorded it then, it is
        // not the lead's last event now (a later one may be): leave the lead alone. If the
        // gateway never recorded it (an earlier attempt got through, then the gateway died),
        // record it now.
        if (result.outcome === LeadEventOutcome.IGNORED && (await records.hasLeadEvent(leadId, result.event))) return undefined;
        // Answers the lead as written: the mutation answers with it.
        return records.applyLeadEvent(leadId, result.event, result.advertiserRef);
      },
    }),
  },
  sandbox: {
    records: {
      variable: 'SANDBOX_TECHEA_LEADS',
      key: 'techeaLeadIds',
      label: 'TECHEA leads',
      expected: 'UUIDs',
      pattern: UUID_PATTERN,
      lowerCase: true,
      samples: ['7ec4ea00-0000-4000-8000-000000000001', '7ec4ea00-0000-4000-8000-000000000002', '7ec4ea00-0000-4000-8000-000000000003'],
    },
    start: ({ ids, port, host, credentialsFrom }) =>
      startTecheaSandbox({ seedLeadIds: ids, port, host, ...givenCredentials(credentialsFrom, { advertiserKey: 'TECHEA_API_KEY' }) }),
    mirror: techeaMirror,
  },
});
