import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0010: Decision Cloud's own spellings of a loan's application type, loan
 * type and status, as its last answer carried them, shown beside the unified values
 * (which keep the value sent when Decision Cloud answers one the gateway does not know).
 */
export class LoanProviderValues0000000000010 implements MigrationInterface {
  name = 'LoanProviderValues0000000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE loan ADD COLUMN provider_application_type text, ADD COLUMN provider_loan_type text, ADD COLUMN provider_loan_status text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE loan DROP COLUMN provider_application_type, DROP COLUMN provider_loan_type, DROP COLUMN provider_loan_status`);
  }
}
