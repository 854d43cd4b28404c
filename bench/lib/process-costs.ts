/**
 * What a server process costs, read from outside it: CPU per thread (from /proc) and
 * its system calls (`strace -c`). The CPU tools (`read/cpu-per-request.ts`,
 * `dispatch/cpu-per-mutation.ts`) divide both by the requests answered.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';

/** CPU ms (user and system) of the process's threads, the main thread's apart from its helpers' (V8's GC and compiler, libuv's pool). */
export function threadCpu(pid: number): Map<string, { user: number; system: number }> {
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
export function startStrace(pid: number): { stop(): Promise<Array<[string, number]>> } {
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

/**
 * CPU ticks (user and system) of every PostgreSQL process on this machine, the backends
 * included, by pid: read before and after a load, `databaseCpuSince` says what the
 * database spent meanwhile. Counts any other PostgreSQL running here too, so it is meant
 * for a quiet machine, as the CPU tools are.
 */
export function databaseCpuTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended between the listing and the read
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(entry, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/** CPU ms PostgreSQL spent since `before` (`databaseCpuTicks`): a backend that ended meanwhile is left out, one that started counts whole. */
export function databaseCpuSince(before: ReadonlyMap<string, number>): number {
  let ticks = 0;
  for (const [pid, now] of databaseCpuTicks()) ticks += now - (before.get(pid) ?? 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}
