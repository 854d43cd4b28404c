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
import { BENCH_METRICS_TOKEN, startBenchGateway } from '../lib/gateway.js';
import { standaloneRun } from '../lib/standalone-run.js';
import { openSubscriptions, untilSubscriptions } from './gateway-probe.js';
import { idlePlan } from './plan.js';
import { openPlan, type SubscriberClient } from './subscriber-client.js';

const subscriptions = Number(process.argv[2] ?? 5000);
const INSPECTOR_PORT = 9339;

await standaloneRun(1000, async ({ database, data, sandboxes, adminKey, defer }) => {
  const gateway = await startBenchGateway(database.url, sandboxes.env, { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` });
  defer(() => gateway.stop());
  const clients: SubscriberClient[] = [];
  defer(async () => {
    for (const client of clients) await client.stop();
  });
  const plan = idlePlan(gateway.wsUrl, adminKey, subscriptions, data.leadIds);
  await openSubscriptions(gateway.url, BENCH_METRICS_TOKEN);
  const sampling = await sampleAllocations(INSPECTOR_PORT);
  await openPlan(plan, clients);
  await untilSubscriptions(gateway.url, BENCH_METRICS_TOKEN, subscriptions, 180_000);
  printAllocations(await sampling.stop(), subscriptions, 'subscription');
});
