import { deriveStage, type StageFacts } from '../../src/domain/stage-table.js';
import { type LeadEvent, type LeadStage } from '../../src/domain/vocabulary.js';
import { type Benchmark, type BenchRun, type TargetCheck } from '../lib/bench-run.js';
import { type BenchProcess, startNodeScript } from '../lib/child-process.js';
import { cpuMillis } from '../stream/gateway-probe.js';
import { withClient } from '../lib/bench-database.js';
import { HISTORY_REQUEST_ID } from '../lib/data-generator.js';
import { serverNode } from '../lib/server-node.js';
import { startBenchGateway } from '../lib/gateway.js';
import { type LoadResult, runLoad } from '../lib/load.js';
import { printTable, writeResult } from '../lib/report.js';
import { leadBankToken } from './lead-bank-token.js';
import { FLOOR_REQUEST_ID_PREFIX, type FloorProviders } from './floor-sql.js';
import { type DispatchTargets, type DispatchWorkload, reportLeadEventWorkload, updateApplicationWorkload } from './workloads.js';

/** One workload at one concurrency: the direct provider call, the mutation, and the floor's same work, back to back. */
interface DispatchRow {
  readonly operation: string;
  readonly connections: number;
  readonly direct: LoadResult;
  readonly gateway: LoadResult;
  readonly floor: LoadResult;
  /** Gateway latency minus direct latency, at the same quantile (ms). */
  readonly overheadP50: number;
  readonly overheadP99: number;
  /** Floor latency minus direct latency (ms). */
  readonly floorOverheadP50: number;
  readonly floorOverheadP99: number;
  /** Gateway overhead / floor overhead at p50: 1 is the floor; the target is ≤ 1.5 at c=1. */
  readonly overheadRatio: number;
  /** Gateway throughput / floor throughput: the target is ≥ 0.7 at the highest concurrency. */
  readonly throughputRatio: number;
  /** CPU (user + system) of the server's own process per right answer, in ms: steadier than latency on a shared machine. */
  readonly gatewayCpuMs: number;
  readonly floorCpuMs: number;
}

const TARGET_OVERHEAD_P50_MS = 3;
const TARGET_OVERHEAD_RATIO = 1.5;
const TARGET_THROUGHPUT_RATIO = 0.7;

/**
 * Mutations that dispatch to a provider, against sandboxes with no added latency, at
 * each concurrency: the gateway's throughput and latency, its overhead over the same
 * provider call made directly by the same load client in the same run, and the same
 * numbers for the dispatch floor (floor-server.ts: the same durable work hand-written
 * with `pg` on `node:http`), measured right before or after the gateway (the order
 * alternates), so each ratio compares numbers taken seconds apart. Each mutation waits
 * for its provider's answer (the first attempt is made inline), so the overhead is
 * everything the server adds: authentication, validation, the outbox row, applying the
 * result with its status change, and the answer.
 */
