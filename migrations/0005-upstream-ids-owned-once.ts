import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0005: the gateway holds one account at each provider, shared by every
 * tenant, so a provider's ids are one namespace. A TECHEA lead id or a Decision
 * Cloud customer belongs to the first tenant that records it: unique across tenants,
 * not per tenant, so no tenant can act upstream on another's lead or customer.
 */
export class UpstreamIdsOwnedOnce0000000000005 implements MigrationInterface {
  name = 'UpstreamIdsOwnedOnce0000000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (techea_lead_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (decision_cloud_customer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (tenant_id, techea_lead_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (tenant_id, decision_cloud_customer_id)`);
  }
}
