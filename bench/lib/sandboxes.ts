import { type BenchProcess, startNodeScript } from './child-process.js';

/** How to reach the sandboxes: as a gateway's environment, and for a direct client. */
export interface SandboxConnections {
  /** `*_BASE_URL` and credentials: the gateway treats the sandboxes as the live providers. */
  readonly env: Record<string, string>;
  readonly techea: { readonly baseUrl: string; readonly apiKey: string };
  readonly leadBank: { readonly baseUrl: string; readonly clientId: string; readonly clientSecret: string };
}

/** The sandbox process of a run. */
export interface BenchSandboxes extends SandboxConnections {
  readonly process: BenchProcess;
  stop(): Promise<void>;
}

/** Starts the four sandboxes (zero added latency) in their own process, holding the records of `databaseUrl`. */
export async function startBenchSandboxes(databaseUrl: string): Promise<BenchSandboxes> {
  const child = startNodeScript('bench/lib/sandboxes-process.ts', [databaseUrl], { readyPattern: /SANDBOXES_READY (\{.*\})\n/ });
  const match = await child.ready;
  const connections = JSON.parse(match[1] ?? '{}') as SandboxConnections;
  return { ...connections, process: child, stop: () => child.stop() };
}
