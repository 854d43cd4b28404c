/**
 * Where the bytes allocated while subscriptions open come from, garbage included:
 * `npx tsx bench/stream/opening-allocations.ts [subscriptions]`.
 *
 * Resident memory right after a burst of subscriptions is mostly V8 heap that is
 * garbage not yet collected (`idle-heap.ts` shows heap used at about twice what is
 * retained). This starts a gateway as the stream benchmark does, with its inspector on
 * a loopback port, samples its allocations with V8's sampling heap profiler (keeping
 * the samples of objects collected since, by minor and major GC) while the subscribers
 * connect, and prints the bytes allocated per subscription by the allocating function,
 * and by the first function of the gateway's own code on the stack.
 */
import { WebSocket } from 'ws';
import { createBenchDatabase, openBenchServer } from '../lib/bench-database.js';
import { generateDataSet } from '../lib/data-generator.js';
import { BENCH_METRICS_TOKEN, createBenchKey, startBenchGateway } from '../lib/gateway.js';
import { startBenchSandboxes } from '../lib/sandboxes.js';
import { openSubscriptions, untilSubscriptions } from './gateway-probe.js';
import { buildPlan } from './plan.js';
import { type SubscriberClient, startSubscriber } from './subscriber-client.js';

const subscriptions = Number(process.argv[2] ?? 5000);
const INSPECTOR_PORT = 9339;
const TOP = 30;

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface SamplingNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

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
    const inspector = await connectInspector(INSPECTOR_PORT);
    await inspector.call('HeapProfiler.enable');
    await inspector.call('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (const client of plan.clients) clients.push(await startSubscriber(client));
    await Promise.all(clients.map((client) => client.open()));
    await untilSubscriptions(gateway.url, BENCH_METRICS_TOKEN, subscriptions, 180_000);
    const { profile } = (await inspector.call('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    inspector.close();
    report(profile.head, subscriptions);
  } finally {
    for (const client of clients) await client.stop();
    await gateway.stop();
    await sandboxes.stop();
  }
} finally {
  await database.drop();
  await server.stop();
}

function report(head: SamplingNode, subs: number): void {
  const bySelf = new Map<string, number>();
  const byOwnCode = new Map<string, number>();
  let total = 0;
  const visit = (node: SamplingNode, stack: readonly CallFrame[]) => {
    const here = [...stack, node.callFrame];
    if (node.selfSize > 0) {
      total += node.selfSize;
      const self = frameName(node.callFrame);
      bySelf.set(self, (bySelf.get(self) ?? 0) + node.selfSize);
      // The innermost frame of the gateway's own code: what of ours asked for the bytes.
      const own = [...here].reverse().find((frame) => frame.url.includes('/src/'));
      const key = own === undefined ? '(no frame of src/)' : frameName(own);
      byOwnCode.set(key, (byOwnCode.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child, here);
  };
  visit(head, []);
  console.log(`${subs} subscriptions opened: ${(total / subs / 1024).toFixed(1)} KB allocated per subscription (sampled, garbage included)`);
  const table = (sizes: Map<string, number>) =>
    [...sizes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([where, bytes]) => ({ where, 'bytes/sub': (bytes / subs).toFixed(0), share: `${((bytes / total) * 100).toFixed(1)} %` }));
  console.log('\nby the allocating function');
  console.table(table(bySelf));
  console.log('\nby the innermost function of src/ on the stack');
  console.table(table(byOwnCode));
}

function frameName(frame: CallFrame): string {
  const where = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/src\//, 'src/').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

/** The gateway's inspector, over its WebSocket: `call` sends a method and resolves with its result. */
async function connectInspector(port: number): Promise<{ call(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error('the gateway has no inspector target');
  const socket = new WebSocket(url, { maxPayload: 2 ** 30 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let next = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}
