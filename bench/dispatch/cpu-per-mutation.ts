/**
 * The CPU a mutation costs, the gateway's against the dispatch floor's: starts both as
 * the dispatch benchmark does (each its own process), loads each with one mutation at
 * one concurrency, and prints the server process's CPU time (user + system, from /proc)
 * per answered mutation. With `--strace` it also counts the server's system calls over
 * the measured window (`strace -c -f`), per mutation: on this machine a socket write
 * costs as much as a few hundred lines of JavaScript, so the count of writes is part of
 * the CPU story. With `LEADGRAPH_BENCH_CPU_PROF=<dir>` the gateway writes a V8 CPU
 * profile there when it stops.
 *
 *   npx tsx bench/dispatch/cpu-per-mutation.ts [--only reportLeadEvent,updateApplication] [--connections 1] [--seconds 5] [--rounds 2] [--strace]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startNodeScript } from '../lib/child-process.js';
import { serverNode } from '../lib/server-node.js';
import { startBenchGateway } from '../lib/gateway.js';
import { type LoadRequest, runLoad } from '../lib/load.js';
import { standaloneRun } from '../lib/standalone-run.js';
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
  },
  strict: true,
});
const only = new Set(values.only.split(',').map((name) => name.trim()));
const connections = Number(values.connections);
const seconds = Number(values.seconds);

await standaloneRun(Number(values.leads), async ({ database, data, sandboxes, adminKey, defer }) => {
  const gateway = await startBenchGateway(database.url, sandboxes.env);
  defer(() => gateway.stop());
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
    { name: 'floor', origin: floorOrigin, pid: floor.pid, build: (workload: DispatchWorkload) => workload.floor },
  ];
  const next = new Map<string, number>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workload of workloads) {
      for (const target of servers) {
        const key = `${workload.name} ${target.name}`;
        const request = (): LoadRequest => {
          const n = next.get(key) ?? 0;
          next.set(key, n + 1);
          return target.build(workload)(n);
        };
        await runLoad({ origin: target.origin, connections, seconds: 1, request, check: workload.gatewayCheck });
        const trace = values.strace ? startStrace(target.pid) : undefined;
        const before = cpuMillis(target.pid);
        const threadsBefore = threadCpu(target.pid);
        const result = await runLoad({ origin: target.origin, connections, seconds, request, check: workload.gatewayCheck });
        const cpu = cpuMillis(target.pid) - before;
        const answered = Math.max(1, result.throughput * result.seconds);
        console.log(
          `${key.padEnd(26)} c=${connections} round ${round + 1}: ${result.throughput.toFixed(0)} mut/s, p50 ${result.latency.p50.toFixed(2)} ms, ` +
            `CPU ${(cpu / answered).toFixed(3)} ms per mutation, wrong ${result.wrong + result.errors}`,
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

/** CPU ms (user and system) of the process's threads, the main thread's apart from its helpers' (V8's GC and compiler, libuv's pool). */
function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const byName = new Map<string, { user: number; system: number }>();
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // Node names every thread `node`: the main thread (JavaScript) is the one whose id is the process's.
    const name = task === String(pid) ? 'main' : 'helpers';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sum = byName.get(name) ?? { user: 0, system: 0 };
    // utime and stime (fields 14 and 15 of stat(5)), in USER_HZ (100 on Linux).
    sum.user += Number(fields[11]) * 10;
    sum.system += Number(fields[12]) * 10;
    byName.set(name, sum);
  }
  return byName;
}

/** `strace -c -f` attached to `pid` until `stop()`, which answers each system call's count (most frequent first). */
function startStrace(pid: number): { stop(): Promise<Array<[string, number]>> } {
  const child = spawn('strace', ['-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let report = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (report += chunk));
  return {
    async stop() {
      child.kill('SIGINT');
      await once(child, 'exit');
      // A row: % time, seconds, usecs/call, calls, [errors], syscall.
      const counts: Array<[string, number]> = [];
      for (const line of report.split('\n')) {
        const fields = line.trim().split(/\s+/);
        const call = fields.at(-1);
        if (fields.length < 5 || call === undefined || !/^[a-z_0-9]+$/.test(call) || call === 'total') continue;
        const calls = Number(fields[3]);
        if (Number.isFinite(calls)) counts.push([call, calls]);
      }
      return counts.sort((a, b) => b[1] - a[1]).slice(0, 12);
    },
  };
}
