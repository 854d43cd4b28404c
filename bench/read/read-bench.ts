/**
 * The read benchmark (issue #8): `leads(first: 50)` and `lead(id)` with every nested
 * field, at each concurrency of the profile, against the gateway, a floor (node:http +
 * pg, one hand-written statement) and a peer (PostGraphile 5), all three in processes
 * of their own on the same database, measured in the same run.
 */
import { type Benchmark, type BenchRun } from '../lib/bench-run.js';
import { runLoad } from '../lib/load.js';
import { writeResult } from '../lib/report.js';
import { ensurePeerInstalled } from './peer-install.js';
import { printReadTables, readTargets, type ReadMeasurement } from './read-report.js';
import { type ReadServer, type ServerName, startFloorServer, startGatewayServer, startPeerServer, type Workload } from './servers.js';
import { loadCheck, verifyAnswers, type VerifiedAnswers } from './verify.js';

const WORKLOADS: readonly Workload[] = ['leads', 'lead'];
const ORDER: readonly ServerName[] = ['gateway', 'floor', 'peer'];

export const readBench: Benchmark = async (run) => {
  const peerInstallSeconds = await ensurePeerInstalled();
  const started: ReadServer[] = [];
  try {
    // One at a time: each start-up (schema build, introspection) gets the CPU to itself.
    for (const start of [startGatewayServer, startFloorServer, startPeerServer]) started.push(await start(run));
    const servers = Object.fromEntries(started.map((server) => [server.name, server])) as Record<ServerName, ReadServer>;
    const verified = await verifyAnswers(servers, run.data.leadIds);
    if (!verified.ok) {
      for (const check of verified.checks) if (!check.met) console.error(`${check.target}: ${check.measured}`);
      return verified.checks; // numbers of servers that answer differently would compare nothing
    }
    const measurements = await measure(run, servers, verified);
    printReadTables(run.profile, measurements, verified);
    const targets = readTargets(run.profile, measurements, verified);
    const file = await writeResult(run.profile.name, 'read', {
      settings: {
        leads: run.profile.leads,
        concurrencies: run.profile.concurrencies,
        warmupSeconds: run.profile.warmupSeconds,
        readSeconds: run.profile.readSeconds,
        poolSize: 10,
        peerInstallSeconds,
      },
      notes: NOTES,
      bodyBytes: verified.bodyBytes,
      measurements,
      targets,
    });
    console.log(`\nread results: ${file}`);
    return targets;
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
};

/**
 * Each workload and concurrency measures the three servers back to back, so noise from
 * the shared machine hits all three alike; the order rotates from one concurrency to
 * the next, so no server is always the one measured right after another's load.
 */
async function measure(run: BenchRun, servers: Record<ServerName, ReadServer>, verified: VerifiedAnswers): Promise<ReadMeasurement[]> {
  const measurements: ReadMeasurement[] = [];
  const leadIds = run.data.leadIds;
  let round = 0;
  for (const workload of WORKLOADS) {
    for (const connections of run.profile.concurrencies) {
      const order = ORDER.map((_, i) => ORDER[(i + round) % ORDER.length] as ServerName);
      round++;
      for (const name of order) {
        const server = servers[name];
        const options = {
          origin: server.origin,
          connections,
          // Every request asks for another lead, round the data set, so no cache sees one lead twice in a row.
          request: (n: number) => server.request(workload, leadIds[n % leadIds.length] ?? ''),
          check: loadCheck(name, workload, verified),
        };
        await runLoad({ ...options, seconds: run.profile.warmupSeconds });
        const result = await runLoad({ ...options, seconds: run.profile.readSeconds });
        measurements.push({ workload, server: name, residentMiB: server.process.residentBytes() / 2 ** 20, ...result });
        const wrong = result.wrong > 0 ? `, ${result.wrong} WRONG: ${result.firstWrong ?? ''}` : '';
        console.log(`  ${workload} c=${connections} ${name}: ${result.throughput.toFixed(0)} req/s, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms${wrong}`);
      }
    }
  }
  return measurements;
}

/** What differs between the three servers, kept with the numbers. */
const NOTES = [
  'floor: node:http + pg, one prepared statement per request building the final JSON text in PostgreSQL (json_build_object/json_agg); no GraphQL parsing/validation, no authentication (the gateway checks an API key per request: one more statement), no limits. Its JSON carries PostgreSQL\'s whitespace (about 10% more bytes), deep-equal to the gateway\'s.',
  'peer: PostGraphile 5.1.5 (Amber preset, grafserv/node, on the same Node as the other servers) on the same tables, no authentication and no tenant scoping beyond the tenant condition in the query; same pool size (10). Its schema mirrors the tables: flat credit/notice/decision columns (no null-collapsing), bigint as strings, timestamps with microseconds and offsets, cursors of its own. Checked for the same leads, records and orders, not for equal JSON.',
  'gateway: src/main.ts start as npm start runs it (Apollo Server 5 + type-graphql + TypeORM), per-request API key check, query limits; only the per-caller rate limits are raised.',
];
