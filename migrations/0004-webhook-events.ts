import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0004: webhook event ids already applied. Providers deliver at least
 * once; the id, recorded in the transaction that applies the event, makes a repeat
 * a no-op.
 */
export class WebhookEvents0000000000004 implements MigrationInterface {
  name = 'WebhookEvents0000000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_event (
        provider text NOT NULL CHECK (provider IN ('TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD')),
        event_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_event`);
  }
}
