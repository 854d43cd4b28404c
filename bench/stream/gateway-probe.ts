import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
export function cpuMillis(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat(5))
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** The gateway's `leadgraph_subscriptions_open` gauge (subscribers registered with its change hub). */
export async function openSubscriptions(httpUrl: string, metricsToken: string): Promise<number> {
  const response = await fetch(new URL('/metrics', httpUrl), { headers: { authorization: `Bearer ${metricsToken}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`/metrics answered ${response.status}: ${text.slice(0, 300)}`);
  const value = /^leadgraph_subscriptions_open (\d+)/m.exec(text)?.[1];
  if (value === undefined) throw new Error('/metrics has no leadgraph_subscriptions_open');
  return Number(value);
}

/**
 * Resolves once the gateway has `count` subscriptions registered with its change hub:
 * from then on every committed change reaches every one of them. graphql-ws has no
 * per-subscription acknowledgement, so the gateway's own gauge is the signal; it is
 * read every 100 ms until it holds (a wait on a condition, not a fixed sleep), and
 * rejects if it does not within `timeoutMs`.
 */
export async function untilSubscriptions(httpUrl: string, metricsToken: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const open = await openSubscriptions(httpUrl, metricsToken);
    if (open === count) return;
    if (open > count) throw new Error(`the gateway has ${open} subscriptions open, more than the ${count} opened`);
    if (performance.now() > deadline) throw new Error(`only ${open} of ${count} subscriptions became live within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Busy and total CPU time of the whole machine so far (all cores), in ticks, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}
