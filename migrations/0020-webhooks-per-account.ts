import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** A provider id as descriptors spell them (0017). */
const PROVIDER_ID = `'^[A-Z][A-Z0-9_]{0,62}$'`;

/**
 * Migration 0020: webhooks per account (issue #22). A tenant's connection has its own
 * webhook URL and secret, so what a webhook carries belongs to that tenant's account:
 * the event ids applied (`webhook_event`) and the webhooks kept until the tenant adopts
 * their record (`unclaimed_webhook`) are the tenant's, keyed by it. Every existing row
 * came through the environment's account, the `default` tenant's. Also: any provider
 * of the descriptors' list may have webhooks, not only the contract's four (as 0017 did
 * for the outbox).
 */
export class WebhooksPerAccount0000000000020 implements MigrationInterface {
  name = 'WebhooksPerAccount0000000000020';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_event', 'unclaimed_webhook']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tenant_id text NOT NULL DEFAULT 'default'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id DROP DEFAULT`);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
    }
    await q.query(`ALTER TABLE webhook_event ADD PRIMARY KEY (tenant_id, provider, event_id)`);
    await q.query(`ALTER TABLE unclaimed_webhook ADD PRIMARY KEY (tenant_id, provider, record_id)`);
    await q.query(`ALTER TABLE webhook_event DROP CONSTRAINT webhook_event_provider_check`);
    await q.query(`ALTER TABLE webhook_event ADD CONSTRAINT webhook_event_provider_check CHECK (provider ~ ${PROVIDER_ID})`);
  }

  /** Fails if two tenants kept one event or record id by then: resolve that by hand first. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_event DROP CONSTRAINT webhook_event_provider_check`);
    await q.query(
      `ALTER TABLE webhook_event ADD CONSTRAINT webhook_event_provider_check CHECK (provider IN ('TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD'))`,
    );
    for (const [table, key] of [['webhook_event', 'event_id'], ['unclaimed_webhook', 'record_id']] as const) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE ${table} ADD PRIMARY KEY (provider, ${key})`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN tenant_id`);
    }
  }
}
