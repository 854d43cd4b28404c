import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0002: every row belongs to a tenant, and the tenant is part of every key
 * a record is found by, so one tenant's id can never reach another tenant's row —
 * not through a lookup, and not through a link (the foreign keys carry the tenant).
 * Existing rows go to the tenant `default`. Also adds API keys, stored as hashes.
 */
export class TenantsAndApiKeys0000000000002 implements MigrationInterface {
  name = 'TenantsAndApiKeys0000000000002';

  async up(q: QueryRunner): Promise<void> {
    // Foreign keys first: they depend on the keys being replaced.
    for (const [table, constraint] of [
      ['application_document', 'application_document_application_id_fkey'],
      ['verification_operation', 'verification_operation_auth_uuid_fkey'],
      ['application', 'application_lead_id_fkey'],
      ['verification', 'verification_lead_id_fkey'],
      ['loan', 'loan_lead_id_fkey'],
      ['status_change', 'status_change_lead_id_fkey'],
      ['dispatch', 'dispatch_lead_id_fkey'],
    ]) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
    }
    for (const table of [
      'lead', 'application', 'application_document', 'verification', 'verification_operation',
      'loan', 'status_change', 'dispatch',
    ]) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tenant_id text NOT NULL DEFAULT 'default'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id DROP DEFAULT`);
    }

    // lead: the id stays a global UUID; uniqueness of provider ids is per tenant.
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_tenant_id_key UNIQUE (tenant_id, id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (tenant_id, techea_lead_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(
      `ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (tenant_id, decision_cloud_customer_id)`,
    );
    await q.query(`DROP INDEX lead_stage_seq_idx`);
    await q.query(`CREATE INDEX lead_tenant_stage_seq_idx ON lead (tenant_id, stage, seq DESC)`);
    await q.query(`CREATE INDEX lead_tenant_seq_idx ON lead (tenant_id, seq DESC)`);
    await q.query(`DROP INDEX lead_updated_idx`);
    await q.query(`CREATE INDEX lead_tenant_updated_idx ON lead (tenant_id, updated_at)`);

    // Provider records: keyed by tenant and provider id.
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_pkey`);
    await q.query(`ALTER TABLE application ADD PRIMARY KEY (tenant_id, id)`);
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_lead_id_key`);
    await q.query(`ALTER TABLE application ADD CONSTRAINT application_lead_id_key UNIQUE (tenant_id, lead_id)`);
    await q.query(`ALTER TABLE application_document DROP CONSTRAINT application_document_pkey`);
    await q.query(`ALTER TABLE application_document ADD PRIMARY KEY (tenant_id, application_id, position)`);

    await q.query(`ALTER TABLE verification DROP CONSTRAINT verification_pkey`);
    await q.query(`ALTER TABLE verification ADD PRIMARY KEY (tenant_id, auth_uuid)`);
    await q.query(`ALTER TABLE verification DROP CONSTRAINT verification_lead_id_key`);
    await q.query(`ALTER TABLE verification ADD CONSTRAINT verification_lead_id_key UNIQUE (tenant_id, lead_id)`);
    await q.query(`ALTER TABLE verification_operation DROP CONSTRAINT verification_operation_auth_uuid_position_key`);
    await q.query(
      `ALTER TABLE verification_operation ADD CONSTRAINT verification_operation_auth_uuid_position_key UNIQUE (tenant_id, auth_uuid, position)`,
    );

    await q.query(`ALTER TABLE loan DROP CONSTRAINT loan_pkey`);
    await q.query(`ALTER TABLE loan ADD PRIMARY KEY (tenant_id, customer_id, loan_id)`);
    await q.query(`DROP INDEX loan_lead_idx`);
    await q.query(`CREATE INDEX loan_lead_idx ON loan (tenant_id, lead_id, applied_at DESC)`);

    await q.query(`DROP INDEX status_change_lead_idx`);
    await q.query(`CREATE INDEX status_change_lead_idx ON status_change (tenant_id, lead_id, id DESC)`);
    await q.query(`CREATE INDEX status_change_tenant_idx ON status_change (tenant_id, id)`);

    await q.query(`ALTER TABLE dispatch DROP CONSTRAINT dispatch_operation_idempotency_key_key`);
    await q.query(
      `ALTER TABLE dispatch ADD CONSTRAINT dispatch_operation_idempotency_key_key UNIQUE (tenant_id, operation, idempotency_key)`,
    );

    // Links carry the tenant, so a record can only ever point at a lead of its own tenant.
    const toLead = (table: string, onDelete: string) =>
      q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_lead_fkey FOREIGN KEY (tenant_id, lead_id)
           REFERENCES lead (tenant_id, id) ON DELETE ${onDelete}`,
      );
    // SET NULL on a composite key would null the tenant too; unlinking is done by the code.
    await toLead('application', 'RESTRICT');
    await toLead('verification', 'RESTRICT');
    await toLead('loan', 'RESTRICT');
    await toLead('dispatch', 'RESTRICT');
    await toLead('status_change', 'CASCADE');
    await q.query(
      `ALTER TABLE application_document ADD CONSTRAINT application_document_application_fkey
         FOREIGN KEY (tenant_id, application_id) REFERENCES application (tenant_id, id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE verification_operation ADD CONSTRAINT verification_operation_verification_fkey
         FOREIGN KEY (tenant_id, auth_uuid) REFERENCES verification (tenant_id, auth_uuid) ON DELETE CASCADE`,
    );

    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL CHECK (tenant_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        -- SHA-256 of the whole key. Keys are 256 random bits, so a fast hash is enough:
        -- there is nothing to brute-force, and lookups stay one index probe.
        key_hash text NOT NULL UNIQUE,
        -- The first characters of the key, to tell keys apart in listings.
        key_prefix text NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
  }

  /** Folds tenants back into one; fails (and changes nothing) if two tenants share a provider id. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key`);
    for (const [table, constraint] of [
      ['application_document', 'application_document_application_fkey'],
      ['verification_operation', 'verification_operation_verification_fkey'],
      ['application', 'application_lead_fkey'],
      ['verification', 'verification_lead_fkey'],
      ['loan', 'loan_lead_fkey'],
      ['status_change', 'status_change_lead_fkey'],
      ['dispatch', 'dispatch_lead_fkey'],
    ]) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
    }
    await q.query(`ALTER TABLE dispatch DROP CONSTRAINT dispatch_operation_idempotency_key_key`);
    await q.query(`ALTER TABLE dispatch ADD CONSTRAINT dispatch_operation_idempotency_key_key UNIQUE (operation, idempotency_key)`);
    await q.query(`DROP INDEX status_change_tenant_idx`);
    await q.query(`DROP INDEX status_change_lead_idx`);
    await q.query(`CREATE INDEX status_change_lead_idx ON status_change (lead_id, id DESC)`);
    await q.query(`DROP INDEX loan_lead_idx`);
    await q.query(`ALTER TABLE loan DROP CONSTRAINT loan_pkey`);
    await q.query(`ALTER TABLE loan ADD PRIMARY KEY (customer_id, loan_id)`);
    await q.query(`CREATE INDEX loan_lead_idx ON loan (lead_id, applied_at DESC)`);
    await q.query(`ALTER TABLE verification_operation DROP CONSTRAINT verification_operation_auth_uuid_position_key`);
    await q.query(
      `ALTER TABLE verification_operation ADD CONSTRAINT verification_operation_auth_uuid_position_key UNIQUE (auth_uuid, position)`,
    );
    await q.query(`ALTER TABLE verification DROP CONSTRAINT verification_lead_id_key`);
    await q.query(`ALTER TABLE verification ADD CONSTRAINT verification_lead_id_key UNIQUE (lead_id)`);
    await q.query(`ALTER TABLE verification DROP CONSTRAINT verification_pkey`);
    await q.query(`ALTER TABLE verification ADD PRIMARY KEY (auth_uuid)`);
    await q.query(`ALTER TABLE application_document DROP CONSTRAINT application_document_pkey`);
    await q.query(`ALTER TABLE application_document ADD PRIMARY KEY (application_id, position)`);
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_lead_id_key`);
    await q.query(`ALTER TABLE application ADD CONSTRAINT application_lead_id_key UNIQUE (lead_id)`);
    await q.query(`ALTER TABLE application DROP CONSTRAINT application_pkey`);
    await q.query(`ALTER TABLE application ADD PRIMARY KEY (id)`);
    await q.query(`DROP INDEX lead_tenant_updated_idx`);
    await q.query(`CREATE INDEX lead_updated_idx ON lead (updated_at)`);
    await q.query(`DROP INDEX lead_tenant_seq_idx`);
    await q.query(`DROP INDEX lead_tenant_stage_seq_idx`);
    await q.query(`CREATE INDEX lead_stage_seq_idx ON lead (stage, seq DESC)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_decision_cloud_customer_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_decision_cloud_customer_id_key UNIQUE (decision_cloud_customer_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_techea_lead_id_key`);
    await q.query(`ALTER TABLE lead ADD CONSTRAINT lead_techea_lead_id_key UNIQUE (techea_lead_id)`);
    await q.query(`ALTER TABLE lead DROP CONSTRAINT lead_tenant_id_key`);
    for (const table of [
      'lead', 'application', 'application_document', 'verification', 'verification_operation',
      'loan', 'status_change', 'dispatch',
    ]) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN tenant_id`);
    }
    const toLead = (table: string, onDelete: string) =>
      q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES lead (id) ON DELETE ${onDelete}`,
      );
    await toLead('application', 'SET NULL');
    await toLead('verification', 'SET NULL');
    await toLead('loan', 'SET NULL');
    await toLead('dispatch', 'SET NULL');
    await toLead('status_change', 'CASCADE');
    await q.query(
      `ALTER TABLE application_document ADD CONSTRAINT application_document_application_id_fkey
         FOREIGN KEY (application_id) REFERENCES application (id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE verification_operation ADD CONSTRAINT verification_operation_auth_uuid_fkey
         FOREIGN KEY (auth_uuid) REFERENCES verification (auth_uuid) ON DELETE CASCADE`,
    );
  }
}
