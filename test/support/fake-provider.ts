import http from 'node:http';
import { type AddressInfo } from 'node:net';

/** What a {@link startFakeProvider} answers, given the request it received. */
export type FakeAnswer = (request: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/**
 * A provider that misbehaves on purpose (answers outside its contract, echoes
 * secrets), for the client paths a faithful sandbox never takes.
 */
export async function startFakeProvider(answer: FakeAnswer): Promise<{ baseUrl: URL; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = answer({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `call` and returns the error it threw (failing the test if it did not throw). */
export async function thrownBy(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
