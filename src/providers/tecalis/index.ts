import { randomUUID } from 'node:crypto';
import { Provider } from '../../domain/vocabulary.js';
import { commandSpec, defineProvider, givenCredentials } from '../descriptor.js';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type ProviderResults, type UpdateVerificationStatusCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { UUID_PATTERN } from '../sandbox/id-patterns.js';
import { TecalisClient, type TecalisClientOptions } from './client.js';
import { TecalisSandbox, type TecalisProcessSeed, type TecalisSandboxOptions } from './sandbox.js';
import { tecalisMirror } from './sandbox-mirror.js';
import { TECALIS_TOKEN_FIELD, tecalisWebhooks } from './webhook.js';

export { TecalisSandbox, type TecalisClientOptions, type TecalisProcessSeed };
export { parseTecalisCallback, TECALIS_TOKEN_FIELD, type TecalisCallback, type TecalisWebhookSettings } from './webhook.js';

/** A Tecalis adapter for the live service or a sandbox. */
export function connectTecalis(connection: TecalisClientOptions, options: AdapterOptions): ProviderAdapter<UpdateVerificationStatusCommand> {
  const http = new ProviderHttpClient({
    provider: 'tecalis',
    timeoutMs: options.timeoutMs,
    // The key travels in the body, so a provider that echoes the body must not leak it.
    secrets: [connection.apiKey],
    logger: options.logger,
  });
  return new TecalisClient(http, connection);
}

/** Starts a Tecalis sandbox with fresh credentials (overridable) and `seedProcesses` pending processes. */
export function startTecalisSandbox(
  overrides: Partial<TecalisSandboxOptions> & { seedProcesses?: number; port?: number; host?: string | undefined } = {},
): Promise<RunningSandbox<TecalisSandbox, TecalisClientOptions>> {
  const { seedProcesses = 0, port = 0, host, ...options } = overrides;
  const behavior = new TecalisSandbox({
    // Tecalis's keys are UUIDs, as its reference page shows.
    apiKey: randomUUID(),
    profileUuid: randomUUID(),
    ...options,
  });
  for (let i = 0; i < seedProcesses; i++) behavior.addProcess();
  return runSandbox(behavior, (baseUrl) => ({ baseUrl, apiKey: behavior.credentials.apiKey }), port, host);
}

/** Tecalis, identity verification: the gateway sets processes' final states and takes their callbacks. */
export const TECALIS = defineProvider({
  id: Provider.TECALIS,
  key: 'tecalis',
  title: 'Tecalis',
  clientName: 'tecalis',
  settings: {
    envPrefix: 'TECALIS',
    credentials: ['TECALIS_API_KEY'],
    read: (baseUrl, env) => ({ baseUrl, apiKey: env.secret('TECALIS_API_KEY') }),
    connection: (settings) => ({ baseUrl: settings.baseUrl, apiKey: settings.apiKey.reveal() }),
    env: (connection: TecalisClientOptions) => ({ TECALIS_BASE_URL: connection.baseUrl.href, TECALIS_API_KEY: connection.apiKey }),
  },
  connect: connectTecalis,
  commands: {
    updateVerificationStatus: commandSpec<UpdateVerificationStatusCommand, ProviderResults['updateVerificationStatus']>({
      recordOf: (command) => ({ entityId: command.authUuid, customerId: null }),
      apply: async (records, result, leadId) => void (await records.applyVerification(result.verification, leadId ?? undefined)),
    }),
  },
  sandbox: {
    records: {
      variable: 'SANDBOX_TECALIS_PROCESSES',
      key: 'tecalisAuthUuids',
      label: 'Tecalis processes',
      expected: 'UUIDs',
      pattern: UUID_PATTERN,
      lowerCase: true,
      samples: ['7eca1150-0000-4000-8000-000000000001', '7eca1150-0000-4000-8000-000000000002', '7eca1150-0000-4000-8000-000000000003'],
    },
    start: ({ ids, port, host, credentialsFrom }) =>
      startTecalisSandbox({ seedAuthUuids: ids, port, host, ...givenCredentials(credentialsFrom, { apiKey: 'TECALIS_API_KEY' }) }),
    mirror: tecalisMirror,
    hooks: (sandbox, webhook) => ({
      // With the second factor (TECALIS_WEBHOOK_TOKEN) in the process's metadata when one is configured.
      callbacksIssued: (issued) =>
        void sandbox.setCallbacks(
          issued.authUuid,
          { callback: issued.callback.href, callback_ko: issued.callbackKo.href },
          webhook.secondFactor === undefined ? undefined : { [TECALIS_TOKEN_FIELD]: webhook.secondFactor.reveal() },
        ),
    }),
  },
  webhooks: tecalisWebhooks,
});
