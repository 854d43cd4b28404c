import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0009: Lead Bank's `entities` (who holds and may sign for the account), which
 * its application object carries read-only. Null for applications stored before.
 */
export class ApplicationEntities0000000000009 implements MigrationInterface {
  name = 'ApplicationEntities0000000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application ADD COLUMN entities jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE application DROP COLUMN entities`);
  }
}
