/**
 * The gateway's CPU per read request: starts a gateway as the read benchmark does (its
 * own process, production), loads it with `lead(id)` and `leads(first: 50)` at one
 * concurrency, and prints the gateway process's CPU time (user + system, from /proc)
 * divided by the requests it answered. On a machine shared with other work, throughput
 * moves with the neighbours; the CPU a request costs moves much less, so this is the
 * number to compare a change by (issue #23). With `LEADGRAPH_BENCH_CPU_PROF=<dir>` the
 * gateway writes a V8 CPU profile there when it stops; with `--allocations`, what each
 * measured load allocated per request, garbage included (`lib/allocation-sampler.ts`).
 * `--servers gateway,floor,peer` measures the read floor and PostGraphile too, each its
 * own process, one after the other in every round; `--strace` counts each server's
 * system calls per request (`lib/process-costs.ts`). Beside each server's CPU it prints
 * PostgreSQL's (every `postgres` process here) per request. `--baseline <checkout>` adds
 * a gateway built from that other checkout (with its own `node_modules`), measured in
 * turn with this one: two versions compare best interleaved in one run, in short rounds.
 *
 *   npx tsx bench/read/cpu-per-request.ts [--only lead,leads] [--servers gateway] [--connections 4] [--seconds 5] [--rounds 2] [--leads 500] [--allocations] [--strace] [--baseline ../other-checkout]
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { printAllocations, sampleAllocations } from '../lib/allocation-sampler.js';
import { runLoad } from '../lib/load.js';
import { inTurn, standaloneRun } from '../lib/standalone-run.js';
import { databaseCpuSince, databaseCpuTicks, startStrace } from '../lib/process-costs.js';
import { ensurePeerInstalled } from './peer-install.js';
import { cpuMillis } from '../stream/gateway-probe.js';
import { type ReadServer, type ServerName, startFloorServer, startGatewayServer, startPeerServer, type Workload } from './servers.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'lead,leads' },
    connections: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    leads: { type: 'string', default: '500' },
    allocations: { type: 'boolean', default: false },
    servers: { type: 'string', default: 'gateway' },
    strace: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
  strict: true,
});
/** The gateway's inspector, with `--allocations`. */
const INSPECTOR_PORT = 9340;
const workloads = values.only.split(',').map((name) => name.trim()) as Workload[];
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const serverNames = values.servers.split(',').map((name) => name.trim()) as ServerName[];

await standaloneRun(Number(values.leads), async (run) => {
  if (serverNames.includes('peer')) await ensurePeerInstalled();
  const servers: ReadServer[] = [];
  for (const name of serverNames) {
    const server =
      name === 'gateway'
        ? await startGatewayServer(run, values.allocations ? { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` } : {})
        : name === 'floor'
          ? await startFloorServer(run)
          : await startPeerServer(run);
    run.defer(() => server.stop());
    servers.push(server);
    if (name === 'gateway' && values.baseline !== undefined) {
      const baseline = await startGatewayServer(run, {}, values.baseline);
      run.defer(() => baseline.stop());
      servers.push(baseline);
    }
  }
  // The answers under load must be the ones a single request got before any load.
  const expected = new Map<string, Map<string, string>>();
  for (const server of servers) {
    for (const workload of workloads) {
      const answers = new Map<string, string>();
      for (const id of run.data.leadIds.slice(0, 12)) answers.set(id, await sendAgain(server, workload, id));
      expected.set(`${server.label} ${workload}`, answers);
    }
  }
  // Two versions of the gateway must answer the same bytes: a change that saves CPU must not change an answer.
  for (const workload of workloads) {
    const baseline = expected.get(`baseline ${workload}`);
    for (const [id, body] of baseline === undefined ? [] : (expected.get(`gateway ${workload}`) ?? [])) {
      if (baseline?.get(id) !== body) throw new Error(`gateway and baseline answer ${workload} ${id} differently:\n${body.slice(0, 300)}\n---\n${baseline?.get(id)?.slice(0, 300) ?? ''}`);
    }
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workload of workloads) {
      // Each round starts with the next server: whoever goes second was seen to find the machine slower.
      for (const server of inTurn(servers, round)) {
        const request = (n: number) => server.request(workload, run.data.leadIds[n % run.data.leadIds.length] ?? '');
        const check = (status: number, body: string) => status === 200 && !body.includes('"errors"');
        await runLoad({ origin: server.origin, connections, seconds: 1, request, check });
        const sampling = values.allocations && server.label === 'gateway' ? await sampleAllocations(INSPECTOR_PORT) : undefined;
        const trace = values.strace ? startStrace(server.process.pid) : undefined;
        const before = cpuMillis(server.process.pid);
        const databaseBefore = databaseCpuTicks();
        const result = await runLoad({ origin: server.origin, connections, seconds, request, check });
        const cpu = cpuMillis(server.process.pid) - before;
        const databaseCpu = databaseCpuSince(databaseBefore);
        const answered = result.throughput * result.seconds;
        const calls = trace === undefined ? [] : await trace.stop();
        if (sampling !== undefined) printAllocations(await sampling.stop(), Math.round(answered), `${workload} request`);
        for (const [id, body] of expected.get(`${server.label} ${workload}`) ?? []) {
          const again = await sendAgain(server, workload, id);
          if (again !== body) {
            throw new Error(`${server.label} ${workload} ${id}: the answer changed: ${body.length} bytes, then ${again.length}:\n${body.slice(0, 300)}\n---\n${again.slice(0, 300)}`);
          }
        }
        console.log(
          `${`${workload} ${server.label}`.padEnd(14)} c=${connections} round ${round + 1}: ${result.throughput.toFixed(0)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, ` +
            `CPU ${(cpu / Math.max(1, answered)).toFixed(3)} ms per request (${cpu} ms over ${answered.toFixed(0)} answers), ` +
            `PostgreSQL ${(databaseCpu / Math.max(1, answered)).toFixed(3)} ms, wrong ${result.wrong}`,
        );
        for (const [call, count] of calls) console.log(`    ${call.padEnd(16)} ${(count / Math.max(1, answered)).toFixed(2)} per request`);
      }
    }
  }
});

/**
 * One request's status and body, on a connection of its own. Right after a load, Node's
 * server has been seen to answer a new connection 400 (and a reused one 408) for a few
 * seconds: such an answer is asked again, up to 10 times, a second apart.
 */
async function sendAgain(gateway: ReadServer, workload: Workload, id: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await sendOnce(gateway, workload, id);
    if (answer.startsWith('200 ') || attempt === 10) return answer;
    if (process.env.DEBUG_SEND) console.log(`${workload}: ${answer.slice(0, 100)}, asking again`);
    await sleep(1_000);
  }
}

function sendOnce(gateway: ReadServer, workload: Workload, id: string): Promise<string> {
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
