import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0003: a token per claim of a dispatch. A worker whose lease ran out may
 * still finish its call; the token lets only the current claim record a retry, so a
 * stale worker cannot reschedule a dispatch another instance is sending.
 */
export class DispatchLockToken0000000000003 implements MigrationInterface {
  name = 'DispatchLockToken0000000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch ADD COLUMN lock_token uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch DROP COLUMN lock_token`);
  }
}
