import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { knownApplications, updateApplication } from '../support/dispatch-fixtures.js';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { untilNonePending } from '../support/outbox-wait.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';
import { probeSandbox, type SandboxProbe } from '../support/sandbox-probe.js';

const BATCH = 30;
/** Sent and settled before the crash. */
const WAVE_ONE = 10;
/** The gateway dies the moment Lead Bank has applied this many updates: all of wave one and a few of wave two. */
const KILL_AT_APPLIED = 15;

describe('a gateway killed (SIGKILL) while its Lead Bank calls are in flight', () => {
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let database: TestDatabase;
  let db: DataSource;
  let probe: SandboxProbe;
  let adminKey: string;
  let applicationIds: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    // The sandboxes run here, in the test process, so the test sees Lead Bank's state as it
    // changes; the gateway is a child process that treats them as the live providers.
    sandboxes = await startLiveSandboxes();
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    await runMigrations(db);
    adminKey = (await new ApiKeyService(db).create(DEFAULT_TENANT, 'admin', { createdBy: 'test' })).key;
    applicationIds = await knownApplications(db, sandboxes.leadBank.behavior, BATCH);
    probe = probeSandbox(sandboxes.leadBank.behavior);
    env = {
      ...sandboxes.env,
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      // Mutations answer PENDING at once; their first attempts go on in the background.
      DISPATCH_WAIT_MS: '1',
      DISPATCH_POLL_MS: '50',
      DISPATCH_BACKOFF_BASE_MS: '50',
      // A killed instance's claims expire after 2 s; then the restarted one may take them.
      DISPATCH_LEASE_MS: '2000',
      RATE_LIMIT_PER_SECOND: '100000',
    };
  });
  afterAll(async () => {
    await killLeftoverGateways();
    probe?.detach();
    await sandboxes?.stop();
    await db?.destroy();
    await database?.drop();
  });

  it('after a restart on the same database every dispatch SUCCEEDED, each applied exactly once at Lead Bank', { timeout: 60_000 }, async () => {
    const leadBank = sandboxes.leadBank.behavior;
    const target = (url: string) => ({ url, token: adminKey });
    const waveOne = applicationIds.slice(0, WAVE_ONE);
    const waveTwo = applicationIds.slice(WAVE_ONE);
    const first = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await first.ready;
    // Slow calls (token and PATCH alike), as a loaded provider's are.
    sandboxes.leadBank.server.setFaults({ latencyMs: 200 });

    // Wave one completes before the crash: recorded SUCCEEDED, it must not be sent again.
    const one = await Promise.all(waveOne.map((id) => updateApplication(target(url), id)));
    expect(one.map((d) => d.state)).toEqual(Array<string>(WAVE_ONE).fill('PENDING'));
    await untilNonePending(db, first);

    // Wave two is in flight when the gateway dies. Its calls are stopped as they reach Lead
    // Bank (after the 200 ms latency, before Lead Bank's logic), so the test decides which
    // are applied before the crash instead of racing the clock.
    const gate = probe.gate((r) => r.method === 'PATCH');
    const two = await Promise.all(waveTwo.map((id) => updateApplication(target(url), id)));
    expect(two.map((d) => d.state)).toEqual(Array<string>(BATCH - WAVE_ONE).fill('PENDING'));
    await gate.untilWaiting(waveTwo.length);
    expect(leadBank.applied).toHaveLength(WAVE_ONE);

    // SIGKILL from inside Lead Bank's handler as it applies the KILL_AT_APPLIED-th update:
    // nothing else the sandbox does runs in between, so that update's answer never reaches
    // the gateway. At the same moment Lead Bank revokes the dead instance's token, so the
    // calls still stopped at the gate are refused when they go on (401, not applied) rather
    // than completed for a client that is gone. The crash thus leaves both kinds of unfinished
    // dispatch: applied upstream but never recorded locally, and never applied upstream.
    let appliedAtKill = -1;
    const killed = new Promise<void>((resolve) =>
      probe.when(
        () => leadBank.applied.length >= KILL_AT_APPLIED,
        () => {
          first.child.kill('SIGKILL');
          leadBank.revokeAllTokens();
          appliedAtKill = leadBank.applied.length;
          resolve();
        },
      ),
    );
    gate.release(KILL_AT_APPLIED - WAVE_ONE);
    await killed;
    await first.exited;
    gate.release();
    expect(appliedAtKill).toBe(KILL_AT_APPLIED);
    // Every call of the dead instance has been answered by Lead Bank now.
    await probe.until(() => probe.handled.length === sandboxes.leadBank.server.stats.calls);
    const succeededAtCrash = new Set(
      (await db.query<Array<{ id: string }>>(`SELECT id FROM dispatch WHERE state = 'SUCCEEDED'`)).map((r) => r.id),
    );
    for (const d of one) expect(succeededAtCrash.has(d.id), `wave one's ${d.id} was recorded before the crash`).toBe(true);
    expect(BATCH - succeededAtCrash.size, 'the crash left dispatches unfinished').toBeGreaterThanOrEqual(BATCH - KILL_AT_APPLIED);

    const second = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    await second.ready;
    await untilNonePending(db, second);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // Every call Lead Bank received has been answered (none is still inside its latency).
    await probe.until(() => probe.handled.length === sandboxes.leadBank.server.stats.calls);

    const rows = await db.query<Array<{ id: string; state: string; attempts: number; application_id: string }>>(
      `SELECT id, state, attempts, payload->>'applicationId' AS application_id FROM dispatch`,
    );
    expect(rows).toHaveLength(BATCH);
    expect(rows.filter((r) => r.state !== 'SUCCEEDED')).toEqual([]);
    for (const id of applicationIds) expect(leadBank.appliedUpdates(id), `updates applied to ${id}`).toBe(1);
    expect(leadBank.applied).toHaveLength(BATCH);

    const patches = (id: string) => probe.handled.filter((r) => r.method === 'PATCH' && r.path === `/v0/applications/${id}`);
    const keys = new Set<string | undefined>();
    for (const row of rows) {
      const sent = patches(row.application_id);
      // Every call of one dispatch carried the same key, before and after the crash: that is
      // why Lead Bank answered the second send of an update it had already applied from its
      // stored response.
      const sentKeys = new Set(sent.map((p) => p.idempotencyKey));
      expect(sentKeys.size, `keys sent for ${row.application_id}`).toBe(1);
      keys.add([...sentKeys][0]);
      if (succeededAtCrash.has(row.id)) {
        // Recorded before the crash: never sent again.
        expect([row.attempts, sent.length], `attempts and calls of ${row.application_id}`).toEqual([1, 1]);
      } else {
        // One attempt cut short by the crash, one by the restarted instance.
        expect([row.attempts, sent.length], `attempts and calls of ${row.application_id}`).toEqual([2, 2]);
      }
    }
    // ...and no two dispatches shared a key.
    expect(keys.size).toBe(BATCH);
    expect(keys.has(undefined)).toBe(false);
    // Both kinds of unfinished dispatch were there for the restart to finish.
    const firstCalls = waveTwo.map((id) => patches(id)[0]!.status);
    expect(firstCalls.filter((s) => s === 200)).toHaveLength(KILL_AT_APPLIED - WAVE_ONE);
    expect(firstCalls.filter((s) => s === 401)).toHaveLength(BATCH - KILL_AT_APPLIED);
    expect(second.output()).not.toMatch(/"level":(50|60)/); // no error or fatal line from the restarted gateway
  });
});
