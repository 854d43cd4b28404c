import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { loadSandboxRecords } from '../config.js';
import { type Logger } from '../logger.js';
import { startDecisionCloudSandbox } from '../providers/decisioncloud/index.js';
import { startLeadBankSandbox } from '../providers/leadbank/index.js';
import { liveProviderEnv } from '../providers/sandbox/live-provider-env.js';
import { describeSandboxRecords } from '../providers/sandbox/sandbox-records.js';
import { CONTROL_PATH } from '../providers/sandbox/sandbox-server.js';
import { startTecalisSandbox } from '../providers/tecalis/index.js';
import { startTecheaSandbox } from '../providers/techea/index.js';
import { UsageError } from './keys-command.js';

export const SANDBOX_USAGE = `  sandbox [--port <first port>] [--host <address>]
            run the four provider sandboxes standalone (ports first..first+3, default 4101,
            on 127.0.0.1 unless --host says otherwise, e.g. 0.0.0.0 in a container) and print
            their URLs, credentials and the settings to point a gateway at them; credentials
            set in the gateway's variables (TECHEA_API_KEY, LEADBANK_CLIENT_ID, …) are used
            instead of made-up ones, so a fleet's gateways and its sandbox share one statement`;

/**
 * `leadgraph sandbox`: the four provider sandboxes as standalone servers, for trying
 * a client by hand or pointing a gateway at them as if they were the live providers.
 * Runs until SIGINT/SIGTERM.
 */
export async function sandboxCommand(
  args: string[],
  logger: Logger,
  out: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true });
  const first = values.port === undefined ? 4101 : Number(values.port);
  if (!Number.isInteger(first) || first < 0 || first > 65532) throw new UsageError('--port needs a port number from 0 to 65532');
  const port = (offset: number) => (first === 0 ? 0 : first + offset);
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0 && host !== 'localhost') throw new UsageError(`--host needs an IP address to listen on (0.0.0.0 for every interface), not "${host}"`);
  const credentials = credentialsFromEnv(env);

  const records = loadSandboxRecords();
  const techea = await startTecheaSandbox({ seedLeadIds: records.techeaLeadIds, port: port(0), host, ...credentials.techea });
  const leadBank = await startLeadBankSandbox({ seedApplications: 0, port: port(1), host, ...credentials.leadBank });
  for (const id of records.leadBankApplicationIds) leadBank.behavior.addApplication({ id });
  const tecalis = await startTecalisSandbox({ seedAuthUuids: records.tecalisAuthUuids, port: port(2), host, ...credentials.tecalis });
  const decisionCloud = await startDecisionCloudSandbox({
    seedCustomers: 0,
    seedCustomerIds: records.decisionCloudCustomerIds,
    port: port(3),
    host,
    ...credentials.decisionCloud,
  });
  const all = [techea, leadBank, tecalis, decisionCloud];

  // A sandbox's credentials are made up at start; printing them is the point of this command.
  out.write(
    [
      'Provider sandboxes are running. Point a gateway at them with:',
      '',
      ...Object.entries(
        liveProviderEnv({
          techea: techea.connection,
          leadBank: leadBank.connection,
          tecalis: tecalis.connection,
          decisionCloud: decisionCloud.connection,
        }),
      ).map(([name, value]) => `${name}=${value}`),
      '',
      `Each sandbox shows its state at ${CONTROL_PATH} and takes faults at PUT ${CONTROL_PATH}/faults, e.g.`,
      `  curl -X PUT ${new URL(`${CONTROL_PATH}/faults`, techea.baseUrl).href} -d '{"forceStatus":503,"forceCount":2}'`,
      'Seeded records (SANDBOX_* variables replace them):',
      ...describeSandboxRecords(records).map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping the sandboxes');
  await Promise.all(all.map((sandbox) => sandbox.stop()));
  return 0;
}

/**
 * The credentials a gateway of this deployment is given, where they are set: the sandbox
 * accepts exactly those, so one statement of them (a compose file's, an env file's)
 * serves the gateways and their sandbox. Each one left unset is made up at start.
 */
function credentialsFromEnv(env: NodeJS.ProcessEnv) {
  const given = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const defined = <T extends Record<string, string | undefined>>(values: T) =>
    Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: string };
  return {
    techea: defined({ advertiserKey: given('TECHEA_API_KEY') }),
    leadBank: defined({ clientId: given('LEADBANK_CLIENT_ID'), clientSecret: given('LEADBANK_CLIENT_SECRET') }),
    tecalis: defined({ apiKey: given('TECALIS_API_KEY') }),
    decisionCloud: defined({ clientId: given('DECISIONCLOUD_CLIENT_ID'), clientSecret: given('DECISIONCLOUD_CLIENT_SECRET') }),
  };
}
