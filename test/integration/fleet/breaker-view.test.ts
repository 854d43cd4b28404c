import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '../../../src/db/data-source.js';
import { BreakerStore } from '../../../src/dispatch/breaker-store.js';
import { CLOSED_BREAKER } from '../../../src/dispatch/circuit-breaker.js';
import { SharedBreaker } from '../../../src/dispatch/shared-breaker.js';
import { createLogger } from '../../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

describe("a breaker's view of the shared row", () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDataSource({ url: database.url, poolSize: 2 }).initialize();
    await runMigrations(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('a read that started before this instance recorded a failure does not undo it (the poller, in flight meanwhile); a later read is taken', async () => {
    const store = new BreakerStore(db);
    const breaker = new SharedBreaker('LEAD_BANK', {
      store,
      policy: { failureThreshold: 2, cooldownMs: 600_000 },
      owner: 'instance-a',
      logger: createLogger('silent'),
    });
    // The poller's read: it starts now and is answered with the row as it is now, closed.
    const pollStarted = performance.now();
    const polled = await store.read('LEAD_BANK');
    expect(polled.record).toEqual(CLOSED_BREAKER);

    await breaker.recordFailure();
    await breaker.recordFailure();
    expect(breaker.state).toBe('open');

    // The poller's answer arrives after the writes: older than the view, left aside.
    breaker.adopt(polled, polled.now, pollStarted);
    expect(breaker.state).toBe('open');

    // A read that started after them is the row as it is: taken (here, another instance closed it).
    await store.reset('LEAD_BANK');
    const later = performance.now();
    const fresh = await store.read('LEAD_BANK');
    breaker.adopt(fresh, fresh.now, later);
    expect(breaker.state).toBe('closed');
  });
});
