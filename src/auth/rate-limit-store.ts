import pg from 'pg';
import { type IRateLimiterOptions, RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { type LimitsConfig } from '../config.js';
import { type Logger } from '../logger.js';
import { BudgetLeases } from './budget-leases.js';
import { RateLimit } from './rate-limiter.js';
import { checkGateInMemory, SharedRateCounter } from './shared-rate-counter.js';

/** The gateway's three budgets, counted where `RATE_LIMIT_STORE` says. */
export interface RateLimits {
  /** Queries and mutations per credential and second, over HTTP and WebSocket together. */
  readonly requests: RateLimit;
  /** Subscriptions started over WebSocket per credential and minute. */
  readonly subscriptionStarts: RateLimit;
  /** Failed authentications per client address and minute (webhooks' bad signatures included). */
  readonly authFailures: RateLimit;
  /** Stops the sweep and closes the store's connections. */
  close(): Promise<void>;
}

/** The table migration 0016 makes; the library never creates it. */
export const RATE_LIMIT_TABLE = 'rate_limit';

/**
 * How long a request waits for the shared count before it is counted in memory
 * instead: every authenticated request waits for this store, so it must fail fast
 * rather than hold requests for the database's general timeouts.
 */
const STORE_TIMEOUT_MS = 500;
/** One small upsert per request: a few connections serve thousands of requests a second. */
const STORE_POOL_SIZE = 4;
/** Rows of windows long past are swept this often (they are ignored meanwhile). */
const SWEEP_EVERY_MS = 5 * 60_000;
/** A warning that the store is unreachable is repeated at most this often. */
const FALLBACK_NOTICE_EVERY_MS = 30_000;

/**
 * The three budgets. With `postgres` they count in one table every instance on the
 * database shares, so a budget holds for the fleet; while that table cannot be
 * reached (or answers late), each budget counts in this instance's memory, with the
 * same size: the limits then hold per instance, never not at all. A request is never
 * refused because the store is down: for the request rate and subscription starts a
 * short outage should not take the API down with it, and for authentication failures
 * refusing every address (behind a proxy, every client shares one) would lock every
 * caller out, while a per-instance budget still bounds guessing.
 */
export function createRateLimits(limits: LimitsConfig, databaseUrl: string, logger: Logger): RateLimits {
  const budgets = {
    requests: { points: limits.requestsPerSecond, seconds: 1 },
    subscriptionStarts: { points: limits.subscriptionStartsPerMinute, seconds: 60 },
    authFailures: { points: limits.authFailuresPerMinute, seconds: 60 },
  };
  if (limits.rateLimitStore === 'memory') {
    return {
      requests: RateLimit.inMemory(budgets.requests.points, budgets.requests.seconds),
      subscriptionStarts: RateLimit.inMemory(budgets.subscriptionStarts.points, budgets.subscriptionStarts.seconds),
      authFailures: RateLimit.inMemory(budgets.authFailures.points, budgets.authFailures.seconds),
      close: () => Promise.resolve(),
    };
  }

  // A pool of its own, with short bounds: the request path must not queue behind the
  // gateway's other statements, nor wait for them when the database hangs.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: STORE_POOL_SIZE,
    connectionTimeoutMillis: STORE_TIMEOUT_MS,
    query_timeout: STORE_TIMEOUT_MS,
    statement_timeout: STORE_TIMEOUT_MS,
    application_name: 'leadgraph-rate-limits',
  });
  // An idle connection the server dropped: the pool replaces it; without a listener it would end the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'a rate-limit store connection was lost'));
  const noticeFallback = fallbackNotice(logger);
  const shared = (name: string, budget: { points: number; seconds: number }, leased = false) => {
    const options: IRateLimiterOptions = { keyPrefix: name, points: budget.points, duration: budget.seconds };
    const fallback = new InstanceFallback(options, () => noticeFallback(name));
    const counter = new SharedRateCounter(
      {
        ...options,
        storeClient: pool,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        // A key that has used its whole budget is refused from this instance's memory for the
        // rest of its window (the store said so): no round trip for a refusal the store would
        // give anyway. Every request within the budget is still counted in the store.
        inMemoryBlockOnConsumed: budget.points,
        // One sweep per instance below, stopped on close (the library's own timer never is).
        clearExpiredByTimeout: false,
        insuranceLimiter: fallback,
      },
      pool,
      RATE_LIMIT_TABLE,
      fallback,
    );
    return new RateLimit(counter, budget.points, leased ? new BudgetLeases(budget.points) : undefined);
  };
  const sweep = setInterval(() => {
    // Windows last a minute at most; the margin covers clocks that disagree a little.
    void pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [Date.now() - 60_000]).catch(() => undefined);
  }, SWEEP_EVERY_MS);
  sweep.unref();
  return {
    // Counted on every request and every subscription start: in leases of the budget, a few
    // round trips per window rather than one per request (a burst of reconnecting
    // subscribers is one reservation, not one statement each).
    requests: shared('requests', budgets.requests, true),
    subscriptionStarts: shared('subscription-starts', budgets.subscriptionStarts, true),
    authFailures: shared('auth-failures', budgets.authFailures),
    async close() {
      clearInterval(sweep);
      await pool.end();
    },
  };
}

/**
 * This instance's memory, used by `RateLimiterPostgres` (as its insurance limiter) for
 * every call the store did not answer. Each use is reported, so an operator learns
 * that the limits hold per instance for now.
 */
class InstanceFallback extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override async consume(key: string | number, pointsToConsume?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.onUse();
    // A hit counted only while another budget is unspent (see shared-rate-counter.ts): that one is checked here too.
    await checkGateInMemory(options);
    return super.consume(key, pointsToConsume, options);
  }

  override get(key: string | number, options?: Record<string, unknown>): Promise<RateLimiterRes | null> {
    this.onUse();
    return super.get(key, options);
  }
}

/** One warning per budget and {@link FALLBACK_NOTICE_EVERY_MS}, however many requests fall back. */
function fallbackNotice(logger: Logger): (budget: string) => void {
  const lastWarned = new Map<string, number>();
  return (budget) => {
    const now = Date.now();
    if (now - (lastWarned.get(budget) ?? -Infinity) < FALLBACK_NOTICE_EVERY_MS) return;
    lastWarned.set(budget, now);
    logger.warn(
      { budget },
      'the rate-limit store did not answer: this budget is counted in this instance only until it does (limits hold per instance meanwhile)',
    );
  };
}
