import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedLead } from '../support/fixtures.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';
import { appendChanges, change, lastChangeId, PROVIDERS } from '../support/status-log.js';
import { idsOf, strictlyIncreasing, subscribeToStatusChanges, type StatusSubscription } from '../support/status-subscription.js';

/** Changes written while the first gateway runs; it is stopped a few changes in, so some commit during its stop. */
const WHILE_UP = 30;
const STOP_AFTER = 5;
/** Changes written while no gateway runs. */
const WHILE_DOWN = 20;
/** Changes written after the restarted gateway has replayed the rest. */
const AFTER_RESTART = 10;

describe('a subscriber resuming with `after` against a restarted gateway (a real process)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let env: Record<string, string>;
  let token: string;
  let leadId: string;
  const open: StatusSubscription[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 3 });
    await db.initialize();
    await runMigrations(db);
    token = (await new ApiKeyService(db).create(DEFAULT_TENANT, 'viewer', { createdBy: 'test' })).key;
    leadId = (await seedLead(db)).leadId;
    env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_LIMIT_PER_SECOND: '100000' };
  });
  afterAll(async () => {
    await Promise.all(open.map((subscription) => subscription.close()));
    await killLeftoverGateways();
    await db?.destroy();
    await database?.drop();
  });

  /** Changes written straight to the database, one transaction each, as the gateway's own writers do. */
  async function write(tag: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(...(await appendChanges(db, [change(leadId, PROVIDERS[i % PROVIDERS.length]!, `${tag}-${i}`)])));
    }
    return ids;
  }

  const subscribe = (url: string, after: string) => {
    const subscription = subscribeToStatusChanges({ url, token }, { after });
    open.push(subscription);
    return subscription;
  };

  for (const [how, signal, closeCode] of [
    ['stopped (SIGTERM)', 'SIGTERM', 1001],
    ['killed (SIGKILL)', 'SIGKILL', 1006],
  ] as const) {
    it(`gets every change made before, during and after a restart of a gateway ${how}, exactly once, in order`, { timeout: 90_000 }, async () => {
      const start = await lastChangeId(db);
      const first = runGateway('node', ['bin/leadgraph.js', 'start'], env);
      const before = subscribe(await first.ready, start);

      // The gateway goes away while changes are still being written: the cut falls
      // somewhere inside this batch, wherever it happens to fall.
      const upTag = `up-${signal}`;
      const whileUp = write(upTag, WHILE_UP);
      await before.untilCount(STOP_AFTER);
      first.child.kill(signal);
      expect(await before.ended).toMatchObject({ kind: 'closed', code: closeCode });
      const exitCode = await first.exited;
      if (signal === 'SIGTERM') expect(exitCode, first.output()).toBe(0);
      const up = await whileUp;

      // Nothing is running now.
      const down = await write(`down-${signal}`, WHILE_DOWN);

      const second = runGateway('node', ['bin/leadgraph.js', 'start'], env);
      const resumeFrom = before.changes.at(-1)!.id;
      const after = subscribe(await second.ready, resumeFrom);
      await after.untilId(down.at(-1)!);
      const live = await write(`live-${signal}`, AFTER_RESTART);
      await after.untilId(live.at(-1)!);
      second.child.kill('SIGTERM');
      await second.exited;

      const written = [...up, ...down, ...live];
      const received = [...idsOf(before.changes), ...idsOf(after.changes)];
      // Each change once, in id order, nothing missing, nothing else.
      expect(received).toEqual(written);
      expect(strictlyIncreasing(received)).toBe(true);
      // The resumed subscription started right after the last change received before the stop.
      expect(idsOf(after.changes)[0]).toBe(written[written.indexOf(resumeFrom) + 1]);
      expect([...before.changes, ...after.changes].map((c) => c.entityId)).toEqual([
        ...Array.from({ length: WHILE_UP }, (_, i) => `${upTag}-${i}`),
        ...Array.from({ length: WHILE_DOWN }, (_, i) => `down-${signal}-${i}`),
        ...Array.from({ length: AFTER_RESTART }, (_, i) => `live-${signal}-${i}`),
      ]);
    });
  }
});
