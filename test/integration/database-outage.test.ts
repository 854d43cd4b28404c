import { SignJWT } from 'jose';
import { EventEmitter } from 'node:events';
import { type DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDataSource, READ_TIMEOUT_GRACE_MS } from '../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { LISTEN_RECONNECT } from '../../src/events/change-hub.js';
import { createLogger } from '../../src/logger.js';
import { type LeadBankSandbox } from '../../src/providers/leadbank/sandbox.js';
import { type SandboxRequest, type SandboxServer } from '../../src/providers/sandbox/sandbox-server.js';
import { knownApplications } from '../support/dispatch-fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL } from '../support/graphql-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { executeOverWebSocket } from '../support/ws-client.js';

/** The bounds the gateway runs with here: short, so a test of them is short. */
const CONNECT_TIMEOUT_MS = 500;
const STATEMENT_TIMEOUT_MS = 1_000;
/** The client's wait for an answer: the statement timeout and its grace. */
const READ_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + READ_TIMEOUT_GRACE_MS;
/**
 * Every answer during a fault comes within one bounded wait for the database, plus the
 * request's own work (generous: two dozen requests fail at once on a shared machine).
 */
const SLACK_MS = 1_500;
const ANSWER_BOUND_MS = Math.max(CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS) + SLACK_MS;
/**
 * After the provider's answer, a mutation meets the database twice before it can answer
 * (the fleet's circuit breaker is told the provider is up, then the result is applied),
 * each a bounded wait.
 */
const MUTATION_BOUND_MS = 2 * Math.max(CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS) + SLACK_MS;
/** `/readyz` answers within its one-second deadline, plus the request's own work. */
const READYZ_BOUND_MS = 1_000 + 500;
/** Ready again this soon after the database is back: the LISTEN reconnect's cap, a connect, a probe. */
const READY_AGAIN_MS = 2_000;

const JWT_SECRET = 'outage-test-secret-of-more-than-32-characters';
const LEADS = `{ leads(first: 1) { totalCount } }`;
const UPDATE_APPLICATION = `mutation ($i: UpdateApplicationInput!) {
  updateApplication(input: $i) { application { id productName } dispatch { id state attempts idempotencyKey } }
}`;

