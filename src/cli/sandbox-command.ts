import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig, loadSandboxRecords } from '../config.js';
import { requireTenantId } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { type AnyProviderDescriptor, DEFAULT_PROVIDERS } from '../providers/index.js';
import { liveProviderEnv } from '../providers/sandbox/live-provider-env.js';
import { describeSandboxRecords } from '../providers/sandbox/sandbox-records.js';
import { type RunningSandbox } from '../providers/sandbox/running-sandbox.js';
import { CONTROL_PATH, type SandboxBehavior } from '../providers/sandbox/sandbox-server.js';
import { asUsage, UsageError } from './keys-command.js';
import { connectTenantToSandboxes } from './sandbox-connections.js';

export const SANDBOX_USAGE = `  sandbox [--port <first port>] [--host <address>] [--connect <tenant>]
            run the provider sandboxes standalone (one port each from the first, default 4101,
            on 127.0.0.1 unless --host says otherwise, e.g. 0.0.0.0 in a container) and print
            their URLs, credentials and the settings to point a gateway at them; credentials
            set in the gateway's variables (TECHEA_API_KEY, LEADBANK_CLIENT_ID, …) are used
            instead of made-up ones, so a fleet's gateways and its sandbox share one statement.
            --connect: these sandboxes become the tenant's own accounts (connections set for
            each provider, on the gateway's database, with its CONNECTIONS_KEY; not in
            production), with made-up credentials of their own`;

/** What `leadgraph sandbox` runs with besides its arguments (tests and tools change them). */
export interface SandboxCommandOptions {
  /** The providers whose sandboxes it runs, in port order. */
  readonly providers?: readonly AnyProviderDescriptor[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves when the sandboxes should stop; SIGINT or SIGTERM by default. */
  readonly stopped?: Promise<void>;
}

/**
 * `leadgraph sandbox`: every provider's sandbox as a standalone server, for trying a
 * client by hand or pointing a gateway at them as if they were the live providers.
 * Runs until SIGINT/SIGTERM.
 */
export async function sandboxCommand(args: string[], logger: Logger, out: NodeJS.WritableStream, options: SandboxCommandOptions = {}): Promise<number> {
  const providers = options.providers ?? DEFAULT_PROVIDERS;
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, connect: { type: 'string' } }, strict: true });
  const first = values.port === undefined ? 4101 : Number(values.port);
  const last = 65535 - (providers.length - 1);
  if (!Number.isInteger(first) || first < 0 || first > last) throw new UsageError(`--port needs a port number from 0 to ${last}`);
  const port = (offset: number) => (first === 0 ? 0 : first + offset);
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0 && host !== 'localhost') throw new UsageError(`--host needs an IP address to listen on (0.0.0.0 for every interface), not "${host}"`);
  const env = options.env ?? process.env;
  const tenant = values.connect === undefined ? undefined : asUsage(() => requireTenantId(values.connect!, '--connect'));
  // Checked before anything starts: the gateway's settings, its database, its key.
  const config = tenant === undefined ? undefined : loadConfig(env, { providers });

  const records = loadSandboxRecords(env, providers);
  const running: Array<RunningSandbox<SandboxBehavior, unknown>> = [];
  let connected = '';
  try {
    for (const [offset, provider] of providers.entries()) {
      // A tenant's accounts are its own: never the environment's (the default tenant's) credentials.
      const credentialsFrom = tenant === undefined ? env : undefined;
      running.push(await provider.sandbox.start({ ids: records[provider.sandbox.records.key] ?? [], port: port(offset), host, ...(credentialsFrom && { credentialsFrom }) }));
    }
    if (config !== undefined && tenant !== undefined) {
      const set = await connectTenantToSandboxes(config, logger, tenant, providers, running);
      connected = [
        `Tenant "${tenant}" has these sandboxes as its own accounts (connections on the gateway's database):`,
        ...set.map((c) => `  ${c.provider}  ${c.baseUrl}  version ${c.version}`),
        'They stop with this command; running it again connects the tenant to the new ones.',
      ].join('\n');
    }
  } catch (error) {
    await Promise.all(running.map((sandbox) => sandbox.stop()));
    throw error;
  }
  const connections = Object.fromEntries(providers.map((provider, i) => [provider.key, running[i]!.connection]));

  // A sandbox's credentials are made up at start; printing them is the point of this command.
  out.write(
    [
      ...(tenant === undefined
        ? [
            'Provider sandboxes are running. Point a gateway at them with:',
            '',
            ...Object.entries(liveProviderEnv(connections, providers)).map(([name, value]) => `${name}=${value}`),
          ]
        : ['Provider sandboxes are running.', connected]),
      '',
      `Each sandbox shows its state at ${CONTROL_PATH} and takes faults at PUT ${CONTROL_PATH}/faults, e.g.`,
      `  curl -X PUT ${new URL(`${CONTROL_PATH}/faults`, running[0]?.baseUrl).href} -d '{"forceStatus":503,"forceCount":2}'`,
      'Seeded records (SANDBOX_* variables replace them):',
      ...describeSandboxRecords(records, providers).map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );

  await (options.stopped ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }));
  logger.info('stopping the sandboxes');
  await Promise.all(running.map((sandbox) => sandbox.stop()));
  return 0;
}
