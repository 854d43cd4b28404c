import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0015: the status-change log also carries the end of each dispatch, so a
 * dispatch's SUCCEEDED or FAILED reaches subscribers through the same ordered,
 * resumable log (`dispatchChanged`), in the same id space as record changes:
 * - `kind`: `RECORD` (a provider record's status moved; what `statusChanged` and
 *   `statusChanges` show) or `DISPATCH` (a dispatch moved; what `dispatchChanged` shows);
 * - `dispatch_id`: the dispatch of a DISPATCH row, and of a RECORD row its confirmed
 *   result caused (null for a change a webhook or callback brought);
 * - `customer_id`: a Decision Cloud change's customer, so a loan is identified by its
 *   event (a loan id is unique per customer only); filled in for existing rows;
 * - `lead_id` may be null, on DISPATCH rows only (a dispatch about a record no lead holds).
 */
export class DispatchChanges0000000000015 implements MigrationInterface {
  name = 'DispatchChanges0000000000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE status_change ADD COLUMN kind text NOT NULL DEFAULT 'RECORD' CHECK (kind IN ('RECORD', 'DISPATCH'))`);
    await q.query(`ALTER TABLE status_change ADD COLUMN dispatch_id uuid REFERENCES dispatch (id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE status_change ADD COLUMN customer_id text`);
    await q.query(`ALTER TABLE status_change ALTER COLUMN lead_id DROP NOT NULL`);
    await q.query(`ALTER TABLE status_change ADD CONSTRAINT status_change_record_has_lead CHECK (kind = 'DISPATCH' OR lead_id IS NOT NULL)`);
    await q.query(`CREATE INDEX status_change_dispatch_idx ON status_change (dispatch_id) WHERE dispatch_id IS NOT NULL`);
    await q.query(`
      UPDATE status_change s SET customer_id = l.customer_id
        FROM loan l
       WHERE s.provider = 'DECISION_CLOUD' AND l.tenant_id = s.tenant_id AND l.loan_id = s.entity_id AND l.lead_id = s.lead_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM status_change WHERE kind = 'DISPATCH'`);
    await q.query(`DROP INDEX status_change_dispatch_idx`);
    await q.query(`ALTER TABLE status_change DROP CONSTRAINT status_change_record_has_lead`);
    await q.query(`ALTER TABLE status_change ALTER COLUMN lead_id SET NOT NULL`);
    await q.query(`ALTER TABLE status_change DROP COLUMN customer_id`);
    await q.query(`ALTER TABLE status_change DROP COLUMN dispatch_id`);
    await q.query(`ALTER TABLE status_change DROP COLUMN kind`);
  }
}