describe('the database down or hung: bounded waits, honest answers, no lost dispatch', () => {
  let proxy: TcpProxy;
  let gateway: TestGateway;
  /** The gateway's database, reached directly (not through the proxy), to check what was written. */
  let direct: DataSource;
  let jwt: string;
  /** Moves the clock remembered API key checks age by (real time plus this). */
  let keyClockOffset = 0;
  const logLines = new EventEmitter();

  beforeAll(async () => {
    const admin = new URL(inject('adminDatabaseUrl'));
    proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const logger = createLogger('info', {
      write: (line: string) => void logLines.emit('line', JSON.parse(line) as Record<string, unknown>),
    });
    gateway = await startTestGateway({
      databaseVia: (url) => proxy.via(url),
      apiKeyClock: () => Date.now() + keyClockOffset,
      logger,
      env: {
        DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        AUTH_JWT_SECRET: JWT_SECRET,
        // Longer than any test here: an answer or an applied result never comes from the wait running out or the lease.
        DISPATCH_WAIT_MS: '60000',
        DISPATCH_LEASE_MS: '120000',
      },
    });
    const url = new URL((gateway.db.options as { url: string }).url);
    url.hostname = admin.hostname;
    url.port = admin.port;
    direct = createDataSource({ url: url.toString(), poolSize: 2 });
    await direct.initialize();
    // A credential checked without the database, so a request reaches GraphQL execution during the fault.
    jwt = await new SignJWT({ tenant: DEFAULT_TENANT, role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('outage-test')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(new TextEncoder().encode(JWT_SECRET));
  });
  afterEach(async () => {
    // Whatever a test did to the database, the next one starts with it healthy.
    proxy.resume();
    await proxy.accept();
  });
  afterAll(async () => {
    await gateway?.stop();
    await direct?.destroy();
    await proxy?.close();
  });

  /** Runs `call`, and how long it took. */
  async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await call();
    return { value, ms: performance.now() - started };
  }

  const readyz = async () => {
    const response = await fetch(new URL('/readyz', gateway.url));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /**
   * Asks /readyz until it is ready (each answer is the event re-checked); how long that took.
   * Bounded by time, not by a count of asks: what it waits for is the LISTEN reconnect's
   * timer (up to its one-second cap), and a fast machine asks a few hundred times in that
   * second. The bound is far above READY_AGAIN_MS so a slow return is measured, not cut.
   */
  async function untilReady(): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < 10 * READY_AGAIN_MS) {
      if ((await readyz()).status === 200) return performance.now() - started;
    }
    throw new Error(`/readyz was not ready within ${10 * READY_AGAIN_MS} ms`);
  }

  /**
   * Opens every pooled connection (10) and leaves them idle, so requests during a hang
   * get connections that are already open, whose statements only the client's read
   * bound ends, not just new connections, which the connect bound ends.
   */
  async function fillPool(): Promise<void> {
    await Promise.all(Array.from({ length: 10 }, () => gateway.db.query('SELECT pg_sleep(0.05)')));
  }

  /** Resolves with the first log line that `match` accepts. */
  function logLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const listener = (line: Record<string, unknown>) => {
        if (!match(line)) return;
        logLines.off('line', listener);
        resolve(line);
      };
      logLines.on('line', listener);
    });
  }

  /** Everything the gateway answers during a fault, each timed: HTTP with an API key and a JWT, /readyz, connection_init. */
  async function duringFault() {
    // The key's remembered check has run out (see api-key-cache.test.ts): the database must be asked.
    keyClockOffset += 3_600_000;
    const api = (token: string) => timed(() => postGraphQL({ url: gateway.url, token }, LEADS));
    // More requests than pooled connections (10), so some wait for a connection and some on one.
    return Promise.all([
      Promise.all(Array.from({ length: 12 }, () => api(gateway.api.token!))),
      Promise.all(Array.from({ length: 12 }, () => api(jwt))),
      Promise.all(Array.from({ length: 3 }, () => timed(readyz))),
      Promise.all(Array.from({ length: 2 }, () => timed(() => executeOverWebSocket(gateway.url, gateway.api.token, LEADS)))),
    ]);
  }

  function expectHonestOutage([withKey, withJwt, probes, sockets]: Awaited<ReturnType<typeof duringFault>>) {
    for (const { value, ms } of [...withKey, ...withJwt]) {
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(value.status).toBe(503);
      expect(value.headers?.get('retry-after')).toBe('2');
      expect(value.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 2 });
    }
    for (const { value, ms } of probes) {
      expect(ms).toBeLessThan(READYZ_BOUND_MS);
      expect(value).toMatchObject({ status: 503, body: { status: 'not ready', database: 'unreachable' } });
    }
    for (const { value, ms } of sockets) {
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(value).toMatchObject({ kind: 'closed', code: 1013, reason: expect.stringMatching(/^SERVICE_UNAVAILABLE/) as unknown });
    }
  }

  it('a hung database: every answer within its bound, 503 with Retry-After (HTTP), 1013 (socket init); ready again at once when it answers', async () => {
    expect((await readyz()).status).toBe(200);
    await fillPool();
    proxy.hang();
    expectHonestOutage(await duringFault());

    proxy.resume();
    expect(await untilReady()).toBeLessThan(READY_AGAIN_MS);
    expect((await postGraphQL(gateway.api, LEADS)).status).toBe(200);
  });

  it('a database that is down: 503 with Retry-After at once, 1013 at socket init; ready again within two seconds of its return', async () => {
    expect((await readyz()).status).toBe(200);
    // Down long enough for the LISTEN reconnects to back off to their cap: its return is then the worst case.
    const atCap = logLine((line) => line.retryInMs === LISTEN_RECONNECT.capMs);
    await proxy.refuse();
    expectHonestOutage(await duringFault());
    await atCap;

    await proxy.accept();
    expect(await untilReady()).toBeLessThan(READY_AGAIN_MS);
    expect(await readyz()).toMatchObject({ status: 200, body: { database: 'ok', listen: 'up' } });
  });

  describe.each([
    ['down', () => proxy.refuse(), () => proxy.accept()],
    [
      'hung',
      async () => {
        await fillPool();
        proxy.hang();
      },
      () => proxy.resume(),
    ],
  ] as const)('a mutation in flight when the database goes %s', (how, fail, restore) => {
    it('is answered with its PENDING dispatch, and the provider\'s answer is applied once, as soon as the database is back', async () => {
      const leadBank = gateway.providers.sandboxes.LEAD_BANK as SandboxServer;
      const behavior = leadBank.behavior as LeadBankSandbox;
      const [applicationId] = (await knownApplications(gateway.db, behavior, 1)) as [string];
      // Lead Bank holds the call until the database has failed, then applies it and answers.
      const arrived = gate(leadBank, (request) => request.method === 'PATCH' && request.path.endsWith(applicationId));

      const key = `outage-${how}-${applicationId}`;
      const answer = postGraphQL<{ updateApplication: { application: { id: string; productName: string | null }; dispatch: Record<string, unknown> } }>(
        gateway.api,
        UPDATE_APPLICATION,
        { i: { applicationId, productName: `written before the database went ${how}`, idempotencyKey: key } },
      );
      const release = await arrived;
      await fail();
      const released = performance.now();
      release();
      const response = await answer;
      expect(performance.now() - released).toBeLessThan(MUTATION_BOUND_MS);

      // The dispatch, as written: the caller can follow it (by id, or by sending the key again).
      expect(response.errors).toBeUndefined();
      expect(response.status).toBe(200);
      const { dispatch, application } = response.data!.updateApplication;
      expect(dispatch).toMatchObject({ state: 'PENDING', attempts: 1, idempotencyKey: key });
      expect(application.id).toBe(applicationId);
      // Lead Bank has applied it; the gateway holds its answer.
      expect(behavior.appliedUpdates(applicationId)).toBe(1);

      await restore();
      const back = performance.now();
      const settled = await gateway.dispatcher.settled(DEFAULT_TENANT, dispatch.id as string);
      // Applied within the retry's cap of the database's return, not when the lease (120 s) runs out.
      expect(performance.now() - back).toBeLessThan(READY_AGAIN_MS);
      expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });

      // Exactly once: one dispatch, one call upstream, its answer applied, one end of the dispatch in the log.
      expect(behavior.appliedUpdates(applicationId)).toBe(1);
      const [row] = await direct.query<[{ product_name: string; dispatches: number; ends: number }]>(
        `SELECT a.product_name,
                (SELECT count(*)::int FROM dispatch d WHERE d.idempotency_key = $3) AS dispatches,
                (SELECT count(*)::int FROM status_change s WHERE s.kind = 'DISPATCH' AND s.dispatch_id = $2) AS ends
           FROM application a WHERE a.id = $1`,
        [applicationId, dispatch.id, key],
      );
      expect(row).toEqual({ product_name: `written before the database went ${how}`, dispatches: 1, ends: 1 });
    });
  });
});

/**
 * Holds the first call `matches` accepts at the sandbox, before it is handled: resolves
 * when it arrives with the function that lets it go on (to be applied and answered).
 */
function gate(sandbox: SandboxServer, matches: (request: SandboxRequest) => boolean): Promise<() => void> {
  const behavior = sandbox.behavior;
  const handle = behavior.handle.bind(behavior);
  return new Promise((arrived) => {
    behavior.handle = async (request) => {
      if (!matches(request)) return handle(request);
      behavior.handle = handle;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      arrived(release);
      await released;
      return handle(request);
    };
  });
}