export const dispatchBench: Benchmark = async (run) => {
  const { profile, data, sandboxes } = run;
  const gateway = await startBenchGateway(run.database.url, sandboxes.env);
  let floor: BenchProcess | undefined;
  try {
    floor = startNodeScript('bench/dispatch/floor-server.ts', [run.database.url, POOL_SIZE, JSON.stringify(floorProviders(sandboxes))], {
      readyPattern: /DISPATCH_FLOOR_READY (\S+)/,
      node: await serverNode(),
    });
    const floorOrigin = (await floor.ready)[1] ?? '';
    const floorProcess = floor;
    const origin = new URL(gateway.url).origin;
    const targets: DispatchTargets = {
      gatewayPath: new URL(gateway.url).pathname,
      apiKey: run.adminKey,
      techea: { baseUrl: new URL(sandboxes.techea.baseUrl), apiKey: sandboxes.techea.apiKey },
      leadBank: { baseUrl: new URL(sandboxes.leadBank.baseUrl), bearerToken: await leadBankToken(sandboxes.leadBank) },
    };
    const rows: DispatchRow[] = [];
    let turn = 0;
    for (const workload of [reportLeadEventWorkload(data, targets), updateApplicationWorkload(data, targets)]) {
      const providerOrigin = new URL(workload.provider === 'TECHEA' ? sandboxes.techea.baseUrl : sandboxes.leadBank.baseUrl).origin;
      const direct = sequence((n) => workload.direct(n));
      const viaGateway = sequence((n) => workload.gateway(n));
      const viaFloor = sequence((n) => workload.floor(n));
      for (const connections of profile.concurrencies) {
        const measure = async (target: string, request: (n: number) => ReturnType<DispatchWorkload['direct']>, check: DispatchWorkload['directCheck'], pid?: number) => {
          await runLoad({ origin: target, connections, seconds: profile.warmupSeconds, request, check });
          const cpuBefore = pid === undefined ? 0 : cpuMillis(pid);
          const result = await runLoad({ origin: target, connections, seconds: profile.dispatchSeconds, request, check });
          const cpuMs = pid === undefined ? 0 : (cpuMillis(pid) - cpuBefore) / Math.max(1, result.throughput * result.seconds);
          return { result, cpuMs };
        };
        const { result: directResult } = await measure(providerOrigin, direct, workload.directCheck);
        // Alternating which goes first, so neither always runs on a machine the other just warmed (or loaded).
        const gatewayFirst = turn++ % 2 === 0;
        const viaTheGateway = () => measure(origin, viaGateway, workload.gatewayCheck, gateway.process.pid);
        const viaTheFloor = () => measure(floorOrigin, viaFloor, workload.gatewayCheck, floorProcess.pid);
        const first = gatewayFirst ? await viaTheGateway() : await viaTheFloor();
        const second = gatewayFirst ? await viaTheFloor() : await viaTheGateway();
        const [{ result: gatewayResult, cpuMs: gatewayCpuMs }, { result: floorResult, cpuMs: floorCpuMs }] = gatewayFirst ? [first, second] : [second, first];
        const overheadP50 = gatewayResult.latency.p50 - directResult.latency.p50;
        const floorOverheadP50 = floorResult.latency.p50 - directResult.latency.p50;
        rows.push({
          operation: workload.name,
          connections,
          direct: directResult,
          gateway: gatewayResult,
          floor: floorResult,
          overheadP50,
          overheadP99: gatewayResult.latency.p99 - directResult.latency.p99,
          floorOverheadP50,
          floorOverheadP99: floorResult.latency.p99 - directResult.latency.p99,
          overheadRatio: overheadP50 / floorOverheadP50,
          throughputRatio: gatewayResult.throughput / floorResult.throughput,
          gatewayCpuMs,
          floorCpuMs,
        });
      }
    }
    const outbox = await settledOutbox(run.database.url);
    const applied = await appliedResults(run.database.url);

    printTable(
      'Dispatch: mutation through the gateway and through the floor vs the same provider call made directly (sandboxes at zero latency)',
      rows.map((row) => ({
        operation: row.operation,
        c: row.connections,
        'direct req/s': row.direct.throughput,
        'direct p50': row.direct.latency.p50,
        'gateway mut/s': row.gateway.throughput,
        'gateway p50': row.gateway.latency.p50,
        'gateway p99': row.gateway.latency.p99,
        'floor mut/s': row.floor.throughput,
        'floor p50': row.floor.latency.p50,
        'floor p99': row.floor.latency.p99,
        'overhead p50 gw/floor': `${row.overheadP50.toFixed(2)} / ${row.floorOverheadP50.toFixed(2)}`,
        'overhead ratio': row.overheadRatio,
        'throughput ratio': row.throughputRatio,
        'CPU ms/mut gw/floor': `${row.gatewayCpuMs.toFixed(2)} / ${row.floorCpuMs.toFixed(2)}`,
        wrong: wrongOf(row),
      })),
    );
    printTable('Outbox after the run (every mutation is one dispatch row)', [
      { server: 'gateway', ...outbox.gateway },
      { server: 'floor', ...outbox.floor },
    ]);
    printTable('Applied results (the records as the last confirmed dispatch left them)', [applied]);
    await writeResult(profile.name, 'dispatch', { rows, outbox, applied, units: 'latency in ms, throughput per second' });
    return targetChecks(rows, outbox, applied);
  } finally {
    await floor?.stop();
    await gateway.stop();
  }
};

/** The floor's pool: the gateway's default size (src/db/data-source.ts). */
const POOL_SIZE = '10';

function floorProviders(sandboxes: BenchRun['sandboxes']): FloorProviders {
  return { techea: sandboxes.techea, leadBank: sandboxes.leadBank };
}

function wrongOf(row: DispatchRow): number {
  return [row.direct, row.gateway, row.floor].reduce((sum, result) => sum + result.wrong + result.errors, 0);
}

/** A request builder that keeps counting across load runs, so no request repeats an earlier one. */
function sequence<T>(build: (n: number) => T): () => T {
  let next = 0;
  return () => build(next++);
}

