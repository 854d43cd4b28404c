import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0018: tenants' own provider connections (issue #22). A connection is one
 * tenant's account at one provider: the provider's variables (its base URL,
 * credentials, webhook secret), sealed with `CONNECTIONS_KEY` (AES-256-GCM, bound to
 * its tenant and provider), never stored in the clear; `base_url`, without any
 * credentials, is in the clear for listing. `version` counts rotations: a
 * dispatch attempt sends with the version current when it was claimed.
 */
export class ProviderConnections0000000000018 implements MigrationInterface {
  name = 'ProviderConnections0000000000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE provider_connection (
        tenant_id text NOT NULL,
        provider text NOT NULL CHECK (provider ~ '^[A-Z][A-Z0-9_]{0,62}$'),
        base_url text NOT NULL,
        sealed bytea NOT NULL,
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, provider)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provider_connection`);
  }
}
