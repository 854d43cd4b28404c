import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0008: Tecalis's values as it sends them. Its page lists operation types,
 * operation states and process statuses only in an example, so an unknown value is
 * kept rather than refused: `UNKNOWN` beside the raw value (`provider_type`,
 * `provider_state`, `provider_status`). `total_time` keeps fractions of a second.
 */
export class TecalisAsSent0000000000008 implements MigrationInterface {
  name = 'TecalisAsSent0000000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE verification ADD COLUMN provider_status text`);
    await q.query(`
      ALTER TABLE verification_operation
        ADD COLUMN provider_type text,
        ADD COLUMN provider_state text,
        ALTER COLUMN total_time TYPE double precision,
        DROP CONSTRAINT verification_operation_type_check,
        DROP CONSTRAINT verification_operation_state_check,
        ADD CONSTRAINT verification_operation_type_check CHECK (type IN ('DOCUMENTS', 'HOME', 'OCR', 'POL', 'FINISH', 'UNKNOWN')),
        ADD CONSTRAINT verification_operation_state_check CHECK (state IN ('NOT_STARTED', 'OK', 'KO', 'UNKNOWN'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM verification_operation WHERE type = 'UNKNOWN' OR state = 'UNKNOWN'`);
    await q.query(`
      ALTER TABLE verification_operation
        DROP COLUMN provider_type,
        DROP COLUMN provider_state,
        ALTER COLUMN total_time TYPE integer USING round(total_time),
        DROP CONSTRAINT verification_operation_type_check,
        DROP CONSTRAINT verification_operation_state_check,
        ADD CONSTRAINT verification_operation_type_check CHECK (type IN ('DOCUMENTS', 'HOME', 'OCR', 'POL', 'FINISH')),
        ADD CONSTRAINT verification_operation_state_check CHECK (state IN ('NOT_STARTED', 'OK', 'KO'))`);
    await q.query(`ALTER TABLE verification DROP COLUMN provider_status`);
  }
}
