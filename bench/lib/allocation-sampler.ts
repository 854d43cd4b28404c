/**
 * V8's sampling heap profiler on a benchmark's server, over its inspector: what a
 * workload allocates, garbage included, by the allocating function and by the
 * innermost function of the gateway's own code (`src/`) on the stack. Garbage is what
 * a GC-heavy profile is made of, and what resident memory right after a burst is.
 * The server must run with `--inspect=127.0.0.1:<port>` (in NODE_OPTIONS).
 * `LEADGRAPH_BENCH_HEAP_PROFILE=<file>` writes the samples as a `.heapprofile`.
 */
import fs from 'node:fs';
import { WebSocket } from 'ws';

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

/** Rows printed per table. */
const TOP = 30;

/** Allocation sampling under way on a server; `stop()` ends it and answers the samples. */
export interface AllocationSampling {
  stop(): Promise<SamplingNode>;
}

/** Starts sampling every ~512 bytes allocated, keeping the samples of objects collected since (minor and major GC). */
export async function sampleAllocations(inspectorPort: number): Promise<AllocationSampling> {
  const inspector = await connectInspector(inspectorPort);
  await inspector.call('HeapProfiler.enable');
  await inspector.call('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop() {
      const { profile } = (await inspector.call('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
      inspector.close();
      // LEADGRAPH_BENCH_HEAP_PROFILE=<file> keeps the samples, to open in Chrome DevTools (Memory tab).
      const keep = process.env.LEADGRAPH_BENCH_HEAP_PROFILE;
      if (keep) fs.writeFileSync(keep, JSON.stringify(profile));
      return profile.head;
    },
  };
}

/** Prints the bytes sampled per `unit` (a subscription, a request), by allocating function and by innermost `src/` function. */
export function printAllocations(head: SamplingNode, units: number, unit: string): void {
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
  console.log(`${(total / units / 1024).toFixed(1)} KB allocated per ${unit} (sampled, garbage included), over ${units} ${unit}s`);
  const table = (sizes: Map<string, number>) =>
    [...sizes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([where, bytes]) => ({ where, [`bytes/${unit}`]: (bytes / units).toFixed(0), share: `${((bytes / total) * 100).toFixed(1)} %` }));
  console.log('\nby the allocating function');
  console.table(table(bySelf));
  console.log('\nby the innermost function of src/ on the stack');
  console.table(table(byOwnCode));
}

function frameName(frame: CallFrame): string {
  const where = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/src\//, 'src/').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

/** The server's inspector, over its WebSocket: `call` sends a method and resolves with its result. */
async function connectInspector(port: number): Promise<{ call(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error('the server has no inspector target');
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
