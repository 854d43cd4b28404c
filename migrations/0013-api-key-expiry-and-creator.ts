import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0013: an API key may expire (`expires_at`; those a JWT caller creates
 * always do), and each key records who created it (`created_by`: `api-key:<id>`,
 * `jwt:<subject>` or `cli`), for the audit trail. Keys created before are `unknown`.
 */
export class ApiKeyExpiryAndCreator0000000000013 implements MigrationInterface {
  name = 'ApiKeyExpiryAndCreator0000000000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key ADD COLUMN expires_at timestamptz`);
    await q.query(`ALTER TABLE api_key ADD COLUMN created_by text NOT NULL DEFAULT 'unknown'`);
    await q.query(`ALTER TABLE api_key ALTER COLUMN created_by DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key DROP COLUMN created_by`);
    await q.query(`ALTER TABLE api_key DROP COLUMN expires_at`);
  }
}
