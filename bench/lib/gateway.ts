import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createDataSource } from '../../src/db/data-source.js';
import { DEFAULT_TENANT, type Role } from '../../src/domain/roles.js';
import { once } from 'node:events';
import path from 'node:path';
import { type BenchProcess, startProcess } from './child-process.js';
import { serverNode } from './server-node.js';

/** A gateway started for a benchmark, as `npm start` starts it, in a process of its own. */
export interface BenchGateway {
  /** The GraphQL endpoint over HTTP. */
  readonly url: string;
  /** The same endpoint for graphql-ws. */
  readonly wsUrl: string;
  readonly process: BenchProcess;
  stop(): Promise<void>;
}

const BANNER = /leadgraph is ready: GraphQL at (http:\/\/\S+)/;

/** Where the gateway is built for the benchmarks (beside the tests' own build, never `dist/`, which `bin/leadgraph.js` would pick up). */
const BUILD_DIR = '.leadgraph/build-bench';
/** One build per checkout, by its absolute path. */
const builds = new Map<string, Promise<string>>();

/**
 * Compiles the gateway of the checkout at `tree` as the runtime image does (`tsc -p
 * tsconfig.build.json`, with that checkout's own TypeScript), once per benchmark
 * process, and says where its `main.js` is.
 */
function buildGateway(tree: string): Promise<string> {
  let built = builds.get(tree);
  if (built === undefined) {
    built = (async () => {
      const started = performance.now();
      const outDir = path.join(tree, BUILD_DIR);
      const tsc = startProcess(process.execPath, [path.join(tree, 'node_modules/typescript/bin/tsc'), '-p', path.join(tree, 'tsconfig.build.json'), '--outDir', outDir], { readyPattern: /$^/ });
      const [code] = (await once(tsc.child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`building the gateway of ${tree} failed (${String(code)}):\n${tsc.output()}`);
      console.log(`gateway built into ${path.relative(process.cwd(), outDir) || outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return path.join(outDir, 'src/main.js');
    })();
    builds.set(tree, built);
  }
  return built;
}

/**
 * Starts the gateway on `databaseUrl` with the providers of `providerEnv` (the
 * benchmark's own sandbox process, as if they were the live providers), as the runtime
 * image runs it: compiled (`tsconfig.build.json`), on plain Node, no TypeScript loader
 * in the process (`tsx`'s hooks cost a request measurable CPU: Apollo calls
 * `module.require('crypto')` for every query hash), with `NODE_ENV=production`
 * (graphql-js skips its development-only checks, and the providers must be
 * configured, as they are). Only the per-caller limits are raised: a benchmark is one
 * caller sending far more than a person would; every other setting is the default.
 * `LEADGRAPH_BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of the gateway there when
 * it stops. `tree`: the checkout to build and start (another one's, with its own
 * `node_modules`, to compare two versions of the gateway in one run); this one by default.
 */
export async function startBenchGateway(
  databaseUrl: string,
  providerEnv: Record<string, string>,
  env: Record<string, string> = {},
  tree: string = process.cwd(),
): Promise<BenchGateway> {
  const profileDir = process.env.LEADGRAPH_BENCH_CPU_PROF;
  const main = await buildGateway(path.resolve(tree));
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = startProcess(await serverNode(), [...flags, main, 'start'], {
    readyPattern: BANNER,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'off',
      RATE_LIMIT_PER_SECOND: '1000000',
      SUBSCRIPTION_STARTS_PER_MINUTE: '10000000',
      AUTH_FAILURES_PER_MINUTE: '1000000',
      // The stream benchmark opens thousands of sockets with one key, from one address, at once.
      WS_MAX_CONNECTIONS_PER_CREDENTIAL: '1000000',
      WS_MAX_PENDING_PER_ADDRESS: '1000000',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      ...providerEnv,
      ...env,
    },
  });
  const match = await child.ready;
  const url = match[1] ?? '';
  return { url, wsUrl: url.replace(/^http/, 'ws'), process: child, stop: () => child.stop() };
}

/** The scraper's token the benchmark gateways are started with (`/metrics` answers nothing else). */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

/** Creates an API key of the default tenant directly in the database (as `leadgraph keys create` does). */
export async function createBenchKey(databaseUrl: string, role: Role = 'admin'): Promise<string> {
  const db = createDataSource({ url: databaseUrl, poolSize: 1 });
  await db.initialize();
  try {
    return (await new ApiKeyService(db).create(DEFAULT_TENANT, role, { label: 'benchmark', createdBy: 'bench' })).key;
  } finally {
    await db.destroy();
  }
}
