import { isDeepStrictEqual } from 'node:util';
import { type TargetCheck } from '../lib/bench-run.js';
import { type LoadRequest } from '../lib/load.js';
import { recordCounts, summarizeAnswer, summaryDifferences } from './answers.js';
import { type ReadServer, type ServerName, type Workload } from './servers.js';

/** What the check before the measurements established. */
export interface VerifiedAnswers {
  readonly checks: TargetCheck[];
  /** Whether every check held: measuring is only worth it then. */
  readonly ok: boolean;
  /** Each server's answer to `leads(first: 50)`: every answer during the load must be this very text. */
  readonly leadsBodies: ReadonlyMap<ServerName, string>;
  /** The records every lead of the data set has (leads/documents/operations/loans/history), when they all have the same. */
  readonly perLeadCounts: string | undefined;
  /** Bytes of each server's answers (`lead` is the mean over the sampled leads). */
  readonly bodyBytes: Record<ServerName, Record<Workload, number>>;
  readonly sampledLeads: number;
}

/** Leads whose `lead(id)` answers are compared, spread over the data set. */
const SAMPLED_LEADS = 12;

/** Sends one request to a server and returns its status and body. */
export async function send(server: ReadServer, request: LoadRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.origin}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined && { body: request.body }),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Before any load: the floor must answer exactly what the gateway answers (deep-equal
 * JSON, so the floor is a floor for the same work), and the peer must answer without
 * errors the same leads, in the same order, with the same records (its schema differs,
 * so its answers are compared by their summaries, answers.ts).
 */
export async function verifyAnswers(servers: Record<ServerName, ReadServer>, leadIds: readonly string[]): Promise<VerifiedAnswers> {
  const sample = Array.from({ length: Math.min(SAMPLED_LEADS, leadIds.length) }, (_, i) =>
    leadIds[Math.round((i * (leadIds.length - 1)) / Math.max(1, SAMPLED_LEADS - 1))] ?? '',
  );
  const floorMismatches: string[] = [];
  const peerMismatches: string[] = [];
  const leadsBodies = new Map<ServerName, string>();
  const bytes = { gateway: { leads: 0, lead: 0 }, floor: { leads: 0, lead: 0 }, peer: { leads: 0, lead: 0 } };
  const counts = new Set<string>();

  const compare = async (workload: Workload, leadId: string) => {
    const answers = {
      gateway: await send(servers.gateway, servers.gateway.request(workload, leadId)),
      floor: await send(servers.floor, servers.floor.request(workload, leadId)),
      peer: await send(servers.peer, servers.peer.request(workload, leadId)),
    };
    const what = workload === 'leads' ? 'leads(first: 50)' : `lead(${leadId})`;
    for (const name of ['gateway', 'floor', 'peer'] as const) {
      bytes[name][workload] += Buffer.byteLength(answers[name].body) / (workload === 'lead' ? sample.length : 1);
      if (workload === 'leads') leadsBodies.set(name, answers[name].body);
    }
    const expected = summarizeAnswer('gateway', workload, answers.gateway.body);
    if (answers.gateway.status !== 200 || expected.errors > 0 || expected.leadIds.length === 0) {
      floorMismatches.push(`${what}: the gateway answered ${answers.gateway.status} ${answers.gateway.body.slice(0, 300)}`);
      return;
    }
    if (workload === 'lead') counts.add(recordCounts(expected));
    if (answers.floor.status !== 200 || !isDeepStrictEqual(JSON.parse(answers.gateway.body), JSON.parse(answers.floor.body))) {
      floorMismatches.push(`${what}: the floor's answer differs from the gateway's`);
    }
    const peer = answers.peer.status === 200 ? summaryDifferences(expected, summarizeAnswer('peer', workload, answers.peer.body)) : [`HTTP ${answers.peer.status}`];
    if (peer.length > 0) peerMismatches.push(`${what}: ${peer.join(', ')}`);
  };

  await compare('leads', '');
  for (const leadId of sample) await compare('lead', leadId);

  const checks: TargetCheck[] = [
    {
      kind: 'correctness',
      target: `read: floor answers deep-equal to the gateway's (leads(first: 50) and ${sample.length} lead(id))`,
      measured: floorMismatches.length === 0 ? 'all equal' : floorMismatches.slice(0, 3).join('; '),
      met: floorMismatches.length === 0,
    },
    {
      kind: 'correctness',
      target: 'read: peer answers without errors, same leads, documents, operations, loans and history',
      measured: peerMismatches.length === 0 ? 'all the same' : peerMismatches.slice(0, 3).join('; '),
      met: peerMismatches.length === 0,
    },
  ];
  return {
    checks,
    ok: floorMismatches.length === 0 && peerMismatches.length === 0,
    leadsBodies,
    perLeadCounts: counts.size === 1 ? [...counts][0] : undefined,
    bodyBytes: bytes,
    sampledLeads: sample.length,
  };
}

/**
 * The check of every answer during a load. `leads(first: 50)` must be byte for byte the
 * verified answer (the data does not change during the benchmark); a `lead(id)` answer
 * must parse, carry no errors and hold one lead with the data set's records.
 */
export function loadCheck(server: ServerName, workload: Workload, verified: VerifiedAnswers): (status: number, body: string) => boolean {
  if (workload === 'leads') {
    const expected = verified.leadsBodies.get(server);
    return (status, body) => status === 200 && body === expected;
  }
  return (status, body) => {
    if (status !== 200) return false;
    try {
      const summary = summarizeAnswer(server, workload, body);
      if (summary.errors > 0 || summary.leadIds.length !== 1) return false;
      return verified.perLeadCounts === undefined || recordCounts(summary) === verified.perLeadCounts;
    } catch {
      return false;
    }
  };
}
