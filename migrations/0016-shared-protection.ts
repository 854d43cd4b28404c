import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Migration 0016: the abuse limits and the provider circuit breakers are held for the
 * whole fleet, in the database every instance already shares (issue #20).
 *
 * - `rate_limit`: one row per limited key and window, in the layout
 *   `rate-limiter-flexible`'s `RateLimiterPostgres` reads and writes (`key`, `points`,
 *   `expire` in epoch milliseconds). Created here, never by the library at run time.
 *   UNLOGGED: a count lives a minute at most, so it needs no WAL (every request writes
 *   here) and may be lost in a crash; the limits then start afresh. `key` is text, not
 *   the library's varchar(255): a JWT subject has no length bound.
 * - `provider_breaker`: one row per provider, the shared state of its breaker
 *   (see `src/dispatch/breaker-store.ts`). Every change is a compare-and-set on
 *   `version`, so of two instances only one wins the probe after a cool-down. A
 *   provider without a row is closed.
 */
export class SharedProtection0000000000016 implements MigrationInterface {
  name = 'SharedProtection0000000000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit (
        key text PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    // For the sweep of windows long past (a DELETE on expire), not for the limit itself.
    await q.query(`CREATE INDEX rate_limit_expire_idx ON rate_limit (expire)`);
    await q.query(`
      CREATE TABLE provider_breaker (
        provider text PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        opened_at timestamptz,
        probe_owner text,
        probe_until timestamptz,
        version bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((probe_owner IS NULL) = (probe_until IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provider_breaker`);
    await q.query(`DROP TABLE rate_limit`);
  }
}
