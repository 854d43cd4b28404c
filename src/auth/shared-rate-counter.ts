import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { type CounterGate, type RateCounter, RateLimit } from './rate-limiter.js';

/** Where a gated hit's gate travels through the library's `consume` (its options reach `_upsert` and the insurance limiter). */
const GATE = Symbol('leadgraph.rate-limit.gate');

/** A gate as `_upsert` and the fallback need it. */
interface StoreGate {
  /** The gate's row in the table (the library's key: prefix and key). */
  readonly rlKey: string;
  readonly points: number;
  /** The gate's check in this instance's memory: for a hit the store did not answer. */
  readonly inMemory: () => Promise<void>;
}

/** The library's statement, for a hit without a gate (not in its typings). */
type Upsert = (this: SharedRateCounter, rlKey: string, points: number, msDuration: number, forceExpire?: boolean, options?: object) => Promise<unknown>;
const libraryUpsert = (RateLimiterPostgres.prototype as unknown as { _upsert: Upsert })._upsert;

/**
 * A budget counted in the table every instance shares (`RateLimiterPostgres`, whose
 * rows and statements it keeps), that can also count a hit only while another budget
 * of the same table is unspent, in one statement ({@link consumeUnlessSpent}): a
 * request's own budget and its address's authentication failures, one round trip
 * instead of two. The library's own checks (a key it blocks in memory) and its
 * fallback to this instance's memory are kept: the gate is checked there too.
 */
export class SharedRateCounter extends RateLimiterPostgres implements RateCounter {
  declare getInMemoryBlockMsBeforeExpire: (rlKey: string) => number;

  constructor(
    options: ConstructorParameters<typeof RateLimiterPostgres>[0],
    private readonly pool: pg.Pool,
    private readonly table: string,
    /** This budget counted in this instance's memory: the insurance limiter, while the store does not answer. */
    private readonly fallback: RateCounter,
  ) {
    super(options);
  }

  consumeUnlessSpent(key: string, gate: CounterGate, points = 1): Promise<RateLimiterRes> | undefined {
    const other = gate.counter;
    if (!(other instanceof SharedRateCounter) || other.pool !== this.pool || other.table !== this.table) return undefined;
    // A key refused from memory is refused without a round trip: the gate is asked first, as apart.
    if (this.getInMemoryBlockMsBeforeExpire(this.getKey(key)) > 0) return undefined;
    const storeGate: StoreGate = {
      rlKey: other.getKey(gate.key),
      points: gate.points,
      inMemory: () => new RateLimit(other.fallback, gate.points).check(gate.key),
    };
    return this.consume(key, points, { [GATE]: storeGate });
  }

  /**
   * The library's upsert (its statement, as the library runs it), or with a gate: the
   * gate's row read as the library's `get` reads it and the hit upserted only when the
   * gate is unspent, in one statement. A spent gate rejects with its wait, as a refusal
   * (the library passes a {@link RateLimiterRes} on, never to its fallback).
   */
  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false, options: Record<symbol, unknown> = {}): Promise<unknown> {
    const gate = options[GATE] as StoreGate | undefined;
    if (gate === undefined || forceExpire) return libraryUpsert.call(this, rlKey, points, msDuration, forceExpire, options);
    const now = Date.now();
    const result = await this.pool.query<{ points: number; expire: string | null; spent: boolean }>({
      name: 'leadgraph-rate-limit-gated-upsert',
      text: `WITH gate AS (
               SELECT points, expire FROM "${this.table}" WHERE key = $5 AND (expire > $4::bigint OR expire IS NULL) AND points >= $6::int),
             counted AS (
               INSERT INTO "${this.table}" SELECT $1::varchar, $2::int, $3::bigint WHERE NOT EXISTS (SELECT 1 FROM gate)
                 ON CONFLICT(key) DO UPDATE SET
                   points = CASE WHEN "${this.table}".expire <= $4::bigint THEN $2::int ELSE "${this.table}".points + ($2::int) END,
                   expire = CASE WHEN "${this.table}".expire <= $4::bigint THEN $3::bigint ELSE "${this.table}".expire END
               RETURNING points, expire)
             SELECT points, expire, false AS spent FROM counted
             UNION ALL
             SELECT points, expire, true AS spent FROM gate`,
      values: [rlKey, points, msDuration > 0 ? now + msDuration : null, now, gate.rlKey, gate.points],
    });
    const row = result.rows[0]!;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the library's refusal is a RateLimiterRes, not an Error: it passes one on as a refusal, never to its fallback
    if (row.spent) throw new RateLimiterRes(0, row.expire === null ? -1 : Math.max(Number(row.expire) - Date.now(), 0));
    return { rows: [row] };
  }
}

/** The gate of a hit the store did not answer, for the insurance limiter's `consume` (see `rate-limit-store.ts`). */
export async function checkGateInMemory(options: Record<symbol, unknown> | undefined): Promise<void> {
  const gate = options?.[GATE] as StoreGate | undefined;
  await gate?.inMemory();
}
