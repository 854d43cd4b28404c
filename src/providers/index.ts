import { type ProvidersConfig } from '../config.js';
import { Provider } from '../domain/vocabulary.js';
import { type Logger } from '../logger.js';
import { connectDecisionCloud, startDecisionCloudSandbox } from './decisioncloud/index.js';
import { connectLeadBank, mirrorApplication, startLeadBankSandbox } from './leadbank/index.js';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { type AdapterOptions, type ProviderAdapters } from './provider.js';
import { describeSandboxRecords } from './sandbox/sandbox-records.js';
import { type SandboxServer } from './sandbox/sandbox-server.js';
import { connectTecalis, mirrorProcess, startTecalisSandbox, TECALIS_TOKEN_FIELD } from './tecalis/index.js';
import { connectTechea, startTecheaSandbox } from './techea/index.js';

export { isRetryable, PROVIDER_ERROR_CODES, ProviderCallError, type ProviderErrorCode } from './provider-error.js';
export type * from './provider.js';
export type { InputProblem } from './input-problem.js';
export { checkApplicationUpdate, checkLeadBankSignature, documentKindOf, LEADBANK_SIGNATURE_HEADER, parseLeadBankWebhook } from './leadbank/index.js';
export { parseTecalisCallback } from './tecalis/index.js';
export { loanAsSent } from './decisioncloud/index.js';

/** Adds records to the in-process sandboxes (no-ops for live providers). */
export interface SandboxMirror {
  /** Whether any provider is a built-in sandbox. */
  readonly any: boolean;
  techeaLead(techeaLeadId: string): void;
  application(record: ApplicationRecord): void;
  verification(record: VerificationRecord): void;
  decisionCloudCustomer(customerId: string): void;
}

/** A process's callback URLs, as `POST /api/auth` takes them in `replacements`. */
export interface TecalisCallbackUrls {
  readonly callback: URL;
  readonly callbackKo: URL;
}

/** How one provider is reached in this process. */
export interface ProviderEndpoint {
  readonly provider: Provider;
  readonly mode: 'live' | 'sandbox';
  /** Where it is (no credentials in it). */
  readonly url: string;
}

/** The four adapters, and the sandboxes started for providers that are not configured. */
export interface ProviderRuntime {
  readonly adapters: ProviderAdapters;
  readonly endpoints: readonly ProviderEndpoint[];
  /** The in-process sandboxes, by provider (for fault injection in tests and benchmarks). */
  readonly sandboxes: Partial<Record<Provider, SandboxServer>>;
  /**
   * Makes the built-in sandboxes hold the records the gateway holds (a sandbox starts
   * empty, the database does not). Each call does nothing for a provider that is live.
   */
  readonly sandboxMirror: SandboxMirror;
  /**
   * Gives the built-in Tecalis sandbox's process its callback URLs, as whoever creates
   * a process gives them to Tecalis, with `secondFactor` (TECALIS_WEBHOOK_TOKEN) in its
   * metadata when one is configured. Nothing for a live Tecalis.
   */
  tecalisCallbacks(authUuid: string, urls: TecalisCallbackUrls, secondFactor: string | undefined): void;
  /**
   * Points the built-in Lead Bank sandbox's webhooks at the gateway, signed with its
   * secret. (Tecalis's sandbox calls back only the URLs issued per process: see
   * {@link ProviderRuntime.tecalisCallbacks}.)
   */
  connectWebhooks(gatewayBaseUrl: URL, secrets: { leadBank: string | undefined }): void;
  stop(): Promise<void>;
}

/**
 * Connects every provider: live where its base URL is configured, otherwise to a
 * built-in sandbox started here on a free local port. The log says which, per provider.
 */
