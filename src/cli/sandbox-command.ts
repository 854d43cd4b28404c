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

export const SANDBOX_USAGE = `  sandbox [--port <first port>]
            run the four provider sandboxes standalone (ports first..first+3, default 4101)
            and print their URLs, credentials and the settings to point a gateway at them`;

/**
 * `leadgraph sandbox`: the four provider sandboxes as standalone servers, for trying
 * a client by hand or pointing a gateway at them as if they were the live providers.
 * Runs until SIGINT/SIGTERM.
 */
export async function sandboxCommand(args: string[], logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } }, strict: true });
  const first = values.port === undefined ? 4101 : Number(values.port);
  if (!Number.isInteger(first) || first < 0 || first > 65532) throw new UsageError('--port needs a port number from 0 to 65532');
  const port = (offset: number) => (first === 0 ? 0 : first + offset);

  const records = loadSandboxRecords();
  const techea = await startTecheaSandbox({ seedLeadIds: records.techeaLeadIds, port: port(0) });
  const leadBank = await startLeadBankSandbox({ seedApplications: 0, port: port(1) });
  for (const id of records.leadBankApplicationIds) leadBank.behavior.addApplication({ id });
  const tecalis = await startTecalisSandbox({ seedAuthUuids: records.tecalisAuthUuids, port: port(2) });
  const decisionCloud = await startDecisionCloudSandbox({ seedCustomers: 0, seedCustomerIds: records.decisionCloudCustomerIds, port: port(3) });
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
