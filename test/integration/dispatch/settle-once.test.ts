import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '../../../src/db/data-source.js';
import { type ConfirmedResult, settleWithResult } from '../../../src/dispatch/apply-result.js';
import { Outbox } from '../../../src/dispatch/outbox.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { ApplicationStatus, LeadEvent, LeadEventOutcome, Provider } from '../../../src/domain/vocabulary.js';
import { DEFAULT_REGISTRY, type ProviderResults } from '../../../src/providers/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { RecordWriter } from '../../../src/services/record-writer.js';
import { applicationRecord, seedLead } from '../../support/fixtures.js';

/**
 * Two holders of one dispatch's confirmed answer (an attempt whose lease ran out was sent
 * again by another instance, and both answers came back): the record is written only
 * with the dispatch settled from PENDING, in one statement (or, for an apply of several
 * writes, one transaction rolled back when it finds the dispatch settled). Applied
 * once, logged once.
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

  /** A claimed updateApplication dispatch of `applicationId`, and Lead Bank's answer with `status` and `documentTypes`. */
  async function applicationDispatch(outbox: Outbox, leadId: string | null, applicationId: string) {
    const command = { operation: 'updateApplication' as const, applicationId, productName: 'Patched' };
    const { dispatch } = await outbox.record(
      { tenantId: DEFAULT_TENANT, provider: Provider.LEAD_BANK, command, leadId, idempotencyKey: undefined, requestHash: 'h' },
      { maxAttempts: 3, leaseMs: 60_000, claim: true, runAt: new Date() },
    );
    const answer = (status: ApplicationStatus, documentTypes: string[]): ConfirmedResult => {
      const application = applicationRecord({
        id: applicationId,
        status,
        productName: `Patched ${status}`,
        documents: documentTypes.map((type) => ({ documentId: null, type, displayedAt: null, consentedAt: null, version: null })),
      });
      const result: ProviderResults['updateApplication'] = { application };
      return { operation: 'updateApplication', result };
    };
    return { dispatch, answer };
  }

  async function applicationState(applicationId: string, dispatchId: string) {
    const [application] = await db.query<Array<{ status: string; product_name: string }>>(
      `SELECT status, product_name FROM application WHERE id = $1`,
      [applicationId],
    );
    const documents = await db.query<Array<{ type: string }>>(`SELECT type FROM application_document WHERE application_id = $1 ORDER BY position`, [applicationId]);
    const changes = await db.query<Array<{ kind: string; to_status: string }>>(
      `SELECT kind, to_status FROM status_change WHERE dispatch_id = $1 ORDER BY id`,
      [dispatchId],
    );
    return { application, documents: documents.map((d) => d.type), changes };
  }

  it('an application: the second holder writes neither the record, its documents nor a change', async () => {
    const lead = await seedLead(db, { application: { status: null } });
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const { dispatch, answer } = await applicationDispatch(outbox, lead.leadId, lead.applicationId!);

    const first = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.APPROVED, ['a', 'b']));
    const second = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.DECLINED, ['c']));

    expect(first).toMatchObject({ id: dispatch.id, state: 'SUCCEEDED' });
    expect(second).toBeNull();
    expect(await applicationState(lead.applicationId!, dispatch.id)).toEqual({
      application: { status: ApplicationStatus.APPROVED, product_name: 'Patched APPROVED' },
      documents: ['a', 'b'],
      changes: [
        { kind: 'RECORD', to_status: ApplicationStatus.APPROVED },
        { kind: 'DISPATCH', to_status: 'SUCCEEDED' },
      ],
    });
    const [row] = await db.query<Array<{ stage: string }>>(`SELECT stage FROM lead WHERE id = $1`, [lead.leadId]);
    expect(row?.stage).toBe('APPROVED');
  });

  it('two holders at the same moment: one applies, the other finds it settled, for a lead event and an application', async () => {
    const lead = await seedLead(db, { application: { status: null } });
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const techeaLeadId = lead.techeaLeadId!;
    const command = { operation: 'reportLeadEvent' as const, techeaLeadId, event: LeadEvent.LOAN_ISSUED };
    const { dispatch: event } = await outbox.record(
      { tenantId: DEFAULT_TENANT, provider: Provider.TECHEA, command, leadId: lead.leadId, idempotencyKey: undefined, requestHash: 'h' },
      { maxAttempts: 3, leaseMs: 60_000, claim: true, runAt: new Date() },
    );
    const eventResult: ProviderResults['reportLeadEvent'] = { techeaLeadId, event: LeadEvent.LOAN_ISSUED, outcome: LeadEventOutcome.RECEIVED };
    const eventAnswer: ConfirmedResult = { operation: 'reportLeadEvent', result: eventResult };
    const { dispatch: application, answer } = await applicationDispatch(outbox, lead.leadId, lead.applicationId!);

    // Four at once on one lead: two holders of each dispatch.
    const settled = await Promise.all([
      settleWithResult(db, DEFAULT_REGISTRY, outbox, event, eventAnswer),
      settleWithResult(db, DEFAULT_REGISTRY, outbox, application, answer(ApplicationStatus.APPROVED, ['a'])),
      settleWithResult(db, DEFAULT_REGISTRY, outbox, event, eventAnswer),
      settleWithResult(db, DEFAULT_REGISTRY, outbox, application, answer(ApplicationStatus.APPROVED, ['a'])),
    ]);

    expect([settled[0], settled[2]].filter((s) => s !== null)).toHaveLength(1);
    expect([settled[1], settled[3]].filter((s) => s !== null)).toHaveLength(1);
    expect((await applicationState(lead.applicationId!, application.id)).changes).toHaveLength(2);
    expect((await applicationState(lead.applicationId!, event.id)).changes).toHaveLength(2);
  });

  it('an application the tenant does not hold yet is inserted in a transaction, settled once', async () => {
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const applicationId = applicationRecord().id;
    const { dispatch, answer } = await applicationDispatch(outbox, null, applicationId);

    const first = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.APPROVED, ['a']));
    const second = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.DECLINED, ['c']));

    expect(first).toMatchObject({ id: dispatch.id, state: 'SUCCEEDED' });
    expect(second).toBeNull();
    expect(await applicationState(applicationId, dispatch.id)).toEqual({
      application: { status: ApplicationStatus.APPROVED, product_name: 'Patched APPROVED' },
      documents: ['a'],
      changes: [{ kind: 'DISPATCH', to_status: 'SUCCEEDED' }],
    });
  });

  it('an application another writer changes while the statement waits for it: applied in a transaction, its documents replaced whole', async () => {
    const lead = await seedLead(db, { application: { status: null } });
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const { dispatch, answer } = await applicationDispatch(outbox, lead.leadId, lead.applicationId!);
    // A Lead Bank webhook's transaction holds the application (and has replaced its documents) ...
    const webhook = db.createQueryRunner();
    await webhook.connect();
    try {
      await webhook.startTransaction();
      const documents = ['x', 'y', 'z'].map((type) => ({ documentId: null, type, displayedAt: null, consentedAt: null, version: null }));
      await new RecordWriter(webhook.manager, DEFAULT_TENANT).applyApplication(
        applicationRecord({ id: lead.applicationId!, status: ApplicationStatus.APPROVED, documents }),
      );
      // ... while the dispatch's answer is applied: its statement waits for the application's lock.
      const settling = settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.APPROVED, ['a', 'b']));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await webhook.commitTransaction();
      expect(await settling).toMatchObject({ id: dispatch.id, state: 'SUCCEEDED' });
    } finally {
      await webhook.release();
    }
    // The webhook's documents are all gone (none kept beside the answer's), and the answer's status change
    // is none: the webhook confirmed APPROVED first.
    expect(await applicationState(lead.applicationId!, dispatch.id)).toEqual({
      application: { status: ApplicationStatus.APPROVED, product_name: 'Patched APPROVED' },
      documents: ['a', 'b'],
      changes: [{ kind: 'DISPATCH', to_status: 'SUCCEEDED' }],
    });
  });

  it('keeps applying after a migration adds columns to the tables its prepared statements read (a rolling deploy)', async () => {
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const settleOne = async () => {
      const lead = await seedLead(db, { application: { status: null } });
      const { dispatch, answer } = await applicationDispatch(outbox, lead.leadId, lead.applicationId!);
      return settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(ApplicationStatus.APPROVED, ['a']));
    };
    // Prepared on every connection of the pool (4).
    for (const settled of await Promise.all([settleOne(), settleOne(), settleOne(), settleOne()])) expect(settled).toMatchObject({ state: 'SUCCEEDED' });
    for (const table of ['dispatch', 'lead', 'application']) await db.query(`ALTER TABLE ${table} ADD COLUMN later_column integer`);
    try {
      for (const settled of await Promise.all([settleOne(), settleOne(), settleOne(), settleOne()])) expect(settled).toMatchObject({ state: 'SUCCEEDED' });
    } finally {
      for (const table of ['dispatch', 'lead', 'application']) await db.query(`ALTER TABLE ${table} DROP COLUMN later_column`);
    }
  });
});
