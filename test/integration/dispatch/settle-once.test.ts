import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '../../../src/db/data-source.js';
import { type ConfirmedResult, settleWithResult } from '../../../src/dispatch/apply-result.js';
import { Outbox } from '../../../src/dispatch/outbox.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { LeadEvent, LeadEventOutcome, Provider } from '../../../src/domain/vocabulary.js';
import { DEFAULT_REGISTRY, type ProviderResults } from '../../../src/providers/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { seedLead } from '../../support/fixtures.js';

/**
 * Two holders of one dispatch's confirmed answer (an attempt whose lease ran out was sent
 * again by another instance, and both answers came back): the record is written before
 * the dispatch is settled, in one transaction, so the second holder's writes are rolled
 * back when it finds the dispatch settled. Applied once, logged once.
 */
describe('a confirmed result applied by two holders of the same dispatch', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 4 });
    await db.initialize();
    await runMigrations(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('settles it once: the second finds it settled, and what it wrote is rolled back', async () => {
    const lead = await seedLead(db);
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const techeaLeadId = lead.techeaLeadId!;
    const command = { operation: 'reportLeadEvent' as const, techeaLeadId, event: LeadEvent.LOAN_ISSUED };
    const { dispatch } = await outbox.record(
      { tenantId: DEFAULT_TENANT, provider: Provider.TECHEA, command, leadId: lead.leadId, idempotencyKey: undefined, requestHash: 'h' },
      { maxAttempts: 3, leaseMs: 60_000, claim: true, runAt: new Date() },
    );
    const answer = (event: LeadEvent): ConfirmedResult => {
      const result: ProviderResults['reportLeadEvent'] = { techeaLeadId, event, outcome: LeadEventOutcome.RECEIVED };
      return { operation: 'reportLeadEvent', result };
    };

    const first = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(LeadEvent.LOAN_ISSUED));
    // The second holder's answer differs, so a write of it would show.
    const second = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(LeadEvent.LOAN_PAID));

    expect(first).toMatchObject({ id: dispatch.id, state: 'SUCCEEDED' });
    expect(second).toBeNull();
    const [row] = await db.query<Array<{ last_event: string }>>(`SELECT last_event FROM lead WHERE id = $1`, [lead.leadId]);
    expect(row?.last_event).toBe(LeadEvent.LOAN_ISSUED);
    const changes = await db.query<Array<{ kind: string; to_status: string }>>(
      `SELECT kind, to_status FROM status_change WHERE dispatch_id = $1 ORDER BY id`,
      [dispatch.id],
    );
    expect(changes).toEqual([
      { kind: 'RECORD', to_status: LeadEvent.LOAN_ISSUED },
      { kind: 'DISPATCH', to_status: 'SUCCEEDED' },
    ]);
  });
});
