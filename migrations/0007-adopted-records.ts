import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0007: records adopted on first contact.
 *
 * - `synced_at` may be null on applications and verifications: a record a tenant's
 *   mutation named before the provider ever confirmed it to the gateway (adopted). It
 *   is set by the first provider answer or webhook about it.
 * - A Lead Bank application and a Tecalis process are held by one tenant at most (the
 *   gateway has one account at each provider, so their ids are one namespace), as
 *   TECHEA leads and Decision Cloud customers are since 0005. Two concurrent first
 *   contacts then make one record. Fails if two tenants already hold one id: resolve
 *   that by hand first.
 * - `unclaimed_webhook`: a provider's webhook about a record no tenant holds yet is
 *   kept here (the latest per record) and applied when a tenant adopts the record.
 */
export class AdoptedRecords0000000000007 implements MigrationInterface {
  name = 'AdoptedRecords0000000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application ALTER COLUMN synced_at DROP NOT NULL`);
    await q.query(`ALTER TABLE verification ALTER COLUMN synced_at DROP NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX application_held_once ON application (id)`);
    await q.query(`CREATE UNIQUE INDEX verification_held_once ON verification (auth_uuid)`);
    await q.query(`
      CREATE TABLE unclaimed_webhook (
        provider text NOT NULL,
        record_id text NOT NULL,
        body jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, record_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unclaimed_webhook`);
    await q.query(`DROP INDEX verification_held_once`);
    await q.query(`DROP INDEX application_held_once`);
    await q.query(`UPDATE verification SET synced_at = now() WHERE synced_at IS NULL`);
    await q.query(`UPDATE application SET synced_at = now() WHERE synced_at IS NULL`);
    await q.query(`ALTER TABLE verification ALTER COLUMN synced_at SET NOT NULL`);
    await q.query(`ALTER TABLE application ALTER COLUMN synced_at SET NOT NULL`);
  }
}
