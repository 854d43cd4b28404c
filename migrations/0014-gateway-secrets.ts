import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0014: secrets every instance of one installation must share (the key that
 * makes page cursors opaque), made by the first instance that needs one and read by
 * the others, so a fleet needs no extra setting.
 */
export class GatewaySecrets0000000000014 implements MigrationInterface {
  name = 'GatewaySecrets0000000000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_secret (
        name text PRIMARY KEY,
        value bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway_secret`);
  }
}
