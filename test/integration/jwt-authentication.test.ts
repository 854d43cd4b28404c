import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';

const SECRET = 'jwt-test-secret-of-more-than-32-characters';
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number; issuer?: string; audience?: string } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').setIssuedAt();
  jwt = jwt.setExpirationTime(now() + (options.expiresIn ?? 300));
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('JWT authentication with a shared HS256 secret', () => {
  let gateway: TestGateway;
  /** The clock remembered API key checks age by: real time, plus what a test moves it by. */
  let keyClockOffset = 0;

  beforeAll(async () => {
    gateway = await startTestGateway({
      apiKeyClock: () => Date.now() + keyClockOffset,
      env: { AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'https://auth.example', AUTH_JWT_AUDIENCE: 'leadgraph' },
    });
  });
  afterAll(() => gateway.stop());

  const call = (token: string, query = `{ leads { totalCount } }`) => postGraphQL({ url: gateway.url, token }, query);
  const good = { issuer: 'https://auth.example', audience: 'leadgraph' };

  it('accepts a valid token and reads tenant and role from its claims', async () => {
    const viewer = await hs256({ tenant: 'default', role: 'viewer' }, good);
    expect((await call(viewer)).data).toEqual({ leads: { totalCount: 0 } });
    const forbidden = await call(viewer, `mutation { createLead(input: {}) { id } }`);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const operator = await hs256({ tenant: 'default', role: 'operator' }, good);
    expect((await call(operator, `mutation { createLead(input: {}) { id } }`)).errors).toBeUndefined();
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED and the RFC 6750 challenge that tells a client to refresh it', async () => {
    const response = await call(await hs256({ tenant: 'default', role: 'admin' }, { ...good, expiresIn: -600 }));
    expect(response.status).toBe(401);
    expect(response.errors?.[0]).toEqual({ message: 'The token was refused: the token has expired.', extensions: { code: 'TOKEN_EXPIRED' } });
    expect(response.headers?.get('www-authenticate')).toBe(
      'Bearer realm="leadgraph", error="invalid_token", error_description="The token has expired"',
    );
  });

  it.each([
    ['signed with another secret', () => hs256({ tenant: 'default', role: 'admin' }, { ...good, secret: 'x'.repeat(40) }), 'the token signature is not valid'],
    ['from another issuer', () => hs256({ tenant: 'default', role: 'admin' }, { ...good, issuer: 'https://evil.example' }), 'the token\'s "iss" claim is not accepted'],
    ['for another audience', () => hs256({ tenant: 'default', role: 'admin' }, { ...good, audience: 'other-api' }), 'the token\'s "aud" claim is not accepted'],
    ['without a tenant', () => hs256({ role: 'admin' }, good), 'the token has no "tenant" claim'],
    ['with a role that does not exist', () => hs256({ tenant: 'default', role: 'root' }, good), 'the token\'s "role" claim must be viewer, operator or admin'],
    ['with an unsafe tenant id', () => hs256({ tenant: '../etc', role: 'admin' }, good), 'the token\'s "tenant" claim is not a tenant id'],
    ['unsigned (alg none)', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tenant: 'default', role: 'admin', exp: now() + 60 })).toString('base64url')}.`, 'the token is signed with an algorithm that is not accepted'],
  ])('refuses a token %s with 401 and the reason', async (_what, make, reason) => {
    const response = await call(await make());
    expect(response.status).toBe(401);
    expect(response.errors?.[0]).toEqual({ message: `The token was refused: ${reason}.`, extensions: { code: 'UNAUTHENTICATED' } });
    expect(response.headers?.get('www-authenticate')).toBe('Bearer realm="leadgraph"');
  });

  /** A token with exactly the claims given (no defaults), signed with the gateway's secret. */
  const raw = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ tenant: 'default', role: 'admin', iss: good.issuer, aud: good.audience, sub: 'user-1', ...claims })
      .setProtectedHeader({ alg: 'HS256', ...header })
      .sign(new TextEncoder().encode(SECRET));
  const DAY = 86_400;

  it.each([
    ['without "exp"', () => raw({ iat: now() }), 'the token has no "exp" claim'],
    ['with "exp" a century away', () => raw({ iat: now(), exp: now() + 100 * 365 * DAY }), 'the token lives longer than 86400 s, the most this gateway accepts'],
    ['with "exp" a century away and no "iat"', () => raw({ exp: now() + 100 * 365 * DAY }), 'the token lives longer than 86400 s, the most this gateway accepts'],
    ['issued two days ago for three', () => raw({ iat: now() - 2 * DAY, exp: now() + DAY }), 'the token lives longer than 86400 s, the most this gateway accepts'],
    ['with "iat" ten years ahead', () => raw({ iat: now() + 10 * 365 * DAY, exp: now() + 600 }), 'the token\'s "iat" claim is in the future'],
    ['not valid before tomorrow', () => raw({ iat: now(), nbf: now() + DAY, exp: now() + 600 }), 'the token\'s "nbf" claim is not accepted'],
    // Under Node's 16 KiB header limit (a bigger one is 431 before the gateway sees it; over the socket it is not).
    ['of 10 KB', () => raw({ iat: now(), exp: now() + 600, padding: 'x'.repeat(7_000) }), 'the token is longer than 8192 bytes'],
  ])('refuses a token %s', async (_what, make, reason) => {
    const response = await call(await make());
    expect(response.status).toBe(401);
    expect(response.errors).toEqual([{ message: `The token was refused: ${reason}.`, extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('tolerates AUTH_JWT_CLOCK_SKEW_SECONDS (60 s) of clock difference, and no more', async () => {
    expect((await call(await raw({ iat: now() - 30, exp: now() - 30 }))).status).toBe(200);
    expect((await call(await raw({ iat: now() + 30, exp: now() + 600 }))).status).toBe(200);
    expect((await call(await raw({ iat: now() - 600, exp: now() - 90 }))).errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
  });

  describe('API keys created with a JWT', () => {
    const CREATE = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id role expiresAt createdBy } } }`;
    const create = async (token: string, input: Record<string, unknown>) =>
      postGraphQL<{ createApiKey: { key: string; apiKey: { id: string; role: string; expiresAt: string | null; createdBy: string } } }>(
        { url: gateway.url, token },
        CREATE,
        { input },
      );

    it('are never admin keys', async () => {
      const response = await create(await hs256({ tenant: 'default', role: 'admin' }, good), { role: 'ADMIN' });
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: 'A JWT caller cannot create admin keys: use an admin API key or `leadgraph keys create`.',
          extensions: { code: 'FORBIDDEN', field: 'input.role' },
        }),
      ]);
      expect(await gateway.db.query(`SELECT count(*)::int AS n FROM api_key WHERE created_by = 'jwt:user-1'`)).toEqual([{ n: 0 }]);
    });

    it('expire within API_KEY_FROM_JWT_MAX_DAYS (90): at the latest by default, never later, and say who made them', async () => {
      const token = await hs256({ tenant: 'default', role: 'admin' }, good);
      const before = Date.now();
      const made = await create(token, { role: 'OPERATOR' });
      expect(made.errors).toBeUndefined();
      const { apiKey } = made.data!.createApiKey;
      expect(apiKey.createdBy).toBe('jwt:user-1');
      expect(Date.parse(apiKey.expiresAt!)).toBeGreaterThanOrEqual(before + 90 * DAY * 1000 - 1000);
      expect(Date.parse(apiKey.expiresAt!)).toBeLessThanOrEqual(Date.now() + 90 * DAY * 1000);

      const tooLate = new Date(Date.now() + 91 * DAY * 1000).toISOString();
      const refused = await create(token, { role: 'VIEWER', expiresAt: tooLate });
      expect(refused.errors?.[0]).toMatchObject({
        message: `input.expiresAt: expected a time within 90 days for a key created with a JWT, but got "${tooLate}"`,
        extensions: { code: 'BAD_USER_INPUT', field: 'input.expiresAt' },
      });
    });

    it('stop working when they expire, as a revoked key does', async () => {
      const token = await hs256({ tenant: 'default', role: 'admin' }, good);
      const { key, apiKey } = (await create(token, { role: 'VIEWER' })).data!.createApiKey;
      expect((await postGraphQL({ url: gateway.url, token: key }, `{ leads { totalCount } }`)).status).toBe(200);
      await gateway.db.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiKey.id]);
      // An expiry moved behind the gateway's back is seen once its remembered check is
      // older than WS_CREDENTIAL_CHECK_SECONDS (5 s by default); one read in time ends at the expiry itself.
      keyClockOffset += 5_000;
      expect((await postGraphQL({ url: gateway.url, token: key }, `{ leads { totalCount } }`)).status).toBe(401);
    });
  });

  it('answers a malformed Authorization header with 401', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      body: '{"query":"{ leads { totalCount } }"}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The Authorization header must be "Bearer <API key or JWT>".', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });
});

