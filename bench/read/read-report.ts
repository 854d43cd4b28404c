import { type TargetCheck } from '../lib/bench-run.js';
import { type LoadResult } from '../lib/load.js';
import { type BenchProfile } from '../lib/profile.js';
import { printTable } from '../lib/report.js';
import { ratio } from '../lib/stats.js';
import { type ServerName, type Workload } from './servers.js';
import { type VerifiedAnswers } from './verify.js';

/** One load of one workload against one server. */
export interface ReadMeasurement extends LoadResult {
  readonly workload: Workload;
  readonly server: ServerName;
  /** The server process's resident memory right after the load. */
  readonly residentMiB: number;
}

const LABEL: Record<Workload, string> = { leads: 'leads(first: 50)', lead: 'lead(id)' };

/** The gateway's targets (issue #23), as ratios of throughput measured in the same run. */
const TARGETS: Record<Workload, { readonly peer: number; readonly floor: number }> = {
  leads: { peer: 1.2, floor: 0.5 },
  lead: { peer: 1.2, floor: 0.4 },
};

function find(measurements: readonly ReadMeasurement[], workload: Workload, connections: number, server: ServerName) {
  return measurements.find((m) => m.workload === workload && m.connections === connections && m.server === server);
}

/** Throughput ratios of one workload at one concurrency. */
export function ratiosAt(measurements: readonly ReadMeasurement[], workload: Workload, connections: number) {
  const rate = (server: ServerName) => find(measurements, workload, connections, server)?.throughput ?? Number.NaN;
  return {
    gatewayPerPeer: ratio(rate('gateway'), rate('peer')),
    gatewayPerFloor: ratio(rate('gateway'), rate('floor')),
    peerPerFloor: ratio(rate('peer'), rate('floor')),
  };
}

export function printReadTables(profile: BenchProfile, measurements: readonly ReadMeasurement[], verified: VerifiedAnswers): void {
  printTable(
    `Read: ${profile.readSeconds} s per load after ${profile.warmupSeconds} s warm-up, ${profile.leads} leads; lead(id) rotates over all of them`,
    measurements.map((m) => ({
      workload: LABEL[m.workload],
      c: m.connections,
      server: m.server,
      'req/s': m.throughput,
      'p50 ms': m.latency.p50,
      'p99 ms': m.latency.p99,
      'KiB/answer': verified.bodyBytes[m.server][m.workload] / 1024,
      'RSS MiB': m.residentMiB,
      wrong: m.wrong + m.errors,
    })),
  );
  const rows = [];
  for (const workload of ['leads', 'lead'] as const) {
    for (const connections of profile.concurrencies) {
      const r = ratiosAt(measurements, workload, connections);
      rows.push({ workload: LABEL[workload], c: connections, 'gateway/peer': r.gatewayPerPeer, 'gateway/floor': r.gatewayPerFloor, 'peer/floor': r.peerPerFloor });
    }
  }
  const targets = (['leads', 'lead'] as const).map((workload) => `${LABEL[workload]} gateway/peer >= ${TARGETS[workload].peer}, gateway/floor >= ${TARGETS[workload].floor}`).join('; ');
  printTable(`Read ratios (targets at the highest concurrency: ${targets}; the floor authenticates nothing, the gateway checks an API key per request)`, rows);
}

/**
 * Correctness: no wrong answer during any load. Performance: at the highest concurrency
 * of the profile (64 in full, 16 in quick), the gateway's throughput against the peer's
 * and the floor's, for both workloads.
 */
export function readTargets(profile: BenchProfile, measurements: readonly ReadMeasurement[], verified: VerifiedAnswers): TargetCheck[] {
  const wrong = measurements.reduce((sum, m) => sum + m.wrong + m.errors, 0);
  const requests = measurements.reduce((sum, m) => sum + m.requests, 0);
  const firstWrong = measurements.find((m) => m.firstWrong !== undefined);
  const checks: TargetCheck[] = [
    ...verified.checks,
    {
      kind: 'correctness',
      target: 'read: zero wrong answers during the loads (all three servers)',
      measured: wrong === 0 ? `0 of ${requests}` : `${wrong} of ${requests}; first (${firstWrong?.server ?? '?'}): ${firstWrong?.firstWrong?.slice(0, 200) ?? 'socket errors'}`,
      met: wrong === 0,
    },
  ];
  const top = Math.max(...profile.concurrencies);
  for (const workload of ['leads', 'lead'] as const) {
    const r = ratiosAt(measurements, workload, top);
    checks.push(
      {
        kind: 'performance',
        target: `read ${LABEL[workload]} c=${top}: gateway >= ${TARGETS[workload].peer.toFixed(1)}x peer (PostGraphile)`,
        measured: `${r.gatewayPerPeer.toFixed(2)}x`,
        met: r.gatewayPerPeer >= TARGETS[workload].peer,
      },
      {
        kind: 'performance',
        target: `read ${LABEL[workload]} c=${top}: gateway >= ${TARGETS[workload].floor.toFixed(1)}x floor`,
        measured: `${r.gatewayPerFloor.toFixed(2)}x`,
        met: r.gatewayPerFloor >= TARGETS[workload].floor,
      },
    );
  }
  return checks;
}
