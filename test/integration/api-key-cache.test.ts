import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../src/app.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { createLogger } from '../../src/logger.js';
import { type TestGateway, startTestGateway, secondInstanceEnv } from '../support/gateway.js';
import { postGraphQL, queryData, type Target } from '../support/graphql-client.js';
import { SqlCounter } from '../support/sql-counter.js';

/** WS_CREDENTIAL_CHECK_SECONDS of both instances: how long a successful key check is trusted. */
const BOUND_SECONDS = 60;
const BOUND_MS = BOUND_SECONDS * 1000;
const READ = '{ leads { totalCount } }';

/** A clock that runs with real time, plus whatever a test moves it by. */
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
}

/** The dispatcher's poll and breaker refresh, on their own timers: no request's statements. */
const BACKGROUND = /^\s*(SELECT b\.provider, b\.failures|UPDATE dispatch SET locked_until)/;

/** Statements requests sent (the instance's background work left out). */
const requestStatements = (counter: SqlCounter) => counter.statements.filter((sql) => !BACKGROUND.test(sql)).length;

/** Key checks against the database among the statements counted. */
const keyChecks = (counter: SqlCounter) => counter.statements.filter((sql) => /FROM api_key WHERE key_hash/.test(sql)).length;

describe('remembered API key checks', () => {
  const clockA = movableClock();
  const clockB = movableClock();
  const sqlA = new SqlCounter();
  const sqlB = new SqlCounter();
  let a: TestGateway;
  let b: Gateway;
  const status = async (target: Target) => (await postGraphQL(target, READ)).status;
  const revokeThroughA = (id: string) => queryData(a.api, `mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id });

  beforeAll(async () => {
    a = await startTestGateway({ sqlLogger: sqlA, apiKeyClock: clockA.now, env: { WS_CREDENTIAL_CHECK_SECONDS: String(BOUND_SECONDS) } });
    // A second instance on the same database, as a fleet runs them.
    b = await startGateway(
      loadConfig(
        secondInstanceEnv(a, {
          RATE_LIMIT_PER_SECOND: '100000',
          AUTH_FAILURES_PER_MINUTE: '100000',
          WS_CREDENTIAL_CHECK_SECONDS: String(BOUND_SECONDS),
        }),
      ),
      createLogger('silent'),
      { sqlLogger: sqlB, apiKeyClock: clockB.now },
    );
  });
  beforeEach(() => {
    sqlA.reset();
    sqlB.reset();
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('asks the database once for a key used request after request, so a request makes one statement fewer', async () => {
    const key = await a.createKey(DEFAULT_TENANT, 'viewer');
    const target = { url: a.url, token: key.key };
    sqlA.reset();
    expect(await status(target)).toBe(200);
    const first = requestStatements(sqlA);
    expect(keyChecks(sqlA)).toBe(1);
    sqlA.reset();
    for (let n = 0; n < 5; n++) expect(await status(target)).toBe(200);
    expect(keyChecks(sqlA)).toBe(0);
    expect(requestStatements(sqlA) / 5).toBe(first - 1);
    // Past the bound it is asked again, once.
    clockA.advance(BOUND_MS);
    expect(await status(target)).toBe(200);
    expect(keyChecks(sqlA)).toBe(1);
  });

  it('refuses a remembered key at once on the instance that revokes it', async () => {
    const key = await a.createKey(DEFAULT_TENANT, 'viewer');
    const target = { url: a.url, token: key.key };
    expect(await status(target)).toBe(200);
    expect(await status(target)).toBe(200);
    expect(keyChecks(sqlA)).toBe(1); // remembered
    await revokeThroughA(key.id);
    expect(await status(target)).toBe(401);
  });

  it('refuses it on another instance within WS_CREDENTIAL_CHECK_SECONDS of its last check there', async () => {
    const key = await a.createKey(DEFAULT_TENANT, 'viewer');
    const onB = { url: b.url, token: key.key };
    expect(await status(onB)).toBe(200);
    await revokeThroughA(key.id);
    // B trusts its check until the bound: that is the bound, stated.
    clockB.advance(BOUND_MS - 1_000);
    expect(await status(onB)).toBe(200);
    clockB.advance(1_000);
    expect(await status(onB)).toBe(401);
  });

  it('refuses a key revoked with no instance told (as `leadgraph keys revoke` does it) within the bound', async () => {
    const key = await a.createKey(DEFAULT_TENANT, 'viewer');
    const target = { url: a.url, token: key.key };
    expect(await status(target)).toBe(200);
    // The CLI's own service: no remembered checks, no listener of A's.
    await new ApiKeyService(a.db).revoke(key.id);
    clockA.advance(BOUND_MS);
    expect(await status(target)).toBe(401);
  });

  it('never remembers a refusal: an unknown, a malformed or a revoked key is asked about every time', async () => {
    const unknown = { url: a.url, token: `lgk_${randomBytes(32).toString('base64url')}` };
    const revoked = await a.createKey(DEFAULT_TENANT, 'viewer');
    await revokeThroughA(revoked.id);
    sqlA.reset();
    for (let n = 0; n < 3; n++) {
      expect(await status(unknown)).toBe(401);
      expect(await status({ url: a.url, token: revoked.key })).toBe(401);
      expect(await status({ url: a.url, token: 'lgk_short' })).toBe(401);
    }
    // The malformed key never reaches the database; the other two every time.
    expect(keyChecks(sqlA)).toBe(6);
  });

  it('lets a key in as soon as it exists, though it was refused a moment before (refusals are not remembered)', async () => {
    const key = `lgk_${randomBytes(32).toString('base64url')}`;
    expect(await status({ url: a.url, token: key })).toBe(401);
    await a.db.query(
      `INSERT INTO api_key (tenant_id, role, key_hash, key_prefix, created_by) VALUES ($1, 'viewer', $2, $3, 'test')`,
      [DEFAULT_TENANT, createHash('sha256').update(key).digest('hex'), key.slice(0, 10)],
    );
    expect(await status({ url: a.url, token: key })).toBe(200);
  });

  it('stops a remembered key at its expiry, though the trust period would run on', async () => {
    const apiKeys = new ApiKeyService(a.db);
    const { entity, key } = await apiKeys.create(DEFAULT_TENANT, 'viewer', { createdBy: 'test', expiresAt: new Date(Date.now() + 30_000) });
    const target = { url: a.url, token: key };
    expect(await status(target)).toBe(200);
    // The database's clock reaches the expiry as A's does (both moved by 30 s; A's bound is 60 s).
    await a.db.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [entity.id]);
    clockA.advance(29_000);
    expect(await status(target)).toBe(200);
    clockA.advance(1_000);
    expect(await status(target)).toBe(401);
  });
});
