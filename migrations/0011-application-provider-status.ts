import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0011: Lead Bank's own status of an application as its last answer carried
 * it, so a value the gateway does not know is kept and shown rather than dropped.
 */
export class ApplicationProviderStatus0000000000011 implements MigrationInterface {
  name = 'ApplicationProviderStatus0000000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application ADD COLUMN provider_status text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application DROP COLUMN provider_status`);
  }
}