describe('JWT authentication with AUTH_JWT_TYPE', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { AUTH_JWT_SECRET: SECRET, AUTH_JWT_TYPE: 'at+jwt' } });
  });
  afterAll(() => gateway.stop());

  const token = (typ: string | undefined) =>
    new SignJWT({ tenant: 'default', role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256', ...(typ !== undefined && { typ }) })
      .setIssuedAt()
      .setExpirationTime(now() + 300)
      .sign(new TextEncoder().encode(SECRET));

  it('accepts only tokens of that type: an ID token or an untyped JWT of the same issuer is refused', async () => {
    expect((await postGraphQL({ url: gateway.url, token: await token('at+jwt') }, `{ leads { totalCount } }`)).status).toBe(200);
    for (const typ of ['JWT', undefined]) {
      const response = await postGraphQL({ url: gateway.url, token: await token(typ) }, `{ leads { totalCount } }`);
      expect(response.status, String(typ)).toBe(401);
      expect(response.errors?.[0]?.message).toBe('The token was refused: the token\'s "typ" header is not the one accepted.');
    }
  });
});

describe('JWT authentication against a JWKS URL', () => {
  let gateway: TestGateway;
  let jwks: http.Server;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    sign = (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).setIssuedAt().setExpirationTime(now() + 300).sign(privateKey);
    gateway = await startTestGateway({ env: { AUTH_JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` } });
  });
  afterAll(async () => {
    await gateway.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('accepts a token signed with a published key', async () => {
    const token = await sign({ tenant: 'default', role: 'viewer' });
    expect((await postGraphQL({ url: gateway.url, token }, `{ leads { totalCount } }`)).status).toBe(200);
  });

  it('refuses an HS256 token, whatever its secret: a public key is no HMAC secret', async () => {
    const token = await hs256({ tenant: 'default', role: 'admin' });
    const response = await postGraphQL({ url: gateway.url, token }, `{ leads { totalCount } }`);
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.message).toBe('The token was refused: the token is signed with an algorithm that is not accepted.');
  });
});
