import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0006: the id of the HTTP request that asked for a dispatch. Retries are
 * made later, by whichever instance's poller claims the dispatch; with the id on the
 * row, their log lines (the dispatcher's and the provider call's) carry the same
 * request id as the request itself. Null for dispatches made before this column, or
 * outside a request. A log correlation id only: short, validated, never a secret.
 */
export class DispatchRequestId0000000000006 implements MigrationInterface {
  name = 'DispatchRequestId0000000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch ADD COLUMN request_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch DROP COLUMN request_id`);
  }
}
