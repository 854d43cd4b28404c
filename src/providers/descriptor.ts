import { type Secret } from '../config-env.js';
import { type AdapterOptions, type AnswerNotes, type CallContext } from './provider.js';
import { type LocalRecords } from './local-records.js';
import { type ProviderId } from './provider-id.js';
import { type RecordMirror } from './sandbox/record-mirror.js';
import { type RunningSandbox } from './sandbox/running-sandbox.js';
import { type SandboxBehavior } from './sandbox/sandbox-server.js';
import { type WebhookSpec } from './webhook-port.js';

export type { ProviderId };

/** A call the outbox stores for a provider: plain JSON, tagged with the operation that owns it. */
export interface CommandLike {
  readonly operation: string;
}

/** The provider record a command changes, as the status-change log names it. */
export interface RecordIdentity {
  /** The provider-side id (TECHEA lead id, application id, auth uuid, loan id, …). */
  readonly entityId: string;
  /** A loan's customer: a loan id is unique per customer only. */
  readonly customerId: string | null;
}

/** A provider adapter as the dispatcher sees every one of them. */
export interface CommandAdapter {
  readonly provider: ProviderId;
  send(command: CommandLike, context: CallContext): Promise<AnswerNotes>;
}

/** What the gateway does with one kind of command of a provider. */
export interface CommandSpec<C extends CommandLike, R> {
  /** The record the command changes: attempts on one record go one at a time, and the change log names it. */
  recordOf(command: C): RecordIdentity;
  /**
   * Applies what the provider confirmed to the gateway's copy, in the transaction that
   * settles the dispatch SUCCEEDED. `leadId` is the lead the dispatch was made for, if any.
   * Answers the record's row as the write returned it, when it did (the mutation that
   * waits on the dispatch answers with it instead of reading it again: see
   * `appliedRecordOf` in `dispatch/apply-result.ts`); anything else (nothing) otherwise.
   */
  apply(records: LocalRecords, result: R, leadId: string | null): Promise<unknown>;
}

/** The variables a provider reads, beyond its base URL. */
export interface ProviderEnv {
  /** A variable that must be set (the provider is live). */
  required(name: string): string;
  optional(name: string): string | undefined;
  /** A required variable that is a secret: it never prints. */
  secret(name: string): Secret;
}

/**
 * A provider's configuration: `<envPrefix>_BASE_URL` set makes it live (its credentials
 * then required), unset means its built-in sandbox. Read once, at start, by `config.ts`.
 */
export interface ProviderSettingsSpec<Settings, Connection> {
  /** E.g. `LEADBANK`: the base URL is `LEADBANK_BASE_URL`. */
  readonly envPrefix: string;
  /** Variables that make no sense without the base URL: set alone, the start stops. */
  readonly credentials: readonly string[];
  /** The live settings, once the base URL is set (secrets wrapped). */
  read(baseUrl: URL, env: ProviderEnv): Settings;
  /** What its client needs to reach it, secrets revealed: the one place they are. */
  connection(settings: Settings): Connection;
  /** The environment that makes a gateway treat `connection` as this live provider (what `read` reads). */
  env(connection: Connection): Record<string, string>;
}

/**
 * The records a provider's built-in sandbox holds before anyone calls it (the
 * provider-side records that exist before the gateway hears of them), replaced by
 * the `variable` list when it is set.
 */
export interface SandboxRecordSpec {
  /** E.g. `SANDBOX_TECHEA_LEADS`: comma-separated ids (empty: none). */
  readonly variable: string;
  /** Its member of `SandboxRecords`, e.g. `techeaLeadIds`. */
  readonly key: string;
  /** For the start-up log and `leadgraph sandbox`, e.g. `TECHEA leads`. */
  readonly label: string;
  /** What an id must look like, for the error message, e.g. `UUIDs`. */
  readonly expected: string;
  readonly pattern: RegExp;
  /** UUIDs name one record in either case: stored lower-cased. */
  readonly lowerCase: boolean;
  /** Well-known ids, the same on every start, so the README can show them. */
  readonly samples: readonly string[];
}

/**
 * Calls the gateway makes on a built-in sandbox that calls it back (nothing for a live
 * provider). Made with the provider's webhook settings in force (see `WebhookSpec`).
 */
export interface SandboxHooks {
  /** Points the sandbox's webhooks at the gateway, once it listens. */
  connectWebhooks?(gatewayBaseUrl: URL): void;
  /** Hands a process's callback URLs to the sandbox, as whoever creates a process hands them to the provider. */
  callbacksIssued?(issued: IssuedCallbacks): void;
}

/** A process's callback URLs, as issued by the gateway. */
export interface IssuedCallbacks {
  readonly authUuid: string;
  readonly callback: URL;
  readonly callbackKo: URL;
}

