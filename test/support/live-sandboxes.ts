import { liveProviderEnv } from '../../src/providers/sandbox/live-provider-env.js';
import { startDecisionCloudSandbox } from '../../src/providers/decisioncloud/index.js';
import { startLeadBankSandbox } from '../../src/providers/leadbank/index.js';
import { startTecalisSandbox } from '../../src/providers/tecalis/index.js';
import { startTecheaSandbox } from '../../src/providers/techea/index.js';

/**
 * The four sandboxes started on their own, with the environment that makes a gateway
 * treat them as the live providers (the production path: URLs and credentials from
 * configuration). `secrets` lists every credential, for leak checks.
 */
export async function startLiveSandboxes() {
  const techea = await startTecheaSandbox({ seedLeads: 3 });
  const leadBank = await startLeadBankSandbox();
  const tecalis = await startTecalisSandbox();
  const decisionCloud = await startDecisionCloudSandbox();
  return {
    techea,
    leadBank,
    tecalis,
    decisionCloud,
    env: liveProviderEnv({
      techea: techea.connection,
      leadBank: leadBank.connection,
      tecalis: tecalis.connection,
      decisionCloud: decisionCloud.connection,
    }),
    secrets: {
      'TECHEA API key': techea.connection.apiKey,
      'Lead Bank client secret': leadBank.connection.clientSecret,
      'Tecalis API key': tecalis.connection.apiKey,
      'Decision Cloud client secret': decisionCloud.connection.clientSecret,
    },
    stop: () => Promise.all([techea.stop(), leadBank.stop(), tecalis.stop(), decisionCloud.stop()]).then(() => undefined),
  };
}
