import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';

/** A raw TCP connection to the gateway: what it received, and when and how it ended. */
interface RawConnection {
  readonly socket: net.Socket;
  readonly received: () => string;
  /** Resolves when the server ends the connection, with the time it took from opening. */
  readonly ended: Promise<{ afterMs: number }>;
}

async function connect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const ended = new Promise<{ afterMs: number }>((resolve) => socket.once('close', () => resolve({ afterMs: Date.now() - opened })));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, ended };
}

describe('HTTP hardening', () => {
  let gateway: TestGateway;
  const HEADERS_TIMEOUT_MS = 500;
  const REQUEST_TIMEOUT_MS = 1_000;

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
    });
  });
  afterAll(() => gateway.stop());

  it('sets nosniff and no-referrer on every answer', async () => {
    for (const path of ['/healthz', '/graphql', '/webhooks/leadbank', '/nowhere']) {
      const response = await fetch(new URL(path, gateway.url));
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('answers GraphQL with `Cache-Control: no-store` and no ETag: a caller\'s data is neither stored nor revalidated', async () => {
    const query = encodeURIComponent('{ leads { totalCount } }');
    const headers = { authorization: `Bearer ${gateway.api.token}`, 'apollo-require-preflight': 'true' };
    const first = await fetch(new URL(`/graphql?query=${query}`, gateway.url), { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('etag')).toBeNull();
    // A GET asked again with any validator is answered in full, never 304.
    const again = await fetch(new URL(`/graphql?query=${query}`, gateway.url), { headers: { ...headers, 'if-none-match': '*' } });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const posted = await fetch(new URL('/graphql', gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
      body: JSON.stringify({ query: '{ leads { totalCount } }' }),
    });
    expect(posted.headers.get('cache-control')).toBe('no-store');
    expect(posted.headers.get('etag')).toBeNull();
  });

  it('serves GraphQL at /graphql exactly: a path below it, a trailing slash or other letter case is 404 NOT_FOUND, whatever is sent', async () => {
    const post = (path: string) =>
      fetch(new URL(path, gateway.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
        body: JSON.stringify({ query: '{ leads { totalCount } }' }),
      });
    expect((await post('/graphql')).status).toBe(200);
    expect((await post('/graphql?client=1')).status).toBe(200);
    for (const path of ['/graphql/anything', '/graphql/', '/graphql/a/b', '/GraphQL', '/GRAPHQL/x']) {
      const response = await post(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({
        errors: [{ message: `No route for POST ${new URL(path, gateway.url).pathname}`, extensions: { code: 'NOT_FOUND' } }],
      });
    }
    // Neither the IDE (a browser navigation) nor a CORS preflight answers below /graphql.
    const page = await fetch(new URL('/graphql/anything', gateway.url), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    const preflight = await fetch(new URL('/graphql/anything', gateway.url), {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // The IDE's files live under /altair, and are still served.
    expect((await fetch(new URL('/altair/main.js', gateway.url))).status).toBe(200);
  });

  it('answers a query sent by POST (served without express) as one sent by GET (under express): same headers, same body, same refusals', async () => {
    const origin = 'http://localhost:5173';
    const document = '{ leads { totalCount } }';
    const viaGet = (headers: Record<string, string>) =>
      fetch(new URL(`/graphql?query=${encodeURIComponent(document)}`, gateway.url), { headers: { 'apollo-require-preflight': 'true', origin, ...headers } });
    const viaPost = (headers: Record<string, string>) =>
      fetch(new URL('/graphql', gateway.url), { method: 'POST', headers: { 'content-type': 'application/json', origin, ...headers }, body: JSON.stringify({ query: document }) });
    /** What must not differ: status, body and every header but the ones that vary by request. */
    const answer = async (response: Response) => ({
      status: response.status,
      headers: [...response.headers].filter(([name]) => !['date', 'content-length', 'x-request-id', 'connection', 'keep-alive'].includes(name)),
      body: await response.text(),
    });
    const cases: Record<string, string>[] = [
      { authorization: `Bearer ${gateway.api.token}` },
      { authorization: `Bearer ${gateway.api.token}`, accept: 'application/graphql-response+json' },
      { authorization: 'Bearer lgk_not_a_key' },
      {},
    ];
    for (const headers of cases) {
      const [byGet, byPost] = await Promise.all([viaGet(headers).then(answer), viaPost(headers).then(answer)]);
      expect(byPost, JSON.stringify(headers)).toEqual(byGet);
      expect(byGet.headers.map(([name]) => name), JSON.stringify(headers)).toEqual(
        expect.arrayContaining(['access-control-allow-origin', 'x-content-type-options', 'referrer-policy', 'content-type']),
      );
    }
  });

  it('cuts a client that never finishes its headers with 408, within HTTP_HEADERS_TIMEOUT_MS', async () => {
    const slow = await connect(gateway.url);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: leadgraph\r\n');
    const { afterMs } = await slow.ended;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    // Enforced by a check every quarter of the timeout.
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS * 2 + 500);
  });

  it('cuts a slow body on the unauthenticated webhook route with 408, within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const slow = await connect(gateway.url);
    slow.socket.write('POST /webhooks/leadbank HTTP/1.1\r\nHost: leadgraph\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":');
    const { afterMs } = await slow.ended;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT_MS * 2 + 500);
  });
});

describe('the connection cap', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // A gateway of its own: no other test's kept-alive connections count against its cap.
    gateway = await startTestGateway({ env: { HTTP_KEEP_ALIVE_TIMEOUT_MS: '30000', HTTP_MAX_CONNECTIONS: '3' } });
  });
  afterAll(() => gateway.stop());

  it('drops connections past HTTP_MAX_CONNECTIONS, and takes new ones once some close', async () => {
    // Three kept-alive connections, each with a request answered: the cap is reached.
    const held = await Promise.all([0, 1, 2].map(() => connect(gateway.url)));
    await Promise.all(
      held.map(
        (connection) =>
          new Promise<void>((resolve) => {
            connection.socket.write('GET /healthz HTTP/1.1\r\nHost: leadgraph\r\n\r\n');
            connection.socket.once('data', () => resolve());
          }),
      ),
    );
    const fourth = await connect(gateway.url);
    fourth.socket.write('GET /healthz HTTP/1.1\r\nHost: leadgraph\r\n\r\n');
    await fourth.ended;
    expect(fourth.received()).toBe('');

    held[0]!.socket.destroy();
    await held[0]!.ended;
    // The server counts the close when it reads it, which may be just after our side did:
    // a connection dropped meanwhile ends at once, and the next try is made on that event.
    let answered = '';
    for (let attempt = 0; attempt < 50 && answered === ''; attempt++) {
      const next = await connect(gateway.url);
      next.socket.end('GET /healthz HTTP/1.1\r\nHost: leadgraph\r\nConnection: close\r\n\r\n');
      await next.ended;
      answered = next.received();
    }
    expect(answered).toMatch(/^HTTP\/1\.1 200 /);
    for (const connection of held) connection.socket.destroy();
  });
});
