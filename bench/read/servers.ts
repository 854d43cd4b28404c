import { type BenchRun } from '../lib/bench-run.js';
import { type BenchProcess, startNodeScript, startProcess } from '../lib/child-process.js';
import { startBenchGateway } from '../lib/gateway.js';
import { peerNode, serverNode } from '../lib/server-node.js';
import { type LoadRequest } from '../lib/load.js';
import { PEER_DIR } from './peer-install.js';
import { GATEWAY_LEAD_BY_ID, GATEWAY_LEADS, PEER_LEAD_BY_ID, PEER_LEADS } from './queries.js';

/** The two read workloads: the first page of 50 leads, and one lead by id. */
export type Workload = 'leads' | 'lead';

export type ServerName = 'gateway' | 'floor' | 'peer';

/** One of the three servers the read benchmark measures, each in its own process on the same database. */
export interface ReadServer {
  readonly name: ServerName;
  /** What tools print: the name, or `baseline` for a gateway built from another checkout. */
  readonly label: string;
  /** Origin for the load client, e.g. `http://127.0.0.1:4000`. */
  readonly origin: string;
  readonly process: BenchProcess;
  /** The HTTP request asking for `workload` (`leadId` is used by `lead` only). */
  request(workload: Workload, leadId: string): LoadRequest;
  stop(): Promise<void>;
}

/** What starting a read server needs of a run: `BenchRun` and `StandaloneRun` both carry it. */
export type ReadServerSetup = Pick<BenchRun, 'sandboxes' | 'adminKey'> & { readonly database: { readonly url: string } };

/** The same pool size for all three: the gateway's default (src/db/data-source.ts). */
const POOL_SIZE = '10';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A GraphQL-over-HTTP POST of `query`; the body of the constant query is built once. */
function graphqlRequests(path: string, headers: Record<string, string>, leadsQuery: string, leadQuery: string) {
  const leadsBody = JSON.stringify({ query: leadsQuery });
  return (workload: Workload, leadId: string): LoadRequest => ({
    method: 'POST',
    path,
    headers,
    body: workload === 'leads' ? leadsBody : JSON.stringify({ query: leadQuery, variables: { id: leadId } }),
  });
}

/**
 * The gateway as `npm start` runs it in production (`NODE_ENV=production`, as the peer
 * runs too: graphql-js then skips its development-only checks), authenticating every
 * request with the run's admin key.
 */
export async function startGatewayServer(run: ReadServerSetup, env: Record<string, string> = {}, tree?: string): Promise<ReadServer> {
  const gateway = await startBenchGateway(run.database.url, run.sandboxes.env, { NODE_ENV: 'production', ...env }, tree);
  const url = new URL(gateway.url);
  const headers = { ...JSON_HEADERS, authorization: `Bearer ${run.adminKey}` };
  return {
    name: 'gateway',
    label: tree === undefined ? 'gateway' : 'baseline',
    origin: url.origin,
    process: gateway.process,
    request: graphqlRequests(url.pathname, headers, GATEWAY_LEADS, GATEWAY_LEAD_BY_ID),
    stop: () => gateway.stop(),
  };
}

/** The node:http + pg floor (floor-server.ts). */
export async function startFloorServer(run: ReadServerSetup): Promise<ReadServer> {
  const child = startNodeScript('bench/read/floor-server.ts', [run.database.url, POOL_SIZE], { readyPattern: /FLOOR_READY (\S+)/, node: await serverNode() });
  try {
    const origin = (await child.ready)[1] ?? '';
    return {
      name: 'floor',
      label: 'floor',
      origin,
      process: child,
      request: (workload, leadId) => ({
        method: 'GET',
        path: workload === 'leads' ? '/leads?first=50' : `/lead?id=${leadId}`,
        headers: {},
      }),
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** PostGraphile 5 (bench/peer/server.js) on the servers' Node (`lib/server-node.ts`), no authentication. */
export async function startPeerServer(run: ReadServerSetup): Promise<ReadServer> {
  const child = startProcess(await peerNode(), ['server.js', run.database.url, POOL_SIZE], {
    cwd: PEER_DIR,
    env: { NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
    readyPattern: /PEER_READY (\S+)/,
  });
  try {
    const url = new URL((await child.ready)[1] ?? '');
    return {
      name: 'peer',
      label: 'peer',
      origin: url.origin,
      process: child,
      request: graphqlRequests(url.pathname, JSON_HEADERS, PEER_LEADS, PEER_LEAD_BY_ID),
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