interface OutboxState {
  readonly dispatches: number;
  readonly succeeded: number;
  readonly pending: number;
  readonly failed: number;
  readonly attempts: number;
  /** DISPATCH rows in the status-change log for these dispatches: one each (its end, logged once). */
  readonly endsLogged: number;
}

const DRAIN_LIMIT_MS = 30_000;

/**
 * The outbox once the mutations still in flight when the last load stopped have settled
 * (the load client stops waiting; the servers do not), the gateway's rows and the
 * floor's apart. Polled: it is the database state, and nothing else announces it.
 */
async function settledOutbox(databaseUrl: string): Promise<{ gateway: OutboxState; floor: OutboxState }> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    const state = await outboxState(databaseUrl);
    if ((state.gateway.pending === 0 && state.floor.pending === 0) || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function outboxState(databaseUrl: string): Promise<{ gateway: OutboxState; floor: OutboxState }> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ floor: boolean } & { [K in keyof OutboxState]: number }>(
      `SELECT coalesce(d.request_id, '') LIKE $1 AS floor,
              count(*)::int AS dispatches,
              count(*) FILTER (WHERE d.state = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE d.state = 'PENDING')::int AS pending,
              count(*) FILTER (WHERE d.state = 'FAILED')::int AS failed,
              coalesce(sum(d.attempts), 0)::int AS attempts,
              coalesce(sum((SELECT count(*) FROM status_change c WHERE c.dispatch_id = d.id AND c.kind = 'DISPATCH')), 0)::int AS "endsLogged"
         FROM dispatch d WHERE d.request_id IS DISTINCT FROM $2 GROUP BY 1`,
      [`${FLOOR_REQUEST_ID_PREFIX}%`, HISTORY_REQUEST_ID],
    );
    const none: OutboxState = { dispatches: 0, succeeded: 0, pending: 0, failed: 0, attempts: 0, endsLogged: 0 };
    const of = (floor: boolean): OutboxState => {
      const { floor: _floor, ...state } = rows.find((row) => row.floor === floor) ?? { floor, ...none };
      return state;
    };
    return { gateway: of(false), floor: of(true) };
  });
}

/** Records whose stored state is not what their last confirmed dispatch says (0 each when right). */
interface AppliedResults {
  /** Leads whose last event is not the event of their last dispatch TECHEA `received`. */
  readonly leadsWrongEvent: number;
  /** Leads a dispatch touched whose stage is not `deriveStage` of their records. */
  readonly leadsWrongStage: number;
  /** Applications whose product name is not the one their last dispatch set. */
  readonly applicationsWrongName: number;
  /** Leads and applications checked. */
  readonly checked: number;
}

/**
 * What the dispatches left in the records, gateway's and floor's alike: each lead's
 * last event is that of its last dispatch TECHEA received, its stage is what the
 * gateway's own `deriveStage` makes of its records (the floor derives it in SQL), and
 * each application's product name is that of its last dispatch.
 */
async function appliedResults(databaseUrl: string): Promise<AppliedResults> {
  return withClient(databaseUrl, async (client) => {
    const leads = await client.query<{ last_event: LeadEvent | null; expected_event: LeadEvent; stage: LeadStage } & Omit<StageFacts, 'lastEvent'>>(
      `SELECT l.last_event, d.event AS expected_event, l.stage,
              (SELECT a.status FROM application a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id AND a.synced_at IS NOT NULL) AS "applicationStatus",
              (SELECT v.status FROM verification v WHERE v.tenant_id = l.tenant_id AND v.lead_id = l.id AND v.synced_at IS NOT NULL) AS "verificationStatus",
              (SELECT lo.loan_status FROM loan lo WHERE lo.tenant_id = l.tenant_id AND lo.lead_id = l.id
                ORDER BY lo.applied_at DESC, lo.loan_id DESC LIMIT 1) AS "latestLoanStatus"
         FROM (SELECT DISTINCT ON (lead_id) lead_id, payload->>'event' AS event FROM dispatch
                WHERE operation = 'reportLeadEvent' AND state = 'SUCCEEDED' AND result->'result'->>'outcome' = 'RECEIVED'
                  AND request_id IS DISTINCT FROM $1
                ORDER BY lead_id, updated_at DESC) d
         JOIN lead l ON l.id = d.lead_id`,
      [HISTORY_REQUEST_ID],
    );
    const applications = await client.query<{ wrong: number; checked: number }>(
      `SELECT count(*) FILTER (WHERE a.product_name IS DISTINCT FROM d.name)::int AS wrong, count(*)::int AS checked
         FROM (SELECT DISTINCT ON (tenant_id, payload->>'applicationId') tenant_id, payload->>'applicationId' AS id, payload->>'productName' AS name
                 FROM dispatch WHERE operation = 'updateApplication' AND state = 'SUCCEEDED' AND request_id IS DISTINCT FROM $1
                ORDER BY tenant_id, payload->>'applicationId', updated_at DESC) d
         JOIN application a ON a.tenant_id = d.tenant_id AND a.id = d.id`,
      [HISTORY_REQUEST_ID],
    );
    return {
      leadsWrongEvent: leads.rows.filter((lead) => lead.last_event !== lead.expected_event).length,
      leadsWrongStage: leads.rows.filter((lead) => lead.stage !== deriveStage({ ...lead, lastEvent: lead.last_event })).length,
      applicationsWrongName: applications.rows[0]?.wrong ?? 0,
      checked: leads.rows.length + (applications.rows[0]?.checked ?? 0),
    };
  });
}

