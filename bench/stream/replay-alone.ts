/**
 * The replay alone, for before/after comparisons and CPU profiles of it:
 *
 *   npx tsx bench/stream/replay-alone.ts [changes=100000] [gateways=2]
 *   LEADGRAPH_BENCH_CPU_PROF=<dir> npx tsx bench/stream/replay-alone.ts
 *
 * One database with 1,000 generated leads and `changes` status changes added after
 * them, then, `gateways` times, a fresh gateway (as the stream benchmark starts it)
 * and one unfiltered `statusChanged(after:)` subscription timed until every change
 * has arrived, complete and in order. With a profile directory, each gateway writes
 * its profile there; `npx tsx bench/lib/cpu-profile-summary.ts <file> replayThenJoin`
 * then says where the replay's own CPU went.
 */
import { createBenchDatabase, openBenchServer } from '../lib/bench-database.js';
import { generateDataSet } from '../lib/data-generator.js';
import { createBenchKey, startBenchGateway } from '../lib/gateway.js';
import { startBenchSandboxes } from '../lib/sandboxes.js';
import { addReplayChanges, measureReplay } from './replay.js';

const changes = Number(process.argv[2] ?? 100_000);
const gateways = Number(process.argv[3] ?? 2);
/** How long the subscriber waits for a next change before it gives up on the replay. */
const STALL_MS = 10_000;

const server = await openBenchServer();
const database = await createBenchDatabase(server);
try {
  await generateDataSet(database.url, 1000);
  const sandboxes = await startBenchSandboxes(database.url);
  try {
    const adminKey = await createBenchKey(database.url);
    const log = await addReplayChanges(database.url, changes);
    for (let i = 0; i < gateways; i++) {
      const gateway = await startBenchGateway(database.url, sandboxes.env);
      try {
        const r = await measureReplay(gateway.wsUrl, adminKey, log, null, STALL_MS);
        const verdict = r.completeAndOrdered ? 'complete, in order' : `NOT complete or in order: ${r.problem ?? ''}`;
        console.log(`replay ${r.received}/${r.changes} in ${r.seconds.toFixed(2)} s: ${r.changesPerSecond.toFixed(0)} changes/s, ${verdict}`);
        if (!r.completeAndOrdered) process.exitCode = 1;
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await sandboxes.stop();
  }
} finally {
  await database.drop();
  await server.stop();
}
