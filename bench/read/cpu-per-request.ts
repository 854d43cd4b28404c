/**
 * The gateway's CPU per read request: starts a gateway as the read benchmark does (its
 * own process, production), loads it with `lead(id)` and `leads(first: 50)` at one
 * concurrency, and prints the gateway process's CPU time (user + system, from /proc)
 * divided by the requests it answered. On a machine shared with other work, throughput
 * moves with the neighbours; the CPU a request costs moves much less, so this is the
 * number to compare a change by (issue #23). With `LEADGRAPH_BENCH_CPU_PROF=<dir>` the
 * gateway writes a V8 CPU profile there when it stops; with `--allocations`, what each
 * measured load allocated per request, garbage included (`lib/allocation-sampler.ts`).
 *
 *   npx tsx bench/read/cpu-per-request.ts [--only lead,leads] [--connections 4] [--seconds 5] [--rounds 2] [--leads 500] [--allocations]
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { printAllocations, sampleAllocations } from '../lib/allocation-sampler.js';
import { runLoad } from '../lib/load.js';
import { standaloneRun } from '../lib/standalone-run.js';
import { cpuMillis } from '../stream/gateway-probe.js';
import { startGatewayServer, type Workload } from './servers.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'lead,leads' },
    connections: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    leads: { type: 'string', default: '500' },
    allocations: { type: 'boolean', default: false },
  },
  strict: true,
});
/** The gateway's inspector, with `--allocations`. */
const INSPECTOR_PORT = 9340;
const workloads = values.only.split(',').map((name) => name.trim()) as Workload[];
const connections = Number(values.connections);
const seconds = Number(values.seconds);

await standaloneRun(Number(values.leads), async ({ database, data, sandboxes, adminKey, defer }) => {
  const gateway = await startGatewayServer(
    { database, data, sandboxes, adminKey } as Parameters<typeof startGatewayServer>[0],
    values.allocations ? { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` } : {},
  );
  defer(() => gateway.stop());
  // The answers under load must be the ones a single request got before any load.
  const expected = new Map<Workload, Map<string, string>>();
  for (const workload of workloads) {
    const answers = new Map<string, string>();
    for (const id of data.leadIds.slice(0, 12)) answers.set(id, await sendAgain(gateway, workload, id));
    expected.set(workload, answers);
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workload of workloads) {
      const request = (n: number) => gateway.request(workload, data.leadIds[n % data.leadIds.length] ?? '');
      const check = (status: number, body: string) => status === 200 && !body.includes('"errors"');
      await runLoad({ origin: gateway.origin, connections, seconds: 1, request, check });
      const sampling = values.allocations ? await sampleAllocations(INSPECTOR_PORT) : undefined;
      const before = cpuMillis(gateway.process.pid);
      const result = await runLoad({ origin: gateway.origin, connections, seconds, request, check });
      const cpu = cpuMillis(gateway.process.pid) - before;
      const answered = result.throughput * result.seconds;
      if (sampling !== undefined) printAllocations(await sampling.stop(), Math.round(answered), `${workload} request`);
      for (const [id, body] of expected.get(workload) ?? []) {
        const again = await sendAgain(gateway, workload, id);
        if (again !== body) {
          throw new Error(`${workload} ${id}: the answer changed: ${body.length} bytes, then ${again.length}:\n${body.slice(0, 300)}\n---\n${again.slice(0, 300)}`);
        }
      }
      console.log(
        `${workload.padEnd(5)} c=${connections} round ${round + 1}: ${result.throughput.toFixed(0)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, ` +
          `gateway CPU ${(cpu / Math.max(1, answered)).toFixed(3)} ms per request (${cpu} ms over ${answered.toFixed(0)} answers), wrong ${result.wrong}`,
      );
    }
  }
});

/**
 * One request's status and body, on a connection of its own. Right after a load, Node's
 * server has been seen to answer a new connection 400 (and a reused one 408) for a few
 * seconds: such an answer is asked again, up to 10 times, a second apart.
 */
async function sendAgain(gateway: Awaited<ReturnType<typeof startGatewayServer>>, workload: Workload, id: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await sendOnce(gateway, workload, id);
    if (answer.startsWith('200 ') || attempt === 10) return answer;
    if (process.env.DEBUG_SEND) console.log(`${workload}: ${answer.slice(0, 100)}, asking again`);
    await sleep(1_000);
  }
}

function sendOnce(gateway: Awaited<ReturnType<typeof startGatewayServer>>, workload: Workload, id: string): Promise<string> {
  const request = gateway.request(workload, id);
  return new Promise((resolve) => {
    const sent = http.request(`${gateway.origin}${request.path}`, { method: request.method, headers: request.headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(`${response.statusCode} ${body}`));
      response.on('error', (error) => resolve(`0 ${String(error)}`));
    });
    sent.on('error', (error) => resolve(`0 ${String(error)}`));
    sent.end(request.body);
  });
}