function targetChecks(rows: readonly DispatchRow[], outbox: { gateway: OutboxState; floor: OutboxState }, applied: AppliedResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const wrong = (pick: (row: DispatchRow) => LoadResult) => rows.reduce((sum, row) => sum + pick(row).wrong + pick(row).errors, 0);
  const wrongGateway = wrong((row) => row.direct) + wrong((row) => row.gateway);
  checks.push({ kind: 'correctness', target: 'dispatch: every answer right (SUCCEEDED at the first attempt)', measured: `${wrongGateway} wrong`, met: wrongGateway === 0 });
  checks.push({ kind: 'correctness', target: 'dispatch floor: every answer right (SUCCEEDED at the first attempt)', measured: `${wrong((row) => row.floor)} wrong`, met: wrong((row) => row.floor) === 0 });
  for (const [server, state] of [['dispatch', outbox.gateway], ['dispatch floor', outbox.floor]] as const) {
    const exactlyOnce = state.dispatches > 0 && state.succeeded === state.dispatches && state.attempts === state.dispatches && state.endsLogged === state.dispatches;
    checks.push({
      kind: 'correctness',
      target: `${server}: every dispatch SUCCEEDED, one attempt each, its end logged once`,
      measured: `${state.succeeded}/${state.dispatches} succeeded, ${state.attempts} attempts, ${state.endsLogged} ends logged`,
      met: exactlyOnce,
    });
  }
  const appliedRight = applied.leadsWrongEvent + applied.leadsWrongStage + applied.applicationsWrongName === 0 && applied.checked > 0;
  checks.push({
    kind: 'correctness',
    target: 'dispatch (gateway and floor): each record as its last confirmed dispatch left it, stages as deriveStage makes them',
    measured: `${applied.checked} checked: ${applied.leadsWrongEvent} wrong events, ${applied.leadsWrongStage} wrong stages, ${applied.applicationsWrongName} wrong applications`,
    met: appliedRight,
  });
  const lowest = Math.min(...rows.map((row) => row.connections));
  const highest = Math.max(...rows.map((row) => row.connections));
  for (const row of rows) {
    if (row.connections === lowest) {
      checks.push({
        kind: 'performance',
        target: `dispatch ${row.operation} c=${lowest}: overhead p50 ≤ ${TARGET_OVERHEAD_RATIO}× the floor's and ≤ ${TARGET_OVERHEAD_P50_MS} ms`,
        measured: `${row.overheadP50.toFixed(2)} ms = ${row.overheadRatio.toFixed(2)}× the floor's ${row.floorOverheadP50.toFixed(2)} ms`,
        met: row.overheadRatio <= TARGET_OVERHEAD_RATIO && row.overheadP50 <= TARGET_OVERHEAD_P50_MS,
      });
    }
    if (row.connections === highest) {
      checks.push({
        kind: 'performance',
        target: `dispatch ${row.operation} c=${highest}: ≥ ${TARGET_THROUGHPUT_RATIO}× the floor's mutations/s`,
        measured: `${row.gateway.throughput.toFixed(0)}/s = ${row.throughputRatio.toFixed(2)}× the floor's ${row.floor.throughput.toFixed(0)}/s`,
        met: row.throughputRatio >= TARGET_THROUGHPUT_RATIO,
      });
    }
  }
  return checks;
}
