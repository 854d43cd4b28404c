import { randomBytes } from 'node:crypto';
import { Provider } from '../../domain/vocabulary.js';
import { commandSpec, defineProvider, givenCredentials } from '../descriptor.js';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type ProviderResults, type UpdateApplicationCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { LeadBankClient, type LeadBankClientOptions } from './client.js';
import { type ApplicationSeed, LeadBankSandbox, type LeadBankSandboxOptions } from './sandbox.js';
import { leadBankMirror } from './sandbox-mirror.js';
import { leadBankWebhooks } from './webhook.js';

export { LeadBankSandbox, type ApplicationSeed, type LeadBankClientOptions };
export { checkApplicationUpdate } from './validate.js';
/**
 * `toWirePatch`, `applicationStatusOf`, `toApplicationRecord`: for tools that speak Lead
 * Bank's wire directly (the benchmark's baseline and its dispatch floor).
 */
export { documentKindOf, fromWireStatus as applicationStatusOf, toApplicationRecord, toWirePatch } from './mapping.js';
export { checkLeadBankSignature, LEADBANK_SIGNATURE_HEADER, parseLeadBankWebhook, signLeadBankWebhook, type LeadBankWebhook, type LeadBankWebhookSettings } from './webhook.js';

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
  overrides: Partial<LeadBankSandboxOptions> & { seedApplications?: number; port?: number; host?: string | undefined } = {},
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

/** Lead Bank, credit applications: the gateway patches applications and takes its signed webhooks. */
export const LEAD_BANK = defineProvider({
  id: Provider.LEAD_BANK,
  key: 'leadBank',
  title: 'Lead Bank',
  clientName: 'leadbank',
  settings: {
    envPrefix: 'LEADBANK',
    credentials: ['LEADBANK_CLIENT_ID', 'LEADBANK_CLIENT_SECRET'],
    read: (baseUrl, env) => ({
      baseUrl,
      clientId: env.required('LEADBANK_CLIENT_ID'),
      clientSecret: env.secret('LEADBANK_CLIENT_SECRET'),
      scope: env.optional('LEADBANK_SCOPE'),
    }),
    connection: (settings): LeadBankClientOptions => ({
      baseUrl: settings.baseUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret.reveal(),
      ...(settings.scope !== undefined && { scope: settings.scope }),
    }),
    env: (connection) => ({
      LEADBANK_BASE_URL: connection.baseUrl.href,
      LEADBANK_CLIENT_ID: connection.clientId,
      LEADBANK_CLIENT_SECRET: connection.clientSecret,
    }),
  },
  connect: (connection, options) => connectLeadBank(connection, options),
  commands: {
    updateApplication: commandSpec<UpdateApplicationCommand, ProviderResults['updateApplication']>({
      recordOf: (command) => ({ entityId: command.applicationId, customerId: null }),
      // Answers the row the UPDATE returned: the mutation answers with it.
      apply: async (records, result, leadId) => (await records.applyApplication(result.application, leadId ?? undefined)).returned,
    }),
  },
  sandbox: {
    records: {
      variable: 'SANDBOX_LEADBANK_APPLICATIONS',
      key: 'leadBankApplicationIds',
      label: 'Lead Bank applications',
      expected: 'ids matching ^application_\\w+$',
      pattern: /^application_\w+$/,
      lowerCase: false,
      samples: ['application_sample1', 'application_sample2', 'application_sample3'],
    },
    start: async ({ ids, port, host, credentialsFrom }) => {
      const credentials = givenCredentials(credentialsFrom, { clientId: 'LEADBANK_CLIENT_ID', clientSecret: 'LEADBANK_CLIENT_SECRET' });
      const sandbox = await startLeadBankSandbox({ seedApplications: 0, port, host, ...credentials });
      for (const id of ids) sandbox.behavior.addApplication({ id });
      return sandbox;
    },
    mirror: leadBankMirror,
    hooks: (sandbox, webhook) => ({
      // Signed with the secret the gateway checks (made up for the sandbox when none is configured).
      connectWebhooks: (base) => {
        if (webhook.secret !== undefined) sandbox.setWebhook(new URL(`/webhooks/${leadBankWebhooks.path}`, base), webhook.secret.reveal());
      },
    }),
  },
  webhooks: leadBankWebhooks,
});
