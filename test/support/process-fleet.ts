import { type GatewayProcess, runGateway } from './process.js';

/** Gateway processes on one database, started as an operator starts a fleet. */
export interface ProcessFleet {
  readonly processes: readonly GatewayProcess[];
  /** Each instance's GraphQL URL, in the order of {@link processes}. */
  readonly urls: readonly string[];
  /** Stops every instance (SIGTERM) and resolves once all have exited. */
  stop(): Promise<void>;
}

/**
 * Starts `count` instances of `leadgraph start` at once with the same `env` (which must
 * name the shared `DATABASE_URL`): the plain process commands of the README's "Running
 * a fleet", each on a free port. They start together, as a compose file's replicas do,
 * so a fresh database is migrated by one while the others wait.
 */
export async function startProcessFleet(count: number, env: Record<string, string>): Promise<ProcessFleet> {
  const processes = Array.from({ length: count }, () => runGateway('node', ['bin/leadgraph.js', 'start'], { PORT: '0', HOST: '127.0.0.1', ...env }));
  const stop = async () => {
    await Promise.all(
      processes.map(async ({ child, exited }) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      }),
    );
  };
  try {
    const urls = await Promise.all(processes.map((process) => process.ready));
    return { processes, urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
