import { endpoint } from '../../src/providers/http-client.js';
import { type Benchmark, type TargetCheck } from '../lib/bench-run.js';
import { withClient } from '../lib/bench-database.js';
import { startBenchGateway } from '../lib/gateway.js';
import { type LoadResult, runLoad } from '../lib/load.js';
import { printTable, writeResult } from '../lib/report.js';
import { type DispatchTargets, type DispatchWorkload, reportLeadEventWorkload, updateApplicationWorkload } from './workloads.js';

/** One workload at one concurrency: the direct provider call and the mutation, back to back. */
interface DispatchRow {
  readonly operation: string;
  readonly connections: number;
  readonly direct: LoadResult;
  readonly gateway: LoadResult;
  /** Gateway latency minus direct latency, at the same quantile (ms). */
  readonly overheadP50: number;
  readonly overheadP99: number;
}

const TARGET_OVERHEAD_P50_MS = 3;
const TARGET_OVERHEAD_P99_MS = 15;
const TARGET_THROUGHPUT = 400;

/**
 * Mutations that dispatch to a provider, against sandboxes with no added latency, at
 * each concurrency: the gateway's throughput and latency, and its overhead over the
 * same provider call made directly by the same load client in the same run. Each
 * mutation waits for its provider's answer (the first attempt is made inline), so the
 * overhead is everything the gateway adds: authentication, validation, the outbox row,
 * applying the result with its status change, and the GraphQL answer.
 */
export const dispatchBench: Benchmark = async (run) => {
  const { profile, data, sandboxes } = run;
  const gateway = await startBenchGateway(run.database.url, sandboxes.env);
  try {
    const origin = new URL(gateway.url).origin;
    const targets: DispatchTargets = {
      gatewayPath: new URL(gateway.url).pathname,
      apiKey: run.adminKey,
      techea: { baseUrl: new URL(sandboxes.techea.baseUrl), apiKey: sandboxes.techea.apiKey },
      leadBank: { baseUrl: new URL(sandboxes.leadBank.baseUrl), bearerToken: await leadBankToken(sandboxes.leadBank) },
    };
    const rows: DispatchRow[] = [];
    for (const workload of [reportLeadEventWorkload(data, targets), updateApplicationWorkload(data, targets)]) {
      const providerOrigin = new URL(workload.provider === 'TECHEA' ? sandboxes.techea.baseUrl : sandboxes.leadBank.baseUrl).origin;
      const direct = sequence((n) => workload.direct(n));
      const viaGateway = sequence((n) => workload.gateway(n));
      for (const connections of profile.concurrencies) {
        const measure = async (target: string, request: (n: number) => ReturnType<DispatchWorkload['direct']>, check: DispatchWorkload['directCheck']) => {
          await runLoad({ origin: target, connections, seconds: profile.warmupSeconds, request, check });
          return runLoad({ origin: target, connections, seconds: profile.dispatchSeconds, request, check });
        };
        const directResult = await measure(providerOrigin, direct, workload.directCheck);
        const gatewayResult = await measure(origin, viaGateway, workload.gatewayCheck);
        rows.push({
          operation: workload.name,
          connections,
          direct: directResult,
          gateway: gatewayResult,
          overheadP50: gatewayResult.latency.p50 - directResult.latency.p50,
          overheadP99: gatewayResult.latency.p99 - directResult.latency.p99,
        });
      }
    }
    const outbox = await settledOutbox(run.database.url);

    printTable(
      'Dispatch: mutation through the gateway vs the same provider call made directly (sandboxes at zero latency)',
      rows.map((row) => ({
        operation: row.operation,
        c: row.connections,
        'direct req/s': row.direct.throughput,
        'direct p50': row.direct.latency.p50,
        'direct p99': row.direct.latency.p99,
        'gateway mut/s': row.gateway.throughput,
        'gateway p50': row.gateway.latency.p50,
        'gateway p99': row.gateway.latency.p99,
        'overhead p50': row.overheadP50,
        'overhead p99': row.overheadP99,
        wrong: row.direct.wrong + row.gateway.wrong + row.direct.errors + row.gateway.errors,
      })),
    );
    printTable('Outbox after the run (every mutation is one dispatch row)', [outbox]);
    await writeResult(profile.name, 'dispatch', { rows, outbox, units: 'latency in ms, throughput per second' });
    return targetChecks(rows, outbox);
  } finally {
    await gateway.stop();
  }
};