export async function startProviders(config: ProvidersConfig, logger: Logger): Promise<ProviderRuntime> {
  const options: AdapterOptions = { timeoutMs: config.timeoutMs, logger };
  const endpoints: ProviderEndpoint[] = [];
  const sandboxes: Partial<Record<Provider, SandboxServer>> = {};
  const stops: Array<() => Promise<void>> = [];
  const mirror: { -readonly [K in keyof SandboxMirror]: SandboxMirror[K] } = {
    any: false,
    techeaLead: () => undefined,
    application: () => undefined,
    verification: () => undefined,
    decisionCloudCustomer: () => undefined,
  };
  let tecalisCallbacks: ProviderRuntime['tecalisCallbacks'] = () => undefined;
  const webhookHooks: Array<(base: URL, secrets: { leadBank: string | undefined }) => void> = [];

  const use = async <C, A>(
    provider: Provider,
    variable: string,
    live: { baseUrl: URL; connection: C } | undefined,
    sandbox: () => Promise<{ connection: C; baseUrl: URL; server: SandboxServer; stop(): Promise<void> }>,
    connect: (connection: C, options: AdapterOptions) => A,
  ): Promise<A> => {
    if (live !== undefined) {
      const url = withoutCredentials(live.baseUrl);
      endpoints.push({ provider, mode: 'live', url });
      logger.info({ provider, mode: 'live', url }, `${provider}: live at ${url}`);
      return connect(live.connection, options);
    }
    const running = await sandbox();
    stops.push(() => running.stop());
    sandboxes[provider] = running.server;
    const url = running.baseUrl.href;
    endpoints.push({ provider, mode: 'sandbox', url });
    logger.info({ provider, mode: 'sandbox', url }, `${provider}: built-in sandbox at ${url} (${variable} is not set)`);
    return connect(running.connection, options);
  };

  try {
    const adapters: ProviderAdapters = {
      techea: await use(
        Provider.TECHEA,
        'TECHEA_BASE_URL',
        config.techea && { baseUrl: config.techea.baseUrl, connection: { baseUrl: config.techea.baseUrl, apiKey: config.techea.apiKey.reveal() } },
        async () => {
          const sandbox = await startTecheaSandbox({ seedLeadIds: config.sandboxRecords.techeaLeadIds });
          mirror.any = true;
          mirror.techeaLead = (id) => void sandbox.behavior.addLead(id);
          return sandbox;
        },
        connectTechea,
      ),
      leadBank: await use(
        Provider.LEAD_BANK,
        'LEADBANK_BASE_URL',
        config.leadBank && {
          baseUrl: config.leadBank.baseUrl,
          connection: {
            baseUrl: config.leadBank.baseUrl,
            clientId: config.leadBank.clientId,
            clientSecret: config.leadBank.clientSecret.reveal(),
            ...(config.leadBank.scope !== undefined && { scope: config.leadBank.scope }),
          },
        },
        async () => {
          const sandbox = await startLeadBankSandbox({ seedApplications: 0 });
          for (const id of config.sandboxRecords.leadBankApplicationIds) sandbox.behavior.addApplication({ id });
          mirror.any = true;
          mirror.application = (record) => mirrorApplication(sandbox.behavior, record);
          webhookHooks.push((base, secrets) => {
            if (secrets.leadBank !== undefined) sandbox.behavior.setWebhook(new URL('/webhooks/leadbank', base), secrets.leadBank);
          });
          return sandbox;
        },
        connectLeadBank,
      ),
      tecalis: await use(
        Provider.TECALIS,
        'TECALIS_BASE_URL',
        config.tecalis && { baseUrl: config.tecalis.baseUrl, connection: { baseUrl: config.tecalis.baseUrl, apiKey: config.tecalis.apiKey.reveal() } },
        async () => {
          const sandbox = await startTecalisSandbox({ seedAuthUuids: config.sandboxRecords.tecalisAuthUuids });
          mirror.any = true;
          mirror.verification = (record) => mirrorProcess(sandbox.behavior, record);
          tecalisCallbacks = (authUuid, urls, secondFactor) =>
            void sandbox.behavior.setCallbacks(
              authUuid,
              { callback: urls.callback.href, callback_ko: urls.callbackKo.href },
              secondFactor === undefined ? undefined : { [TECALIS_TOKEN_FIELD]: secondFactor },
            );
          return sandbox;
        },
        connectTecalis,
      ),
      decisionCloud: await use(
        Provider.DECISION_CLOUD,
        'DECISIONCLOUD_BASE_URL',
        config.decisionCloud && {
          baseUrl: config.decisionCloud.baseUrl,
          connection: {
            baseUrl: config.decisionCloud.baseUrl,
            clientId: config.decisionCloud.clientId,
            clientSecret: config.decisionCloud.clientSecret.reveal(),
          },
        },
        async () => {
          const sandbox = await startDecisionCloudSandbox({ seedCustomers: 0, seedCustomerIds: config.sandboxRecords.decisionCloudCustomerIds });
          mirror.any = true;
          mirror.decisionCloudCustomer = (id) => void sandbox.behavior.addCustomer(id);
          return sandbox;
        },
        connectDecisionCloud,
      ),
    };
    const sandboxed = new Set(endpoints.filter((e) => e.mode === 'sandbox').map((e) => e.provider));
    const held = describeSandboxRecords(config.sandboxRecords).filter((_, i) => sandboxed.has(SANDBOX_RECORD_ORDER[i]!));
    if (held.length > 0) logger.info({ records: held }, `sandbox records the gateway has never seen (first contact adopts them): ${held.join('; ')}`);
    return {
      adapters,
      endpoints,
      sandboxes,
      sandboxMirror: mirror,
      tecalisCallbacks,
      connectWebhooks: (base, secrets) => webhookHooks.forEach((hook) => hook(base, secrets)),
      stop: () => Promise.all(stops.map((stop) => stop())).then(() => undefined),
    };
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw error;
  }
}

/** The providers in the order {@link describeSandboxRecords} lists them. */
const SANDBOX_RECORD_ORDER = [Provider.TECHEA, Provider.LEAD_BANK, Provider.TECALIS, Provider.DECISION_CLOUD] as const;

function withoutCredentials(url: URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
