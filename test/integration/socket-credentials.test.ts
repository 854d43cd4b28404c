import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type TestGateway, startTestGateway, secondInstanceEnv } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';
import { connectRawSubscriber, type RawSubscriber } from '../support/raw-graphql-ws.js';

const SECRET = 'socket-credentials-test-secret-0123456789';
/** Instance A never sweeps during a test: what it ends, it ends by its own revocation or a timer. */
const A_CHECK_SECONDS = 3600;
/** Instance B, on the same database, checks its sockets' keys this often: the bound under test. */
const B_CHECK_SECONDS = 1;

function jwt(expiresAtSeconds: number): Promise<string> {
  return new SignJWT({ tenant: 'default', role: 'viewer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('socket-user')
    .setIssuedAt()
    .setExpirationTime(expiresAtSeconds)
    .sign(new TextEncoder().encode(SECRET));
}

describe('credentials on live WebSockets', () => {
  /** A's clock for remembered key checks: real time, plus what a test moves it by. */
  let clockOffsetA = 0;
  let a: TestGateway;
  let b: Gateway;
  const open: RawSubscriber[] = [];
  const connect = async (url: string, token: string) => {
    const socket = await connectRawSubscriber({ url, token });
    open.push(socket);
    // A live subscription: what must end is a socket in use, not an idle one.
    socket.subscribe('live', `subscription { statusChanged { id } }`);
    return socket;
  };
  const revokeThroughA = (id: string) =>
    queryData<{ revokeApiKey: { revokedAt: string } }>(a.api, `mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id });

  beforeAll(async () => {
    // No clock skew: the socket must close at `exp` itself.
    a = await startTestGateway({
      apiKeyClock: () => Date.now() + clockOffsetA,
      env: { AUTH_JWT_SECRET: SECRET, AUTH_JWT_CLOCK_SKEW_SECONDS: '0', WS_CREDENTIAL_CHECK_SECONDS: String(A_CHECK_SECONDS) },
    });
    b = await startGateway(
      loadConfig(
        secondInstanceEnv(a, {
          AUTH_JWT_SECRET: SECRET,
          AUTH_JWT_CLOCK_SKEW_SECONDS: '0',
          WS_CREDENTIAL_CHECK_SECONDS: String(B_CHECK_SECONDS),
        }),
      ),
      createLogger('silent'),
    );
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((socket) => socket.close()));
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('closes a socket with 4419 TOKEN_EXPIRED when its JWT expires, and not before', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const socket = await connect(a.url, await jwt(expiresAt));
    expect(await socket.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });

    const close = await socket.closed;
    const closedAt = Date.now();
    expect(close).toEqual({ code: 4419, reason: 'TOKEN_EXPIRED: The token has expired.' });
    // A timer set for `exp`: never before it, and promptly after.
    expect(closedAt).toBeGreaterThanOrEqual(expiresAt * 1000 - 5);
    expect(closedAt - expiresAt * 1000).toBeLessThan(1_000);
  });

  it('ends every socket of an API key at once when this instance revokes it, with 4401', async () => {
    const key = await a.createKey('default', 'viewer');
    const sockets = [await connect(a.url, key.key), await connect(a.url, key.key)];
    const bystander = await connect(a.url, (await a.createKey('default', 'viewer')).key);

    await revokeThroughA(key.id);
    // Instance A sweeps once an hour: only the revocation itself can have closed these.
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: The API key has been revoked.' });
    expect(await bystander.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });
  });

  it(`ends another instance's sockets of a revoked key within WS_CREDENTIAL_CHECK_SECONDS (${B_CHECK_SECONDS} s here)`, async () => {
    const key = await a.createKey('default', 'viewer');
    const onB = await connect(b.url, key.key);
    expect(await onB.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });

    await revokeThroughA(key.id);
    const revokedAt = Date.now();
    expect(await onB.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: The API key has been revoked.' });
    // The bound: one check interval, plus the check's own statement.
    expect(Date.now() - revokedAt).toBeLessThan(B_CHECK_SECONDS * 1000 + 500);
  });

  it('checks the credential before every new operation, between checks too, once its remembered check is older than the bound', async () => {
    const key = await a.createKey('default', 'viewer');
    const socket = await connectRawSubscriber({ url: a.url, token: key.key });
    open.push(socket);
    expect(await socket.run(`{ leads { totalCount } }`)).toEqual({ data: { leads: { totalCount: expect.any(Number) } } });
    // Revoked behind instance A's back (another instance, or `leadgraph keys revoke`), long before A's next check.
    await a.db.query(`UPDATE api_key SET revoked_at = now() WHERE id = $1`, [key.id]);
    // A trusts a successful check of a key for WS_CREDENTIAL_CHECK_SECONDS (see the README): past it, it asks again.
    clockOffsetA += A_CHECK_SECONDS * 1000;

    expect(await socket.run(`{ leads { totalCount } }`)).toEqual({
      errors: [{ message: 'The API key is not valid, or has been revoked.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(await socket.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED: The API key is not valid, or has been revoked.' });
  });

  it('refuses a JWT already expired at connection_init with 4419, which graphql-ws clients retry with fresh connectionParams', async () => {
    await expect(connectRawSubscriber({ url: a.url, token: await jwt(Math.floor(Date.now() / 1000) - 60) })).rejects.toThrow(
      /closed before connection_ack: \{"code":4419,"reason":"TOKEN_EXPIRED: The token was refused: the token has expired\."\}/,
    );
  });
});
