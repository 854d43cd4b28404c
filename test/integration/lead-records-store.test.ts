import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { appendStatusChange } from '../../src/events/status-change-log.js';
import { StatusChangeStore } from '../../src/events/status-change-store.js';
import { LeadRecordsStore, type LeadRecords } from '../../src/services/lead-records-store.js';
import { LeadStore } from '../../src/services/lead-store.js';
import { RecordStore } from '../../src/services/record-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedLead, type SeededLead } from '../support/fixtures.js';

const HISTORY = 20;
const EVERYTHING = { application: true, documents: true, verification: true, operations: true, loans: true, history: HISTORY } as const;

/**
 * A page of leads reads every lead's records in the page's own statement
 * (`LeadRecordsStore`); anything else that reaches a record reads it through the
 * loaders' statements (`RecordStore`, `StatusChangeStore`). The two must give the same
 * entities, or a field answers differently depending on the path to it.
 */
describe('the records of a page, read in one statement, are the loaders\' records', () => {
  let database: TestDatabase;
  let db: DataSource;
  let seeded: SeededLead[];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    await db.runMigrations();
    seeded = [
      await seedLead(db, {
        lastEvent: LeadEvent.REGISTRATION,
        application: { status: ApplicationStatus.APPROVED, metadata: { nested: { list: [1, 'two', null] } } },
        verification: { status: VerificationStatus.OK },
        loans: [{ loanStatus: LoanStatus.ORIGINATED }, { loanStatus: LoanStatus.CURRENT }],
      }),
      await seedLead(db, { application: { status: null } }),
      await seedLead(db),
    ];
    // Nested records carry their instants as epoch microseconds: instants with microseconds,
    // on a millisecond, and before 1970 (where dropping the microseconds is not truncating toward zero).
    await db.query(
      `UPDATE loan SET applied_at = '1969-12-31T23:59:59.9995Z', esigned_at = '2026-01-02T03:04:05.123999Z',
                       originated_at = '1900-06-01T00:00:00.000001Z', withdrawn_at = '2026-01-02T03:04:05.123Z'
        WHERE tenant_id = $1 AND lead_id = $2`,
      [DEFAULT_TENANT, seeded[0]!.leadId],
    );
    await db.query(`UPDATE status_change SET occurred_at = '1969-12-31T23:59:59.000001Z' WHERE id = (SELECT min(id) FROM status_change WHERE lead_id = $1)`, [
      seeded[0]!.leadId,
    ]);
    // A dispatch's move is logged under its lead too; a lead's history is its records' changes only.
    await db.transaction((manager) =>
      appendStatusChange(manager, DEFAULT_TENANT, {
        kind: 'DISPATCH',
        leadId: seeded[0]!.leadId,
        provider: 'LEAD_BANK',
        entityId: seeded[0]!.applicationId!,
        from: 'PENDING',
        to: 'SUCCEEDED',
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** Each lead's records as the loaders' statements read them. */
  async function throughLoaders(leadIds: readonly string[]): Promise<Map<string, LeadRecords>> {
    const records = new RecordStore(db);
    const applications = await records.applicationsForLeads(DEFAULT_TENANT, leadIds);
    const documents = await records.documentsForApplications(DEFAULT_TENANT, applications.map((a) => a.id));
    const verifications = await records.verificationsForLeads(DEFAULT_TENANT, leadIds);
    const operations = await records.operationsForVerifications(DEFAULT_TENANT, verifications.map((v) => v.authUuid));
    const loans = await records.loansForLeads(DEFAULT_TENANT, leadIds);
    const history = await new StatusChangeStore(db).newestForLeads(DEFAULT_TENANT, leadIds, HISTORY);
    const byLead = new Map<string, LeadRecords>();
    for (const leadId of leadIds) {
      const application = applications.find((a) => a.leadId === leadId) ?? null;
      const verification = verifications.find((v) => v.leadId === leadId) ?? null;
      byLead.set(leadId, {
        application,
        documents: documents.filter((d) => d.applicationId === application?.id),
        verification,
        operations: operations.filter((o) => o.authUuid === verification?.authUuid),
        loans: loans.filter((l) => l.leadId === leadId),
        history: history.filter((c) => c.leadId === leadId),
      });
    }
    return byLead;
  }

  it('gives every lead the same application, documents, process, operations, loans and history, field for field', async () => {
    const leadIds = seeded.map((lead) => lead.leadId);
    const inOne = await new LeadRecordsStore(db).forLeads(DEFAULT_TENANT, leadIds, EVERYTHING);
    const loaded = await throughLoaders(leadIds);
    for (const leadId of leadIds) expect(inOne.get(leadId), leadId).toStrictEqual(loaded.get(leadId));
    // What the comparison covered: a full lead, one with an undecided application only, one with nothing.
    const full = loaded.get(seeded[0]!.leadId)!;
    expect(full.documents.length).toBe(3);
    expect(full.loans.map((loan) => loan.customerId)).toEqual([seeded[0]!.customerId, seeded[0]!.customerId]);
    expect(full.history.length).toBeGreaterThan(3);
    expect(full.history.every((change) => change.kind === 'RECORD')).toBe(true);
    expect(loaded.get(seeded[2]!.leadId)).toMatchObject({ application: null, verification: null, loans: [], history: [] });
    expect(full.loans[0]).toMatchObject({ appliedAt: new Date(-1), esignedAt: new Date(1767323045123), originatedAt: new Date(-2195942400000) });
  });

  it('reads the same records with the page and with one lead', async () => {
    const records = new LeadRecordsStore(db).columns(EVERYTHING);
    const page = await new LeadStore(db).page(DEFAULT_TENANT, {}, 10, undefined, records);
    const loaded = await throughLoaders(page.leads.map((lead) => lead.id));
    for (const lead of page.leads) {
      expect(page.records?.get(lead.id), lead.id).toStrictEqual(loaded.get(lead.id));
      const one = await new LeadStore(db).findWithRecords(DEFAULT_TENANT, lead.id, records);
      expect(one?.records, lead.id).toStrictEqual(loaded.get(lead.id));
    }
  });
});
