import { type DataSource } from 'typeorm';
import { type BreakerRecord, CLOSED_BREAKER } from './circuit-breaker.js';

/** A breaker's shared record as read, and the row version a write must find to succeed. */
export interface StoredBreaker {
  readonly record: BreakerRecord;
  /** 0 when the provider has no row yet (it is closed). */
  readonly version: number;
}

/** Every stored breaker, with the database's clock at the read (epoch milliseconds). */
export interface BreakerSnapshot {
  readonly now: number;
  readonly breakers: ReadonlyMap<string, StoredBreaker>;
}

/** The row's columns as `b`, times in epoch milliseconds (the database's clock throughout). */
export const BREAKER_COLUMNS = `b.provider, b.failures, (extract(epoch FROM b.opened_at) * 1000)::float8 AS opened_at, b.probe_owner,
  (extract(epoch FROM b.probe_until) * 1000)::float8 AS probe_until, b.version::text AS version,
  (extract(epoch FROM now()) * 1000)::float8 AS now`;

/** A row of {@link BREAKER_COLUMNS}: null columns when the provider has no row yet. */
export interface BreakerRow {
  provider: string | null;
  failures: number | null;
  opened_at: number | null;
  probe_owner: string | null;
  probe_until: number | null;
  version: string | null;
  now: number;
}

/**
 * The `provider_breaker` table (migration 0016): one row per provider, changed only by
 * compare-and-set on its version, so instances that race for the same change (the
 * half-open probe, above all) have exactly one winner. Times are the database's: no
 * instance's clock decides when a cool-down ends.
 */
export class BreakerStore {
  constructor(private readonly db: DataSource) {}

  /** One provider's breaker, with the database's clock. One primary-key read. */
  async read(provider: string): Promise<StoredBreaker & { readonly now: number }> {
    // The outer join answers a row (and the clock) when the provider has none yet.
    const [row] = await this.db.query<BreakerRow[]>(
      `SELECT ${BREAKER_COLUMNS} FROM (SELECT 1) AS one LEFT JOIN provider_breaker b ON b.provider = $1`,
      [provider],
    );
    return storedBreakerOf(row!);
  }

  /** Every provider's breaker, in one statement: the poller's refresh. */
  async readAll(): Promise<BreakerSnapshot> {
    const rows = await this.db.query<BreakerRow[]>(`SELECT ${BREAKER_COLUMNS} FROM (SELECT 1) AS one LEFT JOIN provider_breaker b ON true`);
    const breakers = new Map<string, StoredBreaker>();
    for (const row of rows) if (row.provider !== null) breakers.set(row.provider, storedBreakerOf(row));
    return { now: rows[0]!.now, breakers };
  }

  /** Writes `next` if the row is still at `version` (0: still absent); answers the new version, or null when another write came first. */
  async compareAndSet(provider: string, version: number, next: BreakerRecord): Promise<number | null> {
    const rows = await this.db.query<Array<{ version: string }>>(
      `INSERT INTO provider_breaker AS b (provider, failures, opened_at, probe_owner, probe_until, version, updated_at)
       VALUES ($1, $2, to_timestamp($3::float8 / 1000), $4, to_timestamp($5::float8 / 1000), 1, now())
       ON CONFLICT (provider) DO UPDATE
          SET failures = EXCLUDED.failures, opened_at = EXCLUDED.opened_at, probe_owner = EXCLUDED.probe_owner,
              probe_until = EXCLUDED.probe_until, version = b.version + 1, updated_at = now()
        WHERE b.version = $6
       RETURNING b.version::text AS version`,
      [provider, next.failures, next.openedAt, next.probe?.owner ?? null, next.probe?.until ?? null, version],
    );
    return rows[0] === undefined ? null : Number(rows[0].version);
  }

  /**
   * Closes the breaker, whatever its state: a success needs no compare-and-set, since
   * it resets everything. Writes nothing when it is closed already, so the usual
   * success costs one indexed read, not a write.
   */
  async reset(provider: string): Promise<void> {
    await this.db.query(
      `UPDATE provider_breaker SET failures = 0, opened_at = NULL, probe_owner = NULL, probe_until = NULL,
                                   version = version + 1, updated_at = now()
        WHERE provider = $1 AND (failures > 0 OR opened_at IS NOT NULL OR probe_owner IS NOT NULL)`,
      [provider],
    );
  }
}

/** A row of {@link BREAKER_COLUMNS} as the breaker it stores, with the database's clock at the read. */
export function storedBreakerOf(row: BreakerRow): StoredBreaker & { readonly now: number } {
  if (row.provider === null) return { record: CLOSED_BREAKER, version: 0, now: row.now };
  return {
    record: {
      failures: row.failures ?? 0,
      openedAt: row.opened_at,
      probe: row.probe_owner === null || row.probe_until === null ? null : { owner: row.probe_owner, until: row.probe_until },
    },
    version: Number(row.version),
    now: row.now,
  };
}
