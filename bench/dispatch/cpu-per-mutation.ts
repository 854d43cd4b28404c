/**
 * The CPU a mutation costs, the gateway's against the dispatch floor's: starts both as
 * the dispatch benchmark does (each its own process), loads each with one mutation at
 * one concurrency, and prints the server process's CPU time (user + system, from /proc)
 * per answered mutation, and PostgreSQL's beside it. With `--strace` it also counts the server's system calls over
 * the measured window (`strace -c -f`), per mutation: on this machine a socket write
 * costs as much as a few hundred lines of JavaScript, so the count of writes is part of
 * the CPU story. With `LEADGRAPH_BENCH_CPU_PROF=<dir>` the gateway writes a V8 CPU
 * profile there when it stops. With `--baseline <checkout>` a second gateway, built from
 * that other checkout (with its own `node_modules`), is measured too, in turn with this
 * one, round after round: on this shared machine the CPU a mutation costs drifts by tens
 * of percent within minutes, so two versions compare best interleaved in one run
 * (short rounds, several of them).
 *
 *   npx tsx bench/dispatch/cpu-per-mutation.ts [--only reportLeadEvent,updateApplication] [--connections 1] [--seconds 5] [--rounds 2] [--strace] [--baseline ../other-checkout]
 */
import { parseArgs } from 'node:util';
import { startNodeScript } from '../lib/child-process.js';
import { serverNode } from '../lib/server-node.js';
import { startBenchGateway } from '../lib/gateway.js';
import { type LoadRequest, runLoad } from '../lib/load.js';
import { databaseCpuSince, databaseCpuTicks, startStrace, threadCpu } from '../lib/process-costs.js';
import { inTurn, standaloneRun } from '../lib/standalone-run.js';
import { cpuMillis } from '../stream/gateway-probe.js';
import { leadBankToken } from './lead-bank-token.js';
import { type DispatchTargets, type DispatchWorkload, reportLeadEventWorkload, updateApplicationWorkload } from './workloads.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'reportLeadEvent,updateApplication' },
    connections: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    leads: { type: 'string', default: '2000' },
    strace: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
  strict: true,
});
const only = new Set(values.only.split(',').map((name) => name.trim()));
const connections = Number(values.connections);
const seconds = Number(values.seconds);

await standaloneRun(Number(values.leads), async ({ database, data, sandboxes, adminKey, defer }) => {
  const gateway = await startBenchGateway(database.url, sandboxes.env);
  defer(() => gateway.stop());
  const baseline = values.baseline === undefined ? undefined : await startBenchGateway(database.url, sandboxes.env, {}, values.baseline);
  if (baseline !== undefined) defer(() => baseline.stop());
  const floor = startNodeScript('bench/dispatch/floor-server.ts', [database.url, '10', JSON.stringify({ techea: sandboxes.techea, leadBank: sandboxes.leadBank })], {
    readyPattern: /DISPATCH_FLOOR_READY (\S+)/,
    node: await serverNode(),
  });
  defer(() => floor.stop());
  const floorOrigin = (await floor.ready)[1] ?? '';
  const targets: DispatchTargets = {
    gatewayPath: new URL(gateway.url).pathname,
    apiKey: adminKey,
    techea: { baseUrl: new URL(sandboxes.techea.baseUrl), apiKey: sandboxes.techea.apiKey },
    leadBank: { baseUrl: new URL(sandboxes.leadBank.baseUrl), bearerToken: await leadBankToken(sandboxes.leadBank) },
  };
  const workloads = [reportLeadEventWorkload(data, targets), updateApplicationWorkload(data, targets)].filter((workload) => only.has(workload.name));
  const servers = [
    { name: 'gateway', origin: new URL(gateway.url).origin, pid: gateway.process.pid, build: (workload: DispatchWorkload) => workload.gateway },
    ...(baseline === undefined ? [] : [{ name: 'baseline', origin: new URL(baseline.url).origin, pid: baseline.process.pid, build: (workload: DispatchWorkload) => workload.gateway }]),
    { name: 'floor', origin: floorOrigin, pid: floor.pid, build: (workload: DispatchWorkload) => workload.floor },
  ];
  const next = new Map<string, number>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workload of workloads) {
      // Each round starts with the next server: whoever goes second was seen to find the machine slower.
      for (const target of inTurn(servers, round)) {
        const key = `${workload.name} ${target.name}`;
        // The two gateways take turns through one sequence: neither repeats a mutation the other sent.
        const sequence = `${workload.name} ${target.name === 'baseline' ? 'gateway' : target.name}`;
        const request = (): LoadRequest => {
          const n = next.get(sequence) ?? 0;
          next.set(sequence, n + 1);
          return target.build(workload)(n);
        };
        await runLoad({ origin: target.origin, connections, seconds: 1, request, check: workload.gatewayCheck });
        const trace = values.strace ? startStrace(target.pid) : undefined;
        const before = cpuMillis(target.pid);
        const threadsBefore = threadCpu(target.pid);
        const databaseBefore = databaseCpuTicks();
        const result = await runLoad({ origin: target.origin, connections, seconds, request, check: workload.gatewayCheck });
        const cpu = cpuMillis(target.pid) - before;
        const databaseCpu = databaseCpuSince(databaseBefore);
        const answered = Math.max(1, result.throughput * result.seconds);
        console.log(
          `${key.padEnd(26)} c=${connections} round ${round + 1}: ${result.throughput.toFixed(0)} mut/s, p50 ${result.latency.p50.toFixed(2)} ms, ` +
            `CPU ${(cpu / answered).toFixed(3)} ms per mutation, PostgreSQL ${(databaseCpu / answered).toFixed(3)} ms, wrong ${result.wrong + result.errors}`,
        );
        const threadsAfter = threadCpu(target.pid);
        const byThread = [...threadsAfter]
          .map(([name, after]) => {
            const earlier = threadsBefore.get(name) ?? { user: 0, system: 0 };
            return `${name} ${((after.user - earlier.user) / answered).toFixed(3)}+${((after.system - earlier.system) / answered).toFixed(3)}`;
          })
          .join(', ');
        console.log(`    CPU ms per mutation by thread (user+system): ${byThread}`);
        if (trace !== undefined) {
          for (const [call, count] of await trace.stop()) console.log(`    ${call.padEnd(16)} ${(count / answered).toFixed(2)} per mutation`);
        }
      }
    }
  }
});
