import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';
import { scrape, type Scrape } from '../support/prometheus-scrape.js';
import { SqlCounter } from '../support/sql-counter.js';

/** A well-formed API key that exists nowhere: it is looked up in the database like a real one. */
const UNKNOWN_KEY = `lgk_${'z'.repeat(43)}`;

/** The API-key look-ups among the statements a gateway sent. */
const keyLookups = (sql: SqlCounter) => sql.statements.filter((statement) => statement.includes('key_hash')).length;

/** One WebSocket to the gateway, seen from the client: no timers, only its events. */
interface ClientSocket {
  readonly socket: WebSocket;
  /** Resolves when the socket has closed, with the server's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Sends `connection_init` with this credential; resolves with `ack`, or the close that came instead. */
  init(token: string): Promise<'ack' | { code: number; reason: string }>;
}

/** What an upgrade came to: an open socket, or the HTTP answer that refused it. */
type Upgrade =
  | { readonly opened: true; readonly client: ClientSocket }
  | { readonly opened: false; readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: string };

function upgrade(gateway: TestGateway, path = '/graphql'): Promise<Upgrade> {
  const socket = new WebSocket(new URL(path, gateway.url.replace(/^http/, 'ws')), 'graphql-transport-ws');
  socket.on('error', () => undefined); // the close, or the refusal, says how it ended
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  const client: ClientSocket = {
    socket,
    closed,
    init(token) {
      const ack = new Promise<'ack'>((resolve) =>
        socket.on('message', (data: Buffer) => {
          if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'connection_ack') resolve('ack');
        }),
      );
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      return Promise.race([ack, closed]);
    },
  };
  return new Promise<Upgrade>((resolve) => {
    socket.once('open', () => resolve({ opened: true, client }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ opened: false, status: response.statusCode ?? 0, headers: response.headers, body }));
    });
  });
}

async function opened(gateway: TestGateway, path?: string): Promise<ClientSocket> {
  const outcome = await upgrade(gateway, path);
  if (!outcome.opened) throw new Error(`the upgrade was refused with ${outcome.status}: ${outcome.body}`);
  return outcome.client;
}

/** Closes from this side (a dropped connection) and waits for the client's own close event. */
async function drop(client: ClientSocket): Promise<void> {
  client.socket.terminate();
  await client.closed;
}

/**
 * Scrapes until the gateway reports `count` open WebSockets: the server notices a client's
 * close a moment after the client does, and this waits on that, not on a clock.
 */
async function untilOpenSockets(gateway: TestGateway, count: number): Promise<Scrape> {
  for (let i = 0; i < 2000; i++) {
    const now = await scrape(gateway.url, gateway.metricsToken);
    if (now.value('leadgraph_websocket_connections') === count) return now;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`the gateway never reported ${count} open WebSockets`);
}

// Counted in the shared table (the default) and in memory, whose reads answer at once.
describe.each(['postgres', 'memory'])('the authentication-failure budget over WebSocket (RATE_LIMIT_STORE=%s), under attempts made at the same moment', (store) => {
  const BUDGET = 5;
  const ATTEMPTS = 100;
  let gateway: TestGateway;
  const sql = new SqlCounter();

  beforeAll(async () => {
    gateway = await startTestGateway({
      sqlLogger: sql,
      // Room for every socket to be open at once: the budget is under test, not the pending cap.
      env: { AUTH_FAILURES_PER_MINUTE: String(BUDGET), RATE_LIMIT_STORE: store, WS_MAX_PENDING_PER_ADDRESS: String(ATTEMPTS + 10) },
    });
  });
  afterAll(() => gateway.stop());

  it(`refuses ${ATTEMPTS} connection_inits with bad keys from one address with 4429 past the budget, checking only ${BUDGET} against the database`, async () => {
    const clients = await Promise.all(Array.from({ length: ATTEMPTS }, () => opened(gateway)));
    sql.reset();
    // Every init leaves before any answer comes back.
    const outcomes = await Promise.all(clients.map((client) => client.init(UNKNOWN_KEY)));
    const codes = outcomes.map((outcome) => (outcome === 'ack' ? 'ack' : outcome.code));
    expect(codes.filter((code) => code === 4401)).toHaveLength(BUDGET);
    expect(codes.filter((code) => code === 4429)).toHaveLength(ATTEMPTS - BUDGET);
    for (const outcome of outcomes) {
      if (outcome !== 'ack' && outcome.code === 4429) expect(outcome.reason).toMatch(/^RATE_LIMITED: Too many requests: try again in \d+ s\.$/);
    }
    expect(keyLookups(sql)).toBe(BUDGET);

    // Over its budget, a right key from that address is refused unchecked too.
    sql.reset();
    const right = await (await opened(gateway)).init(gateway.api.token!);
    expect(right).toMatchObject({ code: 4429, reason: expect.stringMatching(/^RATE_LIMITED: /) });
    expect(keyLookups(sql)).toBe(0);
  });
});

