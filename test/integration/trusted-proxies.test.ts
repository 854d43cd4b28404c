import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const QUERY = `{ leads(first: 1) { totalCount } }`;
const WRONG = 'lgk_' + 'x'.repeat(43);
/** Documentation addresses (RFC 5737): clients behind the load balancer. */
const ALICE = '203.0.113.5';
const BOB = '198.51.100.7';

/** POSTs a query from the test (127.0.0.1, the "load balancer") with what it says of the client. */
async function post(gateway: TestGateway, token: string, forwardedFor?: string): Promise<number> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(forwardedFor !== undefined && { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ query: QUERY }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Opens a graphql-ws socket with `forwardedFor` on its upgrade and inits it with `token`: acked, or the close code. */
async function initSocket(gateway: TestGateway, token: string, forwardedFor: string): Promise<'ack' | number> {
  const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-forwarded-for': forwardedFor } });
  const closed = once(socket, 'close').then(([code]) => code as number);
  await Promise.race([once(socket, 'open'), closed]);
  if (socket.readyState !== WebSocket.OPEN) return closed;
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const acked = once(socket, 'message').then(([data]) => ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack' ? ('ack' as const) : -1));
  const outcome = await Promise.race([acked, closed]);
  socket.close();
  await closed;
  return outcome;
}

describe('behind a trusted load balancer (TRUST_PROXY=loopback): each client has its own authentication-failure budget', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => gateway?.stop());

  it("one client's failures use up its own budget, over HTTP and at the socket, and not another's", async () => {
    expect([await post(gateway, WRONG, ALICE), await post(gateway, WRONG, ALICE), await post(gateway, WRONG, ALICE)]).toEqual([401, 401, 401]);

    // Alice is refused, her right key included, over HTTP and at the socket.
    expect(await post(gateway, gateway.api.token!, ALICE)).toBe(429);
    expect(await initSocket(gateway, gateway.api.token!, ALICE)).toBe(4429);
    // Bob, behind the same load balancer, is not.
    expect(await post(gateway, gateway.api.token!, BOB)).toBe(200);
    expect(await initSocket(gateway, gateway.api.token!, BOB)).toBe('ack');
  });

  it('a client cannot pass for another by sending the header itself: only what the trusted hop appended counts', async () => {
    // Alice's request, with her own made-up entry first; the load balancer appended her real address.
    expect(await post(gateway, gateway.api.token!, `${BOB}, ${ALICE}`)).toBe(429);
  });
});

describe('reached directly (TRUST_PROXY unset): the client is the TCP peer, whatever X-Forwarded-For says', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_FAILURES_PER_MINUTE: '3' } });
  });
  afterAll(() => gateway?.stop());

  it('failures claiming three different addresses are one address\'s three', async () => {
    expect([await post(gateway, WRONG, ALICE), await post(gateway, WRONG, BOB), await post(gateway, WRONG, '192.0.2.1')]).toEqual([401, 401, 401]);
    expect(await post(gateway, gateway.api.token!, '192.0.2.2')).toBe(429);
    expect(await initSocket(gateway, gateway.api.token!, '192.0.2.3')).toBe(4429);
  });
});

describe('TRUST_PROXY', () => {
  it.each([['10.0.0.0/8, 192.168.1.10', ['10.0.0.0/8', '192.168.1.10']], ['loopback,uniquelocal', ['loopback', 'uniquelocal']], ['fd00::/8', ['fd00::/8']]])(
    'takes %j',
    (value, expected) => {
      expect(loadConfig({ TRUST_PROXY: value }).trustedProxies).toEqual(expected);
    },
  );

  it.each(['lb.internal', '10.0.0.0/33', '10.0.0.1/8/1', 'everyone'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
      `TRUST_PROXY: expected a comma-separated list of proxy addresses or CIDR ranges (10.0.0.0/8), or loopback, linklocal, uniquelocal, but got ${JSON.stringify(value)}`,
    );
  });
});
