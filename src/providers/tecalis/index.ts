import { randomUUID } from 'node:crypto';
import { ProviderHttpClient } from '../http-client.js';
import { type AdapterOptions, type ProviderAdapter, type UpdateVerificationStatusCommand } from '../provider.js';
import { type RunningSandbox, runSandbox } from '../sandbox/running-sandbox.js';
import { TecalisClient, type TecalisClientOptions } from './client.js';
import { TecalisSandbox, type TecalisProcessSeed, type TecalisSandboxOptions } from './sandbox.js';

export { TecalisSandbox, type TecalisClientOptions, type TecalisProcessSeed };

/** A Tecalis adapter for the live service or a sandbox. */
export { mirrorProcess } from './sandbox-mirror.js';
export { parseTecalisCallback, TECALIS_TOKEN_FIELD, type TecalisCallback } from './webhook.js';

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
  overrides: Partial<TecalisSandboxOptions> & { seedProcesses?: number; port?: number; host?: string } = {},
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
