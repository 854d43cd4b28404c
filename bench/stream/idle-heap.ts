/**
 * What an idle subscription holds, by constructor: `npx tsx bench/stream/idle-heap.ts [subscriptions]`.
 *
 * Starts a gateway as the stream benchmark does (its own process, `NODE_ENV=production`,
 * the sandboxes as live providers, subscribers in processes of their own, 10
 * subscriptions per graphql-ws connection, 1 in 100 unfiltered), takes a V8 heap
 * snapshot of it before the subscribers connect and another with every subscription
 * open and idle, and prints the difference per subscription: the self size of the
 * objects of each constructor (a snapshot collects garbage first, so this is what is
 * retained), and VmRSS as the stream benchmark measures it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BENCH_METRICS_TOKEN, startBenchGateway } from '../lib/gateway.js';
import { standaloneRun } from '../lib/standalone-run.js';
import { openSubscriptions, untilSubscriptions } from './gateway-probe.js';
import { idlePlan } from './plan.js';
import { openPlan, type SubscriberClient } from './subscriber-client.js';
import { byConstructor, type ConstructorSizes } from './heap-snapshot.js';

const subscriptions = Number(process.argv[2] ?? 5000);
/** Rows printed: the constructors whose total grew the most. */
const TOP = 25;

const snapshotDir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-heap-'));
try {
  await standaloneRun(1000, async ({ database, data, sandboxes, adminKey, defer }) => {
    // NODE_OPTIONS accepts the flag; cwd is where node writes the snapshot, so it is named by its directory.
    const gateway = await startBenchGateway(database.url, sandboxes.env, { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` });
    defer(() => gateway.stop());
    const clients: SubscriberClient[] = [];
    defer(async () => {
      for (const client of clients) await client.stop();
    });
    const plan = idlePlan(gateway.wsUrl, adminKey, subscriptions, data.leadIds);
    await openSubscriptions(gateway.url, BENCH_METRICS_TOKEN); // the metrics path is warm before the baseline
    const before = await snapshot(gateway.url, gateway.process.pid, false);
    const rssBefore = gateway.process.residentBytes();
    const memoryBefore = await memoryGauges(gateway.url);
    await openPlan(plan, clients);
    await untilSubscriptions(gateway.url, BENCH_METRICS_TOKEN, subscriptions, 180_000);
    const rssIdle = gateway.process.residentBytes();
    const memoryIdle = await memoryGauges(gateway.url);
    const after = await snapshot(gateway.url, gateway.process.pid, true);
    const memoryCollected = await memoryGauges(gateway.url);
    report(before, after, subscriptions, plan.connections, (rssIdle - rssBefore) / subscriptions);
    // Where the resident memory is: V8's heap (used, and reserved but not used), memory outside it, and the rest (native).
    console.table(
      [
        ['right after opening', memoryIdle],
        ['after the snapshot (garbage collected)', memoryCollected],
      ].map(([when, gauges]) => {
        const perSub = (name: string) => (((gauges as Map<string, number>).get(name) ?? 0) - (memoryBefore.get(name) ?? 0)) / subscriptions / 1024;
        const heapTotal = perSub('nodejs_heap_size_total_bytes');
        const heapUsed = perSub('nodejs_heap_size_used_bytes');
        const external = perSub('nodejs_external_memory_bytes');
        const resident = perSub('process_resident_memory_bytes');
        return {
          when,
          'resident KB/sub': resident.toFixed(1),
          'heap used': heapUsed.toFixed(1),
          'heap unused': (heapTotal - heapUsed).toFixed(1),
          external: external.toFixed(1),
          'the rest': (resident - heapTotal - external).toFixed(1),
        };
      }),
    );
  });
} finally {
  await fs.rm(snapshotDir, { recursive: true, force: true });
}

/** The gateway's memory gauges (prom-client's process metrics), by name. */
async function memoryGauges(url: string): Promise<Map<string, number>> {
  const response = await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  const text = await response.text();
  const gauges = new Map<string, number>();
  for (const name of ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes', 'process_resident_memory_bytes']) {
    const value = new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1];
    if (value === undefined) throw new Error(`/metrics has no ${name}`);
    gauges.set(name, Number(value));
  }
  return gauges;
}

/** Signals the gateway to write a snapshot and reads it once written (the gateway answers HTTP again only then). */
async function snapshot(url: string, pid: number, subscriptionsOpen: boolean): Promise<ConstructorSizes> {
  const known = new Set(await fs.readdir(snapshotDir));
  process.kill(pid, 'SIGUSR2');
  // The snapshot is written on the gateway's main thread, once the signal is handled:
  // a file that is there and has not grown across an answer of the gateway is complete.
  let size = -1;
  for (;;) {
    // A kept-alive socket the gateway closed meanwhile fails the fetch: ask again.
    await fetch(new URL('/healthz', url), { headers: { connection: 'close' } }).then(
      (response) => response.arrayBuffer(),
      () => undefined,
    );
    const written = (await fs.readdir(snapshotDir)).find((name) => !known.has(name) && name.endsWith('.heapsnapshot'));
    if (written === undefined) continue;
    const file = path.join(snapshotDir, written);
    const now = (await fs.stat(file)).size;
    if (now > 0 && now === size) {
      const sizes = byConstructor(JSON.parse(await fs.readFile(file, 'utf8')) as Parameters<typeof byConstructor>[0]);
      // LEADGRAPH_HEAP_KEEP=<dir> keeps the snapshots, to open in Chrome DevTools (Memory tab).
      const keep = process.env.LEADGRAPH_HEAP_KEEP;
      if (keep) await fs.rename(file, path.join(keep, `${subscriptionsOpen ? 'idle' : 'baseline'}.heapsnapshot`));
      else await fs.rm(file);
      return sizes;
    }
    size = now;
  }
}

function report(before: ConstructorSizes, after: ConstructorSizes, subs: number, connections: number, rssPerSub: number): void {
  const rows = [...after.entries()]
    .map(([name, a]) => {
      const b = before.get(name) ?? { count: 0, bytes: 0 };
      return { name, count: (a.count - b.count) / subs, bytes: (a.bytes - b.bytes) / subs };
    })
    .filter((row) => row.bytes > 0)
    .sort((x, y) => y.bytes - x.bytes);
  const heapTotal = (sizes: ConstructorSizes) => [...sizes.values()].reduce((sum, s) => sum + s.bytes, 0);
  console.log(`${subs} idle subscriptions on ${connections} connections`);
  console.log(`heap (retained, after GC): ${((heapTotal(after) - heapTotal(before)) / subs).toFixed(0)} B per subscription`);
  console.log(`VmRSS (as the stream benchmark): ${(rssPerSub / 1024).toFixed(1)} KB per subscription`);
  console.table(rows.slice(0, TOP).map((row) => ({ constructor: row.name, 'objects/sub': row.count.toFixed(2), 'bytes/sub': row.bytes.toFixed(0) })));
}
