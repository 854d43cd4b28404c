import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { createDataSource, hasPendingMigrations, runMigrations } from '../../src/db/data-source.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ALL = [
  'InitialSchema0000000000001',
  'TenantsAndApiKeys0000000000002',
  'DispatchLockToken0000000000003',
  'WebhookEvents0000000000004',
  'UpstreamIdsOwnedOnce0000000000005',
  'DispatchRequestId0000000000006',
  'AdoptedRecords0000000000007',
  'TecalisAsSent0000000000008',
  'ApplicationEntities0000000000009',
  'LoanProviderValues0000000000010',
  'ApplicationProviderStatus0000000000011',
  'VerificationCallbacks0000000000012',
  'ApiKeyExpiryAndCreator0000000000013',
  'GatewaySecrets0000000000014',
  'DispatchChanges0000000000015',
  'SharedProtection0000000000016',
  'ProviderIds0000000000017',
  'ProviderConnections0000000000018',
  'IdsPerAccount0000000000019',
  'WebhooksPerAccount0000000000020',
];

describe('migrations', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const tables = async () =>
    (
      await db.query<Array<{ table_name: string }>>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).map((t) => t.table_name);

  it('build the whole schema on an empty database, then have nothing left to do', async () => {
    expect(await hasPendingMigrations(db)).toBe(true);
    expect(await runMigrations(db)).toEqual(ALL);
    expect(await tables()).toEqual([
      'api_key',
      'application',
      'application_document',
      'dispatch',
      'gateway_secret',
      'lead',
      'loan',
      'provider_breaker',
      'provider_connection',
      'rate_limit',
      'status_change',
      'typeorm_migrations',
      'unclaimed_webhook',
      'verification',
      'verification_callback',
      'verification_operation',
      'webhook_event',
    ]);
    expect(await hasPendingMigrations(db)).toBe(false);
    expect(await runMigrations(db)).toEqual([]);
  });

  it('agree with the entities: TypeORM finds no column to add, drop or change', async () => {
    const diff = await db.driver.createSchemaBuilder().log();
    // Foreign keys, CHECKs and indexes are written in the migrations only (the entities
    // do not repeat them), so TypeORM would drop them; every other difference is drift.
    const statements = diff.upQueries
      .map((q) => q.query)
      .filter((sql) => !/DROP CONSTRAINT|DROP INDEX/.test(sql));
    expect(statements).toEqual([]);
  });

  it('store money as integer cents and instants as timestamptz', async () => {
    const columns = await db.query<Array<{ table_name: string; column_name: string; data_type: string }>>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND (column_name LIKE '%cents' OR column_name LIKE '%\\_at')`,
    );
    for (const column of columns) {
      const expected = column.column_name.endsWith('cents') ? 'bigint' : 'timestamp with time zone';
      expect(`${column.table_name}.${column.column_name} ${column.data_type}`).toBe(
        `${column.table_name}.${column.column_name} ${expected}`,
      );
    }
    expect(columns.length).toBeGreaterThan(20);
  });

  it('can be undone and applied again', async () => {
    for (let i = 0; i < ALL.length - 2; i++) await db.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toContain('api_key');
    await db.undoLastMigration({ transaction: 'each' });
    expect(await tables()).not.toContain('api_key');
    await db.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['typeorm_migrations']);
    expect(await runMigrations(db)).toEqual(ALL);
    expect((await db.driver.createSchemaBuilder().log()).upQueries.filter((q) => !/DROP (CONSTRAINT|INDEX)/.test(q.query))).toEqual([]);
  });
});

describe('migrations run by a fleet starting together', () => {
  let database: TestDatabase;
  const instances: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // As the gateway migrates: one pooled connection each.
    for (let i = 0; i < 3; i++) instances.push(await createDataSource({ url: database.url, poolSize: 1 }).initialize());
  });
  afterAll(async () => {
    await Promise.all(instances.map((db) => db.destroy()));
    await database.drop();
  });

  it('three instances migrating one fresh database at once: one applies every migration, the others wait and find none left', async () => {
    const applied = await Promise.all(instances.map((db) => runMigrations(db)));

    expect(applied.flat()).toEqual(ALL);
    expect(applied.filter((names) => names.length === 0)).toHaveLength(2);
    for (const db of instances) expect(await hasPendingMigrations(db)).toBe(false);
  });
});
