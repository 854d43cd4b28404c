/**
 * `npm run bench` (the full run, about 15 minutes) and `npm run bench:quick` (every
 * benchmark with small numbers, a smoke test for CI; its numbers mean nothing).
 *
 *   tsx bench/run.ts [--quick] [--only read,dispatch,stream] [--leads N] [--seconds N]
 *
 * `--seconds` sets the seconds of each read and dispatch measurement (steadier quick runs).
 *
 * One fresh database (DATABASE_URL's server, or an embedded PostgreSQL), one data set,
 * then each benchmark in turn; the floor and the peer run in the same invocation as
 * the gateway, so every ratio compares numbers taken minutes apart on the same data.
 */
import { parseArgs } from 'node:util';
import { createBenchDatabase, openBenchServer } from './lib/bench-database.js';
import { type Benchmark, type BenchRun, type TargetCheck } from './lib/bench-run.js';
import { generateDataSet } from './lib/data-generator.js';
import { createBenchKey } from './lib/gateway.js';
import { FULL, QUICK } from './lib/profile.js';
import { printTable, writeResult } from './lib/report.js';
import { startBenchSandboxes } from './lib/sandboxes.js';

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  read: async () => (await import('./read/read-bench.js')).readBench,
  dispatch: async () => (await import('./dispatch/dispatch-bench.js')).dispatchBench,
  stream: async () => (await import('./stream/stream-bench.js')).streamBench,
};

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, leads: { type: 'string' }, seconds: { type: 'string' } },
  strict: true,
});
const base = values.quick ? QUICK : FULL;
const profile = {
  ...base,
  ...(values.leads !== undefined && { leads: Number(values.leads) }),
  ...(values.seconds !== undefined && { readSeconds: Number(values.seconds), dispatchSeconds: Number(values.seconds) }),
};
if (!Number.isInteger(profile.leads) || profile.leads < 100) throw new Error('--leads needs a whole number of at least 100');
if (!(profile.dispatchSeconds > 0)) throw new Error('--seconds needs a positive number');
const names = values.only?.split(',').map((name) => name.trim()) ?? Object.keys(BENCHMARKS);
for (const name of names) if (!(name in BENCHMARKS)) throw new Error(`unknown benchmark "${name}" (known: ${Object.keys(BENCHMARKS).join(', ')})`);

const started = performance.now();
const server = await openBenchServer();
const cleanups: Array<() => Promise<void>> = [() => server.stop()];
let failed = false;
try {
  console.log(`leadgraph benchmarks, ${profile.name} profile, on ${server.description}`);
  const database = await createBenchDatabase(server);
  cleanups.push(() => database.drop());
  const data = await generateDataSet(database.url, profile.leads);
  printTable(`Data set: ${profile.leads} leads, generated in ${data.seconds.toFixed(1)} s`, [data.rows as Record<string, number>]);
  const sandboxes = await startBenchSandboxes(database.url);
  cleanups.push(() => sandboxes.stop());
  const run: BenchRun = { profile, server, database, data, sandboxes, adminKey: await createBenchKey(database.url) };

  const targets: TargetCheck[] = [];
  for (const name of names) {
    const benchmark = await BENCHMARKS[name]!();
    console.log(`\n=== ${name}`);
    targets.push(...(await benchmark(run)));
  }
  printTable('Targets', targets.map((t) => ({ kind: t.kind, target: t.target, measured: t.measured, met: t.met ? 'yes' : 'NO' })));
  await writeResult(profile.name, 'targets', { targets });
  const wrong = targets.filter((t) => t.kind === 'correctness' && !t.met);
  if (wrong.length > 0) {
    failed = true;
    console.error(`\n${wrong.length} correctness check(s) failed: the numbers above are not valid measurements`);
  }
  console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s; JSON in bench/results/${profile.name}/`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
}
process.exit(failed ? 1 : 0);
