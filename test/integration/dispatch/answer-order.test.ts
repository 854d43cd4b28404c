import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountApplications } from '../../../src/connections/application-readers.js';
import { createDataSource, runMigrations } from '../../../src/db/data-source.js';
import { type DispatchEntity } from '../../../src/db/entities/index.js';
import { type ConfirmedResult, settleWithResult } from '../../../src/dispatch/apply-result.js';
import { Outbox } from '../../../src/dispatch/outbox.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_REGISTRY, type ProviderResults } from '../../../src/providers/index.js';
import { LEAD_BANK, type LeadBankSandbox, startLeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { RecordWriter } from '../../../src/services/record-writer.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { applicationRecord, seedLead } from '../../support/fixtures.js';

/**
 * Lead Bank's answer to a dispatch is placed against the stored application by its
 * `updated_at` (see src/services/application-order.ts): never written over a newer one
 * (a webhook of a later change may have come first); the answer to a first attempt
 * wins a tie (attempts on one record go one at a time); the answer to a later attempt
 * may be Lead Bank's replay of an old one, so a tie is settled by asking Lead Bank,
 * over real HTTP, and the answer is written as it is when Lead Bank cannot be asked.
 */
describe("Lead Bank's answer to a dispatch, against a newer stored application", () => {
  let database: TestDatabase;
  let db: DataSource;
  let sandbox: Awaited<ReturnType<typeof startLeadBankSandbox>>;
  let leadBank: LeadBankSandbox;
  let applications: AccountApplications;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 4 });
    await db.initialize();
    await runMigrations(db);
    sandbox = await startLeadBankSandbox({ seedApplications: 0 });
    leadBank = sandbox.behavior;
    const adapter = LEAD_BANK.connect(sandbox.connection, { timeoutMs: 5_000, logger: createLogger('silent') });
    applications = new AccountApplications(DEFAULT_REGISTRY, { [LEAD_BANK.key]: adapter }, undefined);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await db?.destroy();
    await database?.drop();
  });

  const at = (second: number) => new Date(`2026-12-01T10:00:0${second}Z`);

  /** A held application stored as of `second`, named `productName`, and a claimed dispatch patching it (at its `attempts`th attempt). */
  async function storedAndDispatched(second: number, productName: string, attempts: number) {
    const lead = await seedLead(db, { application: { status: null } });
    const id = lead.applicationId!;
    await db.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyApplication(applicationRecord({ id, productName, updatedAt: at(second) })));
    const outbox = new Outbox(db, DEFAULT_REGISTRY);
    const command = { operation: 'updateApplication' as const, applicationId: id, productName: 'Patched' };
    const { dispatch } = await outbox.record(
      { tenantId: DEFAULT_TENANT, provider: Provider.LEAD_BANK, command, leadId: lead.leadId, idempotencyKey: undefined, requestHash: 'h' },
      { maxAttempts: 3, leaseMs: 60_000, claim: true, runAt: new Date() },
    );
    const claimed: DispatchEntity = Object.assign(dispatch, { attempts });
    const answer = (answerSecond: number, answerName: string): ConfirmedResult => {
      const result: ProviderResults['updateApplication'] = { application: applicationRecord({ id, productName: answerName, updatedAt: at(answerSecond) }) };
      return { operation: 'updateApplication', result };
    };
    return { id, outbox, dispatch: claimed, answer };
  }

  const storedName = async (id: string) =>
    (await db.query<Array<{ product_name: string }>>(`SELECT product_name FROM application WHERE id = $1`, [id]))[0]!.product_name;
  const reads = (id: string) => sandbox.server.requests.filter((r) => r.method === 'GET' && r.path === `/v0/applications/${id}`).length;

  it('settles the dispatch and keeps the stored application when the answer is older', async () => {
    const { id, outbox, dispatch, answer } = await storedAndDispatched(5, 'Newer, from a webhook', 1);
    const settled = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(3, 'Older answer'), applications);
    expect(settled).toMatchObject({ state: 'SUCCEEDED' });
    expect(await storedName(id)).toBe('Newer, from a webhook');
    expect(reads(id)).toBe(0);
  });

  it("writes a first attempt's answer of the same second, without asking", async () => {
    const { id, outbox, dispatch, answer } = await storedAndDispatched(5, 'Stored', 1);
    await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(5, 'Answer'), applications);
    expect(await storedName(id)).toBe('Answer');
    expect(reads(id)).toBe(0);
  });

  it("asks Lead Bank about a later attempt's answer of the same second, and stores what it holds now", async () => {
    const { id, outbox, dispatch, answer } = await storedAndDispatched(5, 'Stored', 2);
    leadBank.addApplication({ id, updated_at: '2026-12-01T10:00:05Z', details: { product_name: 'At Lead Bank now' } });
    const settled = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(5, 'Replayed answer'), applications);
    expect(settled).toMatchObject({ state: 'SUCCEEDED' });
    expect(await storedName(id)).toBe('At Lead Bank now');
    expect(reads(id)).toBe(1);
  });

  it('writes that answer as it is when Lead Bank cannot be asked: the call was confirmed', async () => {
    const { id, outbox, dispatch, answer } = await storedAndDispatched(5, 'Stored', 2);
    leadBank.addApplication({ id, updated_at: '2026-12-01T10:00:05Z', details: { product_name: 'At Lead Bank now' } });
    sandbox.server.setFaults({ forceStatus: 503, forceCount: 2 });
    try {
      const settled = await settleWithResult(db, DEFAULT_REGISTRY, outbox, dispatch, answer(5, 'Replayed answer'), applications);
      expect(settled).toMatchObject({ state: 'SUCCEEDED' });
    } finally {
      sandbox.server.clearFaults();
    }
    expect(await storedName(id)).toBe('Replayed answer');
  });
});
