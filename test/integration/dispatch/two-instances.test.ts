import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { requestHash } from '../../../src/dispatch/request-hash.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { DispatchState, Provider } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import { type UpdateApplicationCommand } from '../../../src/providers/provider.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { knownApplications } from '../../support/dispatch-fixtures.js';
import { startLiveSandboxes } from '../../support/live-sandboxes.js';
import { probeSandbox, type SandboxProbe } from '../../support/sandbox-probe.js';

const QUEUED = 200;

/** A gateway instance and the log lines it wrote (JSON, one per line). */
interface Instance {
  readonly gateway: Gateway;
  readonly lines: string[];
}

/** Ids of the dispatches an instance logged as succeeded: which instance did which work. */
function succeededBy(instance: Instance): string[] {
  return instance.lines
    .map((line) => JSON.parse(line) as { msg?: string; dispatchId?: string })
    .filter((entry) => entry.msg === 'dispatch succeeded')
    .map((entry) => entry.dispatchId!);
}

describe('two gateway instances on one database share the outbox', () => {
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let database: TestDatabase;
  let probe: SandboxProbe;
  const instances: Instance[] = [];

  beforeAll(async () => {
    // One Lead Bank for both instances, as in production: both treat it as the live provider.
    sandboxes = await startLiveSandboxes();
    probe = probeSandbox(sandboxes.leadBank.behavior);
    database = await createTestDatabase();
    const config = loadConfig({
      ...sandboxes.env,
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DISPATCH_POLL_MS: '20',
      DISPATCH_BACKOFF_BASE_MS: '10',
    });
    // One after the other: the first applies the migrations, the second finds them applied.
    for (let i = 0; i < 2; i++) {
      const lines: string[] = [];
      const gateway = await startGateway(config, createLogger('info', { write: (line: string) => void lines.push(line) }));
      instances.push({ gateway, lines });
    }
  });
  afterAll(async () => {
    for (const { gateway } of instances) await gateway.close();
    probe?.detach();
    await sandboxes?.stop();
    await database?.drop();
  });

  it('200 queued dispatches: all SUCCEEDED, each sent exactly once, and both instances did part of the work', async () => {
    const [a, b] = instances as [Instance, Instance];
    const leadBank = sandboxes.leadBank.behavior;
    // The pollers start with their gateways; stop them so the whole queue is in place before
    // either looks at it, then start both together.
    await a.gateway.dispatcher.stop();
    await b.gateway.dispatcher.stop();

    const applicationIds = await knownApplications(a.gateway.db, leadBank, QUEUED);
    const dispatchIds: string[] = [];
    for (const applicationId of applicationIds) {
      const command: UpdateApplicationCommand = { operation: 'updateApplication', applicationId, productName: `Queued for ${applicationId}` };
      const { dispatch, claim } = await a.gateway.dispatcher.outbox.record(
        {
          tenantId: DEFAULT_TENANT,
          provider: Provider.LEAD_BANK,
          command,
          leadId: null,
          idempotencyKey: undefined,
          requestHash: requestHash(command),
        },
        { maxAttempts: 8, leaseMs: 30_000, claim: false, runAt: new Date() },
      );
      expect(claim).toBeNull();
      dispatchIds.push(dispatch.id);
    }
    const [{ pending }] = await a.gateway.db.query<[{ pending: number }]>(`SELECT count(*)::int AS pending FROM dispatch WHERE state = 'PENDING' AND attempts = 0`);
    expect(pending).toBe(QUEUED);

    // A dispatch settles on whichever instance sent it, so wait on both. Each `settled` listens
    // before it reads the row, so a dispatch that settles in between is not missed.
    const settled = dispatchIds.map((id) =>
      Promise.race([a.gateway.dispatcher.settled(DEFAULT_TENANT, id), b.gateway.dispatcher.settled(DEFAULT_TENANT, id)]),
    );
    a.gateway.dispatcher.start();
    b.gateway.dispatcher.start();
    const results = await Promise.all(settled);

    // All SUCCEEDED, each at its first attempt: no dispatch was claimed twice.
    expect(results.filter((d) => d.state !== DispatchState.SUCCEEDED || d.attempts !== 1)).toEqual([]);
    // Exactly once in effect at Lead Bank...
    for (const id of applicationIds) expect(leadBank.appliedUpdates(id), `updates applied to ${id}`).toBe(1);
    expect(leadBank.applied.filter((x) => x.kind === 'updated')).toHaveLength(QUEUED);
    // ...and in fact: one call per dispatch, each with its own key (the leases outlast the calls,
    // so nothing was sent twice).
    const keys = probe.handled.filter((r) => r.method === 'PATCH').map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(QUEUED);
    expect(new Set(keys).size).toBe(QUEUED);

    // The split. Both first polls run together and claim with FOR UPDATE SKIP LOCKED, each up to
    // DISPATCH_CONCURRENCY (16) rows: with 200 due, each necessarily gets rows of its own, so
    // both instances take part whatever the timing. The logs say who settled what.
    const byA = succeededBy(a);
    const byB = succeededBy(b);
    expect(byA.length, 'dispatches the first instance sent').toBeGreaterThan(0);
    expect(byB.length, 'dispatches the second instance sent').toBeGreaterThan(0);
    expect(byA.filter((id) => byB.includes(id)), 'dispatches both instances sent').toEqual([]);
    expect(new Set([...byA, ...byB])).toEqual(new Set(dispatchIds));
    // Lead Bank saw both too: each instance fetched its own OAuth token to call it.
    expect(leadBank.tokensIssued).toBe(2);
  });
});
