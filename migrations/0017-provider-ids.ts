import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The contract's providers, as 0001 spelled them (a migration is a snapshot: not imported). */
const CONTRACT_PROVIDERS = `'TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD'`;

/** A provider id as descriptors spell them: upper-case words joined by underscores. */
const PROVIDER_ID = `'^[A-Z][A-Z0-9_]{0,62}$'`;

/**
 * Migration 0017: a provider is one folder (issue #21). The outbox and the log of its
 * moves took only the four providers 0001 listed, so adding a provider meant a
 * migration; they now take any provider id (the list of descriptors the gateway
 * runs with is the authority, and only a listed provider's dispatch is ever written).
 * The records a provider changes are the public contract's, so a RECORD change still
 * names one of the contract's providers.
 */
export class ProviderIds0000000000017 implements MigrationInterface {
  name = 'ProviderIds0000000000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch DROP CONSTRAINT dispatch_provider_check`);
    await q.query(`ALTER TABLE dispatch ADD CONSTRAINT dispatch_provider_check CHECK (provider ~ ${PROVIDER_ID})`);
    await q.query(`ALTER TABLE status_change DROP CONSTRAINT status_change_provider_check`);
    await q.query(
      `ALTER TABLE status_change ADD CONSTRAINT status_change_provider_check
         CHECK (provider ~ ${PROVIDER_ID} AND (kind = 'DISPATCH' OR provider IN (${CONTRACT_PROVIDERS})))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE status_change DROP CONSTRAINT status_change_provider_check`);
    await q.query(`ALTER TABLE status_change ADD CONSTRAINT status_change_provider_check CHECK (provider IN (${CONTRACT_PROVIDERS}))`);
    await q.query(`ALTER TABLE dispatch DROP CONSTRAINT dispatch_provider_check`);
    await q.query(`ALTER TABLE dispatch ADD CONSTRAINT dispatch_provider_check CHECK (provider IN (${CONTRACT_PROVIDERS}))`);
  }
}
