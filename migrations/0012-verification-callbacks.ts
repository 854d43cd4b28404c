import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0012: per-process Tecalis callback URLs (issue #18).
 *
 * - `verification_callback`: one row per callback URL issued, holding only the SHA-256
 *   of its token (like API keys), bound to one process of one tenant. The foreign key
 *   makes the binding structural: a token names a process its tenant holds, and goes
 *   with it.
 * - Tecalis callbacks kept in `unclaimed_webhook` are dropped: they were accepted on
 *   the shared body token alone, which anyone who ever saw one callback could forge, so
 *   their content must not fill a process when a tenant adopts it. From now on a
 *   callback reaches the gateway only through a URL issued for a process a tenant
 *   holds, so none is kept again.
 */
export class VerificationCallbacks0000000000012 implements MigrationInterface {
  name = 'VerificationCallbacks0000000000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE verification_callback (
        token_hash text PRIMARY KEY,
        tenant_id text NOT NULL,
        auth_uuid uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, auth_uuid) REFERENCES verification (tenant_id, auth_uuid) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX verification_callback_process_idx ON verification_callback (tenant_id, auth_uuid)`);
    await q.query(`DELETE FROM unclaimed_webhook WHERE provider = 'TECALIS'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The dropped unclaimed callbacks are not restored: they were never trustworthy.
    await q.query(`DROP TABLE verification_callback`);
  }
}
