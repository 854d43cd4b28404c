import { type DecisionCloudClientOptions } from '../decisioncloud/index.js';
import { type LeadBankClientOptions } from '../leadbank/index.js';
import { type TecalisClientOptions } from '../tecalis/index.js';
import { type TecheaClientOptions } from '../techea/index.js';

/** How a client reaches each of the four providers. */
export interface ProviderConnections {
  readonly techea: TecheaClientOptions;
  readonly leadBank: LeadBankClientOptions;
  readonly tecalis: TecalisClientOptions;
  readonly decisionCloud: DecisionCloudClientOptions;
}

/**
 * The environment that makes a gateway treat these endpoints as its live providers
 * (`*_BASE_URL` and credentials, the production path of `config.ts`): what
 * `leadgraph sandbox` prints, and what tests and benchmarks start gateways with.
 */
export function liveProviderEnv(connections: ProviderConnections): Record<string, string> {
  const { techea, leadBank, tecalis, decisionCloud } = connections;
  return {
    TECHEA_BASE_URL: techea.baseUrl.href,
    TECHEA_API_KEY: techea.apiKey,
    LEADBANK_BASE_URL: leadBank.baseUrl.href,
    LEADBANK_CLIENT_ID: leadBank.clientId,
    LEADBANK_CLIENT_SECRET: leadBank.clientSecret,
    TECALIS_BASE_URL: tecalis.baseUrl.href,
    TECALIS_API_KEY: tecalis.apiKey,
    DECISIONCLOUD_BASE_URL: decisionCloud.baseUrl.href,
    DECISIONCLOUD_CLIENT_ID: decisionCloud.clientId,
    DECISIONCLOUD_CLIENT_SECRET: decisionCloud.clientSecret,
  };
}
