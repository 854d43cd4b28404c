import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0019: a provider's ids are the ids of one account, and an account is one
 * tenant's (issue #22: the environment's for the default tenant, a connection for any
 * other). 0005 and 0007 made TECHEA leads, Decision Cloud customers, Lead Bank
 * applications and Tecalis processes unique across tenants, on the grounds that every
 * tenant shared one account: a tenant could then claim an id before the tenant whose
 * record it was, and two lenders could not both hold their own `CUST-1039`. They are
 * unique per tenant again, as 0002 had them. Every existing row stays as it is (a
 * constraint on fewer columns' worth of rows only gets looser).
 */
export class IdsPerAccount0000000000019 implements MigrationInterface {
  name = 'IdsPerAccount0000000000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (tenant_id, techea_lead_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (tenant_id, decision_cloud_customer_id)`);
    // (tenant_id, id) and (tenant_id, auth_uuid) are the tables' primary keys: nothing to add.
    await q.query(`DROP INDEX application_held_once`);
    await q.query(`DROP INDEX verification_held_once`);
  }

  /** Fails if two tenants hold one id by then: resolve that by hand first, as 0005 and 0007 say. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX verification_held_once ON verification (auth_uuid)`);
    await q.query(`CREATE UNIQUE INDEX application_held_once ON application (id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (decision_cloud_customer_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (techea_lead_id)`);
  }
}
