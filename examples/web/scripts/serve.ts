/**
 * Serves the built example app (examples/web/dist/) on an origin of its own:
 * `npm run example:serve` → http://127.0.0.1:5173, one of the dev origins a gateway
 * outside production allows by default (elsewhere, list it in CORS_ORIGINS).
 * EXAMPLE_PORT and EXAMPLE_HOST change where it listens.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_DIR } from './build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface ExampleServer {
  /** `http://host:port`: the app's origin. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the files of `dir` (only those, nothing below or above it) at `host:port` (0: a free port). */
export async function serveExample({ dir = DIST_DIR, port = 5173, host = '127.0.0.1' }: { dir?: string; port?: number; host?: string } = {}): Promise<ExampleServer> {
  const files = new Set((await fs.readdir(dir)).filter((name) => path.extname(name) in TYPES));
  const server = http.createServer((request, response) => {
    const name = new URL(request.url ?? '/', 'http://app').pathname.slice(1) || 'index.html';
    if (request.method !== 'GET' || !files.has(name)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    fs.readFile(path.join(dir, name)).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[path.extname(name)]!, 'cache-control': 'no-cache' }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    origin: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { origin } = await serveExample({ port: Number(process.env.EXAMPLE_PORT ?? 5173), host: process.env.EXAMPLE_HOST ?? '127.0.0.1' });
  console.log(`leadgraph example app at ${origin}/ (Ctrl-C stops it)`);
}
