import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { type LeadBankSandbox, startLeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { knownApplications, updateApplication } from '../../support/dispatch-fixtures.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { probeSandbox, type SandboxProbe } from '../../support/sandbox-probe.js';

/** The gateway's built-in Lead Bank sandbox: its server (faults, call counts) and its behaviour (state). */
function leadBankOf(gateway: TestGateway): { server: SandboxServer; leadBank: LeadBankSandbox } {
  const server = gateway.providers.sandboxes.LEAD_BANK!;
  return { server, leadBank: server.behavior as LeadBankSandbox };
}

/** The dispatch row as the database holds it, with the gap between the scheduled retry and the last write. */
async function dispatchRow(gateway: TestGateway, id: string) {
  const [row] = await gateway.db.query<Array<{
    state: string;
    attempts: number;
    last_error: { code: string; httpStatus: number | null } | null;
    run_at: Date;
    updated_at: Date;
    run_at_after_update_ms: number;
  }>>(
    `SELECT state, attempts, last_error, run_at, updated_at,
            (EXTRACT(EPOCH FROM run_at - updated_at) * 1000)::float8 AS run_at_after_update_ms
       FROM dispatch WHERE id = $1`,
    [id],
  );
  return row!;
}

const DISPATCH_QUERY = `query ($id: ID!) { dispatch(id: $id) { state attempts lastError { code httpStatus message } } }`;

describe('dispatch retries against a failing Lead Bank (in-process gateway, fast backoff)', () => {
  let gateway: TestGateway;
  let server: SandboxServer;
  let leadBank: LeadBankSandbox;
  let probe: SandboxProbe;
  const settled = (id: string) => gateway.dispatcher.settled(DEFAULT_TENANT, id);
  const patchesOf = (applicationId: string) => probe.handled.filter((r) => r.method === 'PATCH' && r.path === `/v0/applications/${applicationId}`);

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        DISPATCH_BACKOFF_BASE_MS: '10',
        DISPATCH_POLL_MS: '20',
        DISPATCH_MAX_ATTEMPTS: '3',
        // These tests are about retries: the breaker (tested below) must not stop them halfway.
        BREAKER_FAILURE_THRESHOLD: '1000',
        // Short, so the test where Lead Bank's answer never comes does not wait long for the gateway to give up.
        PROVIDER_TIMEOUT_MS: '300',
      },
    });
    ({ server, leadBank } = leadBankOf(gateway));
    probe = probeSandbox(leadBank);
    // The first call fetches an OAuth token. With it cached, each attempt below is exactly
    // one call to the application route, so call counts are attempt counts.
    const [warmUp] = await knownApplications(gateway.db, leadBank, 1);
    expect((await settled((await updateApplication(gateway.api, warmUp!)).id)).state).toBe('SUCCEEDED');
  });
  afterEach(() => server.clearFaults());
  afterAll(async () => {
    probe.detach();
    await gateway.stop();
  });

  it('two failures then a success: SUCCEEDED after 3 attempts, one idempotency key, one applied effect', async () => {
    const [applicationId] = await knownApplications(gateway.db, leadBank, 1);
    const calls = server.stats.calls;
    server.setFaults({ forceStatus: 503, forceCount: 2 });
    const key = `faults-${randomUUID()}`;

    const submitted = await updateApplication(gateway.api, applicationId!, { idempotencyKey: key });
    expect(submitted.idempotencyKey).toBe(key);
    const done = await settled(submitted.id);

    expect(done).toMatchObject({ state: 'SUCCEEDED', attempts: 3, idempotencyKey: key, lastError: null });
    expect(server.stats.calls - calls).toBe(3);
    expect(leadBank.appliedUpdates(applicationId!)).toBe(1);
    // The two failures were injected before Lead Bank's logic: one call got through, with a key.
    expect(patchesOf(applicationId!)).toEqual([
      { method: 'PATCH', path: `/v0/applications/${applicationId}`, idempotencyKey: expect.any(String), status: 200 },
    ]);
    // One dispatch for the key: retries reuse the row and its key, they never make new ones.
    const [{ count }] = await gateway.db.query<[{ count: string }]>(`SELECT count(*) FROM dispatch WHERE idempotency_key = $1`, [key]);
    expect(count).toBe('1');
    // The local copy shows what Lead Bank confirmed.
    const [local] = await gateway.db.query<[{ product_name: string }]>(`SELECT product_name FROM application WHERE id = $1`, [applicationId]);
    expect(local.product_name).toBe('Dispatch test product');
  });

  it('a provider down for the whole retry budget: FAILED after DISPATCH_MAX_ATTEMPTS (3), lastError UNAVAILABLE', async () => {
    const [applicationId] = await knownApplications(gateway.db, leadBank, 1);
    const calls = server.stats.calls;
    server.setFaults({ failureRate: 1, failureStatus: 503 });

    const submitted = await updateApplication(gateway.api, applicationId!);
    const done = await settled(submitted.id);

    expect(done).toMatchObject({ state: 'FAILED', attempts: 3, lastError: { code: 'UNAVAILABLE', httpStatus: 503 } });
    expect(server.stats.calls - calls).toBe(3); // no attempt past the budget
    expect(leadBank.appliedUpdates(applicationId!)).toBe(0);
    // What the caller reads back.
    const read = await queryData<{ dispatch: { state: string; attempts: number; lastError: { code: string; httpStatus: number } } }>(
      gateway.api,
      DISPATCH_QUERY,
      { id: submitted.id },
    );
    expect(read.dispatch).toMatchObject({ state: 'FAILED', attempts: 3, lastError: { code: 'UNAVAILABLE', httpStatus: 503 } });
    // Nothing left for a poller: FAILED is final until someone asks for retryDispatch.
    expect((await dispatchRow(gateway, submitted.id)).state).toBe('FAILED');
  });

  it('Retry-After is respected: each retry is scheduled at least the 1 s Lead Bank asked for after the 429, and not claimed before', async () => {
    const [applicationId] = await knownApplications(gateway.db, leadBank, 1);
    server.setFaults({ forceStatus: 429, forceCount: 2, retryAfterSeconds: 1 });

    // The mutation waits for the first attempt (DISPATCH_WAIT_MS is 5 s), so when it answers
    // the 429 is recorded and the retry scheduled. A retry due after the backoff alone
    // (10 ms base) rather than after Retry-After would already show as attempt 2 here.
    const submitted = await updateApplication(gateway.api, applicationId!);
    const afterFirst = await dispatchRow(gateway, submitted.id);
    expect(afterFirst).toMatchObject({ state: 'PENDING', attempts: 1, last_error: { code: 'RATE_LIMITED', httpStatus: 429 } });
    // run_at is computed in the gateway (now + delay) just before the statement whose now() is
    // updated_at, so the gap is the delay less that statement's round trip: allow 100 ms of it.
    expect(afterFirst.run_at_after_update_ms).toBeGreaterThanOrEqual(900);

    await gateway.dispatcher.attempted(submitted.id);
    const afterSecond = await dispatchRow(gateway, submitted.id);
    expect(afterSecond).toMatchObject({ state: 'PENDING', attempts: 2, last_error: { code: 'RATE_LIMITED', httpStatus: 429 } });
    // The second attempt was claimed only once due: it was recorded no earlier than the first's run_at.
    expect(afterSecond.updated_at.getTime()).toBeGreaterThanOrEqual(afterFirst.run_at.getTime());
    expect(afterSecond.run_at_after_update_ms).toBeGreaterThanOrEqual(900);

    const done = await settled(submitted.id);
    expect(done).toMatchObject({ state: 'SUCCEEDED', attempts: 3, lastError: null });
    expect(done.updatedAt.getTime()).toBeGreaterThanOrEqual(afterSecond.run_at.getTime());
    expect(leadBank.appliedUpdates(applicationId!)).toBe(1);
  });

  it('an attempt Lead Bank applied but whose answer never came back is not applied again by the retry', async () => {
    const [applicationId] = await knownApplications(gateway.db, leadBank, 1);
    // Lead Bank processes the first PATCH (the change is made) but its answer is held until
    // after the gateway has given up on it (PROVIDER_TIMEOUT_MS): the crash-free version of
    // "the call went through, the gateway never heard".
    const hold = probe.holdNextAnswer((r) => r.method === 'PATCH' && r.path === `/v0/applications/${applicationId}`);
    try {
      const submitted = await updateApplication(gateway.api, applicationId!);
      await hold.reached;
      const done = await settled(submitted.id);

      expect(done).toMatchObject({ state: 'SUCCEEDED', attempts: 2, lastError: null });
      const patches = patchesOf(applicationId!);
      expect(patches).toHaveLength(2);
      // Both carried the same key, so Lead Bank answered the retry from the stored response.
      expect(patches[0]!.idempotencyKey).toEqual(expect.any(String));
      expect(patches[1]!.idempotencyKey).toBe(patches[0]!.idempotencyKey);
      expect(leadBank.appliedUpdates(applicationId!)).toBe(1);
    } finally {
      hold.release(); // the late answer goes to a connection the gateway already closed
    }
  });

  it('the database failing while Lead Bank\'s answer is recorded: retried later with the same key, applied once', async () => {
    const [applicationId] = await knownApplications(gateway.db, leadBank, 1);
    // The transaction that marks this dispatch SUCCEEDED fails once, as it would if the database
    // dropped the connection at that moment. A sequence counts: a trigger's own writes are
    // rolled back with the statement it fails. Nested IFs: SQL does not promise to evaluate AND
    // left to right, and nextval must only run for the statement meant.
    const sequence = `settle_failures_${applicationId}`;
    await gateway.db.query(`CREATE SEQUENCE ${sequence}`);
    await gateway.db.query(`
      CREATE FUNCTION fail_settle_${applicationId}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload->>'applicationId' = '${applicationId}' AND NEW.state = 'SUCCEEDED' THEN
          IF nextval('${sequence}') = 1 THEN
            RAISE EXCEPTION 'injected: the database failed while recording the answer';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await gateway.db.query(
      `CREATE TRIGGER fail_settle_${applicationId} BEFORE UPDATE ON dispatch FOR EACH ROW EXECUTE FUNCTION fail_settle_${applicationId}()`,
    );

    const submitted = await updateApplication(gateway.api, applicationId!);
    const done = await settled(submitted.id);

    expect(done).toMatchObject({ state: 'SUCCEEDED', attempts: 2, lastError: null });
    const patches = patchesOf(applicationId!);
    // Both with the same key, both answered 200: the second is the stored response, replayed.
    expect(patches.map((p) => p.status)).toEqual([200, 200]);
    expect(patches[0]!.idempotencyKey).toEqual(expect.any(String));
    expect(patches[1]!.idempotencyKey).toBe(patches[0]!.idempotencyKey);
    expect(leadBank.appliedUpdates(applicationId!)).toBe(1);
    // The local copy shows the confirmed change (the failed transaction left nothing behind).
    const [local] = await gateway.db.query<[{ product_name: string }]>(`SELECT product_name FROM application WHERE id = $1`, [applicationId]);
    expect(local.product_name).toBe('Dispatch test product');
  });
});

describe('the circuit breaker in the dispatcher (BREAKER_FAILURE_THRESHOLD=2)', () => {
  // Failures carry Retry-After: 3600, so every retry is an hour away: the only calls in these
  // tests are the first attempts the mutations make, and the breaker's failure count is exact.
  // (A backoff alone has full jitter down to 0 ms, so it cannot promise that.)
  const DOWN = { forceStatus: 503, forceCount: 1_000, retryAfterSeconds: 3_600 } as const;

  describe('with a long cool-down', () => {
    let gateway: TestGateway;
    let server: SandboxServer;
    let leadBank: LeadBankSandbox;

    beforeAll(async () => {
      gateway = await startTestGateway({
        env: { DISPATCH_POLL_MS: '20', DISPATCH_BACKOFF_BASE_MS: '10', BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: '600000' },
      });
      ({ server, leadBank } = leadBankOf(gateway));
    });
    afterAll(() => gateway.stop());

    it('opens at the threshold; while open a new mutation is accepted and answered PENDING without any call to Lead Bank', async () => {
      const [first, second, third] = await knownApplications(gateway.db, leadBank, 3);
      server.setFaults(DOWN);

      const a = await updateApplication(gateway.api, first!);
      expect(a).toMatchObject({ state: 'PENDING', attempts: 1, lastError: { code: 'UNAVAILABLE', httpStatus: 503 } });
      expect(gateway.dispatcher.breakerStates().LEAD_BANK).toBe('closed'); // one failure, threshold two

      const b = await updateApplication(gateway.api, second!);
      expect(b).toMatchObject({ state: 'PENDING', attempts: 1, lastError: { code: 'UNAVAILABLE' } });
      expect(gateway.dispatcher.breakerStates()).toEqual({ TECHEA: 'closed', LEAD_BANK: 'open', TECALIS: 'closed', DECISION_CLOUD: 'closed' });

      const calls = server.stats.calls;
      const c = await updateApplication(gateway.api, third!);
      // Accepted (recorded in the outbox) but not attempted: no attempt counted, no error, no call.
      expect(c).toMatchObject({ state: 'PENDING', attempts: 0, lastError: null });
      expect(server.stats.calls).toBe(calls);
      expect(leadBank.appliedUpdates(third!)).toBe(0);
      // It waits for the probe: due when the cool-down ends, not now, and nobody holds it.
      const [row] = await gateway.db.query<[{ due_in_ms: number; locked_until: Date | null }]>(
        `SELECT (EXTRACT(EPOCH FROM run_at - now()) * 1000)::float8 AS due_in_ms, locked_until FROM dispatch WHERE id = $1`,
        [c.id],
      );
      expect(row.due_in_ms).toBeGreaterThan(500_000); // within the 600 s cool-down: it opened moments ago
      expect(row.locked_until).toBeNull();
      expect(gateway.dispatcher.breakerStates().LEAD_BANK).toBe('open');
    });
  });

  describe('with a short cool-down (200 ms)', () => {
    let gateway: TestGateway;
    let server: SandboxServer;
    let leadBank: LeadBankSandbox;

    beforeAll(async () => {
      gateway = await startTestGateway({
        env: { DISPATCH_POLL_MS: '20', DISPATCH_BACKOFF_BASE_MS: '10', BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: '200' },
      });
      ({ server, leadBank } = leadBankOf(gateway));
    });
    afterAll(() => gateway.stop());

    it('closes again: after the cool-down one probe goes through, succeeds once Lead Bank is back, and the breaker closes', async () => {
      const [first, second, third] = await knownApplications(gateway.db, leadBank, 3);
      server.setFaults(DOWN);
      await updateApplication(gateway.api, first!);
      await updateApplication(gateway.api, second!);
      // Tripped. Which of the two it shows depends on whether 200 ms have passed already,
      // and this test does not assert on time.
      expect(['open', 'half-open']).toContain(gateway.dispatcher.breakerStates().LEAD_BANK);

      server.clearFaults();
      const c = await updateApplication(gateway.api, third!);
      // Answered PENDING while open (then the poller's claim after the cool-down is the probe),
      // or attempted at once as the probe when the cool-down had already ended.
      const done = await gateway.dispatcher.settled(DEFAULT_TENANT, c.id);

      expect(done).toMatchObject({ state: 'SUCCEEDED', lastError: null });
      expect(done.attempts).toBe(1); // a refusal by an open breaker is not an attempt
      expect(gateway.dispatcher.breakerStates().LEAD_BANK).toBe('closed');
      expect(leadBank.appliedUpdates(third!)).toBe(1);
    });
  });
});

describe('the sandbox fault injection these tests rely on', () => {
  // BUG (src/providers/sandbox/sandbox-server.ts, SandboxServer.call): `forceCount` is read
  // from a snapshot taken before the `latencyMs` delay and written back from it after the
  // delay. Calls that overlap during the delay all see the same count: N overlapping calls
  // are all failed (not the next `forceCount`), and the write-back from the stale snapshot
  // also undoes a `clearFaults()`/`setFaults()` made meanwhile. It is why the crash test does
  // not combine `forceCount` with `latencyMs`. Remove `.fails` once the sandbox decrements the
  // live settings (e.g. decide and decrement before awaiting the delay).
  it('with latency, forceCount: 1 fails exactly one of five overlapping calls', async () => {
    const sandbox = await startLeadBankSandbox();
    try {
      sandbox.server.setFaults({ latencyMs: 200, forceStatus: 503, forceCount: 1 });
      const token = () =>
        fetch(new URL('/v1/oauth/token', sandbox.baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.connection.clientId, client_secret: sandbox.connection.clientSecret }),
        }).then((r) => r.status);
      const statuses = await Promise.all([token(), token(), token(), token(), token()]);
      expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    } finally {
      await sandbox.stop();
    }
  });

  it('clearFaults() during a slow forced failure stays cleared', async () => {
    const sandbox = await startLeadBankSandbox();
    try {
      sandbox.server.setFaults({ latencyMs: 200, forceStatus: 503, forceCount: 3 });
      const call = fetch(new URL('/v1/oauth/token', sandbox.baseUrl), { method: 'POST', body: '{}' });
      // Wait (on the event loop, not a clock) until the call is inside the sandbox's delay.
      while (sandbox.server.stats.calls === 0) await new Promise((resolve) => setImmediate(resolve));
      sandbox.server.clearFaults();
      expect((await call).status).toBe(503); // decided before the clear: fair
      expect(sandbox.server.currentFaults()).toMatchObject({ latencyMs: 0, forceCount: 0 });
    } finally {
      await sandbox.stop();
    }
  });
});
