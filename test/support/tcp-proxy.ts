import net from 'node:net';

/**
 * A TCP proxy in front of the test PostgreSQL that a test can break the way a real
 * database breaks, without touching the server other test files share:
 *
 * - `hang()`: connections stay open but nothing is forwarded either way, and new ones
 *   are accepted and left unanswered: a server stopped with SIGSTOP, or a network
 *   that drops every packet. `resume()` forwards what was held, in order.
 * - `refuse()`: every connection is cut and new ones are refused (the port stops
 *   listening): a server that is down. `accept()` listens again on the same port.
 */
export interface TcpProxy {
  /** The proxy's port, on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  hang(): void;
  resume(): void;
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

/** One client connection and its upstream, with what is held while hung. */
interface Pair {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let hung = false;

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => (hung ? pair.toClient.push(chunk) : pair.client.write(chunk)));
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    flush(pair);
  };
  const flush = (pair: Pair) => {
    if (pair.upstream === undefined) return;
    for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  };

  const server = net.createServer((client) => {
    const pair: Pair = { client, upstream: undefined, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => (hung || pair.upstream === undefined ? pair.toUpstream.push(chunk) : pair.upstream.write(chunk)));
    client.on('error', () => pair.upstream?.destroy());
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    // A connection made while hung reaches the server only on resume, as a stopped server's backlog.
    if (!hung) connectUpstream(pair);
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  let port = 0;
  await listen();
  port = (server.address() as net.AddressInfo).port;

  return {
    port,
    via(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    hang() {
      hung = true;
    },
    resume() {
      hung = false;
      for (const pair of pairs) {
        if (pair.upstream === undefined) connectUpstream(pair);
        else flush(pair);
      }
    },
    async refuse() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await closed;
    },
    accept: listen,
    async close() {
      hung = false;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
