/**
 * Where the bytes allocated while subscriptions open come from, garbage included:
 * `npx tsx bench/stream/opening-allocations.ts [subscriptions]`.
 *
 * Resident memory right after a burst of subscriptions is mostly V8 heap that is
 * garbage not yet collected (`idle-heap.ts` splits it). This starts a gateway as the
 * stream benchmark does, with its inspector on a loopback port, samples its
 * allocations (`lib/allocation-sampler.ts`) while the subscribers connect, and prints
 * the bytes allocated per subscription.
 */
import { printAllocations, sampleAllocations } from '../lib/allocation-sampler.js';
import { createBenchDatabase, openBenchServer } from '../lib/bench-database.js';
import { generateDataSet } from '../lib/data-generator.js';
import { BENCH_METRICS_TOKEN, createBenchKey, startBenchGateway } from '../lib/gateway.js';
import { startBenchSandboxes } from '../lib/sandboxes.js';
import { openSubscriptions, untilSubscriptions } from './gateway-probe.js';
import { buildPlan } from './plan.js';
import { type SubscriberClient, startSubscriber } from './subscriber-client.js';

const subscriptions = Number(process.argv[2] ?? 5000);
const INSPECTOR_PORT = 9339;

const server = await openBenchServer();
const database = await createBenchDatabase(server);
const clients: SubscriberClient[] = [];
try {
  const data = await generateDataSet(database.url, 1000);
  const sandboxes = await startBenchSandboxes(database.url);
  const adminKey = await createBenchKey(database.url);
  const gateway = await startBenchGateway(database.url, sandboxes.env, { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` });
  try {
    const plan = buildPlan({
      wsUrl: gateway.wsUrl,
      token: adminKey,
      subscriptions,
      unfiltered: Math.ceil(subscriptions / 100),
      perConnection: 10,
      clientProcesses: 2,
      leadIds: data.leadIds,
    });
    await openSubscriptions(gateway.url, BENCH_METRICS_TOKEN);
    const sampling = await sampleAllocations(INSPECTOR_PORT);
    for (const client of plan.clients) clients.push(await startSubscriber(client));
    await Promise.all(clients.map((client) => client.open()));
    await untilSubscriptions(gateway.url, BENCH_METRICS_TOKEN, subscriptions, 180_000);
    printAllocations(await sampling.stop(), subscriptions, 'subscription');
  } finally {
    for (const client of clients) await client.stop();
    await gateway.stop();
    await sandboxes.stop();
  }
} finally {
  await database.drop();
  await server.stop();
}
