import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const APP = 'http://app.example.test:5173';
const FOREIGN = 'http://evil.example.test';

/** Opens a graphql-ws socket with the given Origin (none: not a browser); resolves with the upgrade's outcome. */
async function upgrade(gateway: TestGateway, origin: string | undefined): Promise<{ opened: true; socket: WebSocket } | { opened: false; status: number }> {
  const url = gateway.url.replace(/^http/, 'ws');
  const socket = new WebSocket(url, 'graphql-transport-ws', origin === undefined ? {} : { origin });
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0 });
      // Aborting a handshake the server refused reports an error on the socket: expected here.
      socket.on('error', () => undefined);
      socket.terminate();
    });
  });
}

describe('browsers on other origins (CORS_ORIGINS)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { CORS_ORIGINS: APP } });
  });
  afterAll(() => gateway.stop());

  const preflight = (origin: string) =>
    fetch(gateway.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,apollo-require-preflight' },
    });
  const post = (origin: string) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
      body: JSON.stringify({ query: '{ leads { totalCount } }' }),
    });

  it('answers a preflight from a listed origin with 204 and every header a client needs, without credentials', async () => {
    const response = await preflight(APP);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toMatch(/Origin/);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives a listed origin its answers, with the headers it may read; a foreign origin gets no CORS header at all', async () => {
    const allowed = await post(APP);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-expose-headers')).toBe('retry-after,x-request-id');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);

    for (const response of [await preflight(FOREIGN), await post(FOREIGN)]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('adds no CORS header outside /graphql (health, metrics, webhooks are not for browsers)', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/webhooks/tecalis']) {
      const response = await fetch(new URL(path, gateway.url), { headers: { origin: APP } });
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('opens the WebSocket for a listed origin, the gateway’s own (its IDE) and non-browser clients, and refuses a foreign origin at the upgrade', async () => {
    const own = new URL(gateway.url).origin;
    for (const origin of [APP, own, undefined]) {
      const outcome = await upgrade(gateway, origin);
      expect(outcome.opened, String(origin)).toBe(true);
      if (outcome.opened) {
        outcome.socket.close();
        await once(outcome.socket, 'close');
      }
    }
    expect(await upgrade(gateway, FOREIGN)).toEqual({ opened: false, status: 403 });
  });
});
