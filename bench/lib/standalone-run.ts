import { createBenchDatabase, openBenchServer } from './bench-database.js';
import { type DataSet, generateDataSet } from './data-generator.js';
import { createBenchKey } from './gateway.js';
import { type BenchSandboxes, startBenchSandboxes } from './sandboxes.js';

/** What a standalone measuring script works on: a fresh database with a data set, the sandboxes, an admin key. */
export interface StandaloneRun {
  readonly database: { readonly url: string };
  readonly data: DataSet;
  readonly sandboxes: BenchSandboxes;
  readonly adminKey: string;
  /** Registers something to stop when the work ends, before what the run itself started (last in, first out). */
  readonly defer: (cleanup: () => Promise<void>) => void;
}

/**
 * Sets up what `run.ts` sets up for the benchmarks (a PostgreSQL server, a fresh
 * database of `leads` generated leads, the sandboxes' process, an admin key), runs
 * `work` on it, and takes everything down again, whatever happened.
 */
export async function standaloneRun<T>(leads: number, work: (run: StandaloneRun) => Promise<T>): Promise<T> {
  const server = await openBenchServer();
  const cleanups: Array<() => Promise<void>> = [() => server.stop()];
  try {
    const database = await createBenchDatabase(server);
    cleanups.push(() => database.drop());
    const data = await generateDataSet(database.url, leads);
    const sandboxes = await startBenchSandboxes(database.url);
    cleanups.push(() => sandboxes.stop());
    const adminKey = await createBenchKey(database.url);
    return await work({ database, data, sandboxes, adminKey, defer: (cleanup) => cleanups.push(cleanup) });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  }
}

/** `items` starting at the `round`-th (wrapping): the order of the servers measured in that round. */
export function inTurn<T>(items: readonly T[], round: number): T[] {
  const start = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