/** How a sandbox is started: by the gateway (in-process) or by `leadgraph sandbox`. */
export interface SandboxStartOptions {
  /** Records it holds from the start (of {@link SandboxRecordSpec}), and nothing else. */
  readonly ids: readonly string[];
  /** 0: a free one. */
  readonly port: number;
  /** The address to listen on; 127.0.0.1 when absent. */
  readonly host?: string | undefined;
  /**
   * The environment, read for the credentials a gateway is given (the provider's own
   * variables, e.g. `TECHEA_API_KEY`): the sandbox accepts those where they are set, so
   * one statement serves a fleet's gateways and its sandbox. Unset ones are made up.
   */
  readonly credentialsFrom?: Readonly<Record<string, string | undefined>> | undefined;
}

/** A provider's built-in sandbox: how it starts, and how the gateway's records reach it. */
export interface SandboxSpec<Behavior extends SandboxBehavior, Connection, Webhook = undefined> {
  readonly records: SandboxRecordSpec;
  start(options: SandboxStartOptions): Promise<RunningSandbox<Behavior, Connection>>;
  /** How the records the gateway holds are put into it (a sandbox starts empty, the database does not). */
  mirror(behavior: Behavior): RecordMirror;
  /** `webhook`: the provider's webhook settings in force (undefined for a provider without webhooks). */
  hooks?(behavior: Behavior, webhook: Webhook): SandboxHooks;
}

/** The commands of one provider, by operation name. */
export type CommandSpecs = Readonly<Record<string, CommandSpec<never, never>>>;

/**
 * Everything the rest of the gateway knows about one provider. Each provider folder's
 * `index.ts` exports one; the configuration, the start of the providers, the CLI, the
 * dispatcher (its commands and breakers), the webhook routes and the metrics iterate
 * over the list of descriptors and name no provider (see `default-providers.ts`).
 */
export interface ProviderDescriptor<
  Key extends string = string,
  Settings = unknown,
  Connection = unknown,
  Behavior extends SandboxBehavior = SandboxBehavior,
  Adapter extends CommandAdapter = CommandAdapter,
  Commands extends CommandSpecs = CommandSpecs,
  Webhook = undefined,
> {
  readonly id: ProviderId;
  /** Its member in `ProvidersConfig` and `ProviderRuntime.adapters`, e.g. `leadBank`. */
  readonly key: Key;
  /** How people name it, in logs and the CLI, e.g. `Lead Bank`. */
  readonly title: string;
  /** The name its HTTP client reports calls under (see `http-client.ts`); the metrics label them with `id`. */
  readonly clientName: string;
  readonly settings: ProviderSettingsSpec<Settings, Connection>;
  /** Its adapter, for a live provider or its sandbox. */
  connect(connection: Connection, options: AdapterOptions): Adapter;
  /** The commands it takes, by operation name (unique across providers). */
  readonly commands: Commands;
  readonly sandbox: SandboxSpec<Behavior, Connection, Webhook>;
  /** Where the provider calls the gateway (webhooks, callbacks), if it does. */
  readonly webhooks?: WebhookSpec<Webhook>;
}

/**
 * A descriptor whatever its types: what lists of providers hold. (Its members take
 * `unknown`, which the method signatures allow: each descriptor's own types are checked
 * where it is defined, and what one member returns is only ever given to another of the same descriptor.)
 */
export type AnyProviderDescriptor = ProviderDescriptor<string, unknown, unknown, SandboxBehavior, CommandAdapter, CommandSpecs, unknown>;

/**
 * Checks a descriptor against {@link ProviderDescriptor} while keeping its own types
 * (its key, settings and adapter stay typed for whoever imports it).
 */
export function defineProvider<
  const Key extends string,
  Settings,
  Connection,
  Behavior extends SandboxBehavior,
  Adapter extends CommandAdapter,
  Commands extends CommandSpecs,
  Webhook = undefined,
>(
  descriptor: ProviderDescriptor<Key, Settings, Connection, Behavior, Adapter, Commands, Webhook>,
): ProviderDescriptor<Key, Settings, Connection, Behavior, Adapter, Commands, Webhook> {
  return descriptor;
}

/** Types one command's spec by its command and result (see {@link CommandSpec}). */
export function commandSpec<C extends CommandLike, R>(spec: CommandSpec<C, R>): CommandSpec<C, R> {
  return spec;
}

/**
 * The credentials named in `env` that are set (not blank), under the sandbox option
 * each one fills: `givenCredentials(env, { apiKey: 'TECALIS_API_KEY' })`.
 */
export function givenCredentials<K extends string>(
  env: Readonly<Record<string, string | undefined>> | undefined,
  names: Readonly<Record<K, string>>,
): Partial<Record<K, string>> {
  const given: Partial<Record<K, string>> = {};
  for (const [option, variable] of Object.entries(names) as Array<[K, string]>) {
    const value = env?.[variable]?.trim();
    if (value) given[option] = value;
  }
  return given;
}