/** A request builder that keeps counting across load runs, so no request repeats an earlier one. */
function sequence<T>(build: (n: number) => T): () => T {
  let next = 0;
  return () => build(next++);
}

async function leadBankToken(leadBank: { baseUrl: string; clientId: string; clientSecret: string }): Promise<string> {
  const response = await fetch(endpoint(new URL(leadBank.baseUrl), 'v1/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: leadBank.clientId, client_secret: leadBank.clientSecret }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || body.access_token === undefined) throw new Error(`the Lead Bank sandbox refused a token (${response.status})`);
  return body.access_token;
}

interface OutboxState {
  readonly dispatches: number;
  readonly succeeded: number;
  readonly pending: number;
  readonly failed: number;
  readonly attempts: number;
}

const DRAIN_LIMIT_MS = 30_000;

/**
 * The outbox once the mutations still in flight when the last load stopped have settled
 * (the load client stops waiting; the gateway does not). Polled: it is the database
 * state, and nothing else announces it.
 */
async function settledOutbox(databaseUrl: string): Promise<OutboxState> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    const state = await outboxState(databaseUrl);
    if (state.pending === 0 || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function outboxState(databaseUrl: string): Promise<OutboxState> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ [K in keyof OutboxState]: number }>(
      `SELECT count(*)::int AS dispatches,
              count(*) FILTER (WHERE state = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE state = 'PENDING')::int AS pending,
              count(*) FILTER (WHERE state = 'FAILED')::int AS failed,
              coalesce(sum(attempts), 0)::int AS attempts
         FROM dispatch`,
    );
    const state = rows[0];
    if (state === undefined) throw new Error('no outbox state');
    return state;
  });
}

function targetChecks(rows: readonly DispatchRow[], outbox: OutboxState): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const wrong = rows.reduce((sum, row) => sum + row.direct.wrong + row.gateway.wrong + row.direct.errors + row.gateway.errors, 0);
  checks.push({ kind: 'correctness', target: 'dispatch: every answer right (SUCCEEDED at the first attempt)', measured: `${wrong} wrong`, met: wrong === 0 });
  const exactlyOnce = outbox.succeeded === outbox.dispatches && outbox.attempts === outbox.dispatches;
  checks.push({
    kind: 'correctness',
    target: 'dispatch: every dispatch SUCCEEDED, one attempt each',
    measured: `${outbox.succeeded}/${outbox.dispatches} succeeded, ${outbox.attempts} attempts`,
    met: exactlyOnce,
  });
  const highest = Math.max(...rows.map((row) => row.connections));
  const middle = rows.some((row) => row.connections === 16) ? 16 : highest;
  for (const row of rows) {
    if (row.connections === middle) {
      checks.push({
        kind: 'performance',
        target: `dispatch ${row.operation} c=${middle}: overhead p50 ≤ ${TARGET_OVERHEAD_P50_MS} ms, p99 ≤ ${TARGET_OVERHEAD_P99_MS} ms`,
        measured: `p50 ${row.overheadP50.toFixed(2)} ms, p99 ${row.overheadP99.toFixed(2)} ms`,
        met: row.overheadP50 <= TARGET_OVERHEAD_P50_MS && row.overheadP99 <= TARGET_OVERHEAD_P99_MS,
      });
    }
    if (row.connections === highest) {
      checks.push({
        kind: 'performance',
        target: `dispatch ${row.operation} c=${highest}: ≥ ${TARGET_THROUGHPUT} mutations/s`,
        measured: `${row.gateway.throughput.toFixed(0)}/s`,
        met: row.gateway.throughput >= TARGET_THROUGHPUT,
      });
    }
  }
  return checks;
}