describe.each(['postgres', 'memory'])('the authentication-failure budget over HTTP (RATE_LIMIT_STORE=%s), under requests made at the same moment', (store) => {
  const BUDGET = 5;
  const ATTEMPTS = 50;
  let gateway: TestGateway;
  const sql = new SqlCounter();

  beforeAll(async () => {
    gateway = await startTestGateway({ sqlLogger: sql, env: { AUTH_FAILURES_PER_MINUTE: String(BUDGET), RATE_LIMIT_STORE: store } });
  });
  afterAll(() => gateway.stop());

  it(`answers ${ATTEMPTS} requests with bad keys 401 only up to the budget and 429 after, checking only ${BUDGET} keys`, async () => {
    sql.reset();
    const statuses = (await Promise.all(Array.from({ length: ATTEMPTS }, () => postGraphQL({ url: gateway.url, token: UNKNOWN_KEY }, `{ leads { totalCount } }`)))).map(
      (response) => response.status,
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(BUDGET);
    expect(statuses.filter((status) => status === 429)).toHaveLength(ATTEMPTS - BUDGET);
    expect(keyLookups(sql)).toBe(BUDGET);
  });
});

describe('WebSockets that have not completed connection_init, per address (WS_MAX_PENDING_PER_ADDRESS)', () => {
  const PENDING = 3;
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { WS_MAX_PENDING_PER_ADDRESS: String(PENDING) } });
  });
  afterAll(() => gateway.stop());

  it('refuses the upgrade with 429 past the cap, before the socket opens, and opens again once one of them authenticates or goes', async () => {
    const pending = await Promise.all(Array.from({ length: PENDING }, () => opened(gateway)));
    const refused = await upgrade(gateway);
    expect(refused).toMatchObject({ opened: false, status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json; charset=utf-8' } });
    if (refused.opened) return;
    expect(JSON.parse(refused.body)).toEqual({
      errors: [
        {
          message: `Too many WebSockets from this address are waiting for connection_init (at most ${PENDING}): authenticate or close one first.`,
          extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
        },
      ],
    });

    // An authenticated socket no longer waits: its slot is free before its ack is sent.
    expect(await pending[0]!.init(gateway.api.token!)).toBe('ack');
    const fourth = await opened(gateway);
    expect((await upgrade(gateway)).opened).toBe(false);

    // A pending socket that goes frees its slot once the server has seen it go.
    await drop(pending[1]!);
    await untilOpenSockets(gateway, PENDING);
    const fifth = await opened(gateway);

    // Authenticated sockets do not count: three of them, and three more may wait.
    for (const client of [pending[2]!, fourth, fifth]) expect(await client.init(gateway.api.token!)).toBe('ack');
    const more = await Promise.all(Array.from({ length: PENDING }, () => opened(gateway)));
    expect((await upgrade(gateway)).opened).toBe(false);
    for (const client of [pending[0]!, pending[2]!, fourth, fifth, ...more]) await drop(client);
    await untilOpenSockets(gateway, 0);
  });

  it('counts each refusal in leadgraph_websocket_closes_total under its HTTP status, 429', async () => {
    const before = (await scrape(gateway.url, gateway.metricsToken)).value('leadgraph_websocket_closes_total', { code: '429' }) ?? 0;
    const held = await Promise.all(Array.from({ length: PENDING }, () => opened(gateway)));
    expect((await upgrade(gateway)).opened).toBe(false);
    expect((await upgrade(gateway)).opened).toBe(false);
    const after = (await scrape(gateway.url, gateway.metricsToken)).value('leadgraph_websocket_closes_total', { code: '429' }) ?? 0;
    expect(after - before).toBe(2);
    for (const client of held) await drop(client);
    await untilOpenSockets(gateway, 0);
  });
});

describe('WebSockets open per credential (WS_MAX_CONNECTIONS_PER_CREDENTIAL)', () => {
  const PER_CREDENTIAL = 3;
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { WS_MAX_CONNECTIONS_PER_CREDENTIAL: String(PER_CREDENTIAL) } });
  });
  afterAll(() => gateway.stop());

  it('closes a connection_init past the cap with 4429 TOO_MANY_CONNECTIONS, spares other credentials, and takes one again once a socket has gone', async () => {
    const key = await gateway.createKey('default', 'viewer');
    const held = await Promise.all(Array.from({ length: PER_CREDENTIAL }, () => opened(gateway)));
    for (const client of held) expect(await client.init(key.key)).toBe('ack');

    const before = await scrape(gateway.url, gateway.metricsToken);
    const over = await opened(gateway);
    expect(await over.init(key.key)).toEqual({
      code: 4429,
      reason: `TOO_MANY_CONNECTIONS: at most ${PER_CREDENTIAL} WebSockets may be open with one credential; close one first.`,
    });
    const other = await opened(gateway);
    expect(await other.init(gateway.api.token!)).toBe('ack');
    // The refusal is no authentication failure: the key was right.
    const after = await untilOpenSockets(gateway, PER_CREDENTIAL + 1);
    expect(
      (after.value('leadgraph_websocket_closes_total', { code: '4429' }) ?? 0) - (before.value('leadgraph_websocket_closes_total', { code: '4429' }) ?? 0),
    ).toBe(1);

    await drop(held[0]!);
    await untilOpenSockets(gateway, PER_CREDENTIAL);
    const again = await opened(gateway);
    expect(await again.init(key.key)).toBe('ack');
    for (const client of [...held.slice(1), other, again]) await drop(client);
  });
});

describe('the WebSocket path', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('is /graphql exactly: a path below it, a trailing slash or other letter case is refused at the upgrade; a query string is not part of the path', async () => {
    for (const path of ['/graphql/anything', '/graphql/', '/GraphQL', '/graphqlx']) {
      expect(await upgrade(gateway, path), path).toMatchObject({ opened: false, status: 400 });
    }
    const withQuery = await opened(gateway, '/graphql?client=1');
    expect(await withQuery.init(gateway.api.token!)).toBe('ack');
    withQuery.socket.close();
    await once(withQuery.socket, 'close');
  });
});
