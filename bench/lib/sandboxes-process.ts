/**
 * The four provider sandboxes in a process of their own, holding the benchmark's data
 * set (mirrored from the database the way a gateway mirrors its built-in sandboxes),
 * so that neither the gateway's nor the load client's CPU pays for them. Prints one
 * `SANDBOXES_READY {json}` line with the settings a gateway and a direct client need,
 * then serves until SIGTERM. Usage: sandboxes-process.ts <database url>
 */
import { createDataSource } from '../../src/db/data-source.js';
import { mirrorStoredRecords } from '../../src/demo/sandbox-sync.js';
import { DECISION_CLOUD, startDecisionCloudSandbox } from '../../src/providers/decisioncloud/index.js';
import { LEAD_BANK, startLeadBankSandbox } from '../../src/providers/leadbank/index.js';
import { liveProviderEnv } from '../../src/providers/sandbox/live-provider-env.js';
import { combineMirrors } from '../../src/providers/sandbox/record-mirror.js';
import { startTecalisSandbox, TECALIS } from '../../src/providers/tecalis/index.js';
import { startTecheaSandbox, TECHEA } from '../../src/providers/techea/index.js';
import { type SandboxConnections } from './sandboxes.js';

const databaseUrl = process.argv[2];
if (databaseUrl === undefined) throw new Error('usage: sandboxes-process.ts <database url>');

const techea = await startTecheaSandbox({ seedLeads: 0 });
const leadBank = await startLeadBankSandbox();
const tecalis = await startTecalisSandbox();
const decisionCloud = await startDecisionCloudSandbox();

const db = createDataSource({ url: databaseUrl, poolSize: 1 });
await db.initialize();
await mirrorStoredRecords(
  db,
  combineMirrors([
    TECHEA.sandbox.mirror(techea.behavior),
    LEAD_BANK.sandbox.mirror(leadBank.behavior),
    TECALIS.sandbox.mirror(tecalis.behavior),
    DECISION_CLOUD.sandbox.mirror(decisionCloud.behavior),
  ]),
);
await db.destroy();

const connections: SandboxConnections = {
  env: liveProviderEnv({
    techea: techea.connection,
    leadBank: leadBank.connection,
    tecalis: tecalis.connection,
    decisionCloud: decisionCloud.connection,
  }),
  techea: { baseUrl: techea.connection.baseUrl.href, apiKey: techea.connection.apiKey },
  leadBank: { baseUrl: leadBank.connection.baseUrl.href, clientId: leadBank.connection.clientId, clientSecret: leadBank.connection.clientSecret },
};
process.stdout.write(`SANDBOXES_READY ${JSON.stringify(connections)}\n`);

const stop = () => {
  void Promise.all([techea.stop(), leadBank.stop(), tecalis.stop(), decisionCloud.stop()]).then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
