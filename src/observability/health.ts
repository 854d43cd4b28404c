import { type DataSource } from 'typeorm';
import { hasPendingMigrations } from '../db/data-source.js';
import { type BreakerState } from '../dispatch/circuit-breaker.js';
import { type ProviderId } from '../providers/index.js';

/** What readiness is judged from. */
export interface ReadinessSources {
  readonly db: DataSource;
  /** The status-change feed's LISTEN connection. */
  readonly changes: { readonly listening: boolean };
  readonly breakers: { breakerStates(): Record<ProviderId, BreakerState> };
}

/** The `/readyz` answer: each part, and the verdict. No secrets, no addresses. */
export interface Readiness {
  readonly status: 'ready' | 'not ready';
  readonly database: 'ok' | 'unreachable';
  readonly migrations: 'applied' | 'pending' | 'unknown';
  /** The LISTEN connection that live subscriptions depend on. */
  readonly listen: 'up' | 'down';
  /** Each provider's circuit breaker on this instance. */
  readonly breakers: Record<ProviderId, BreakerState>;
}

/**
 * How long `/readyz` waits for the database: a load balancer's probe must get an
 * answer, and a database that has not answered within it is not serving requests either.
 */
export const READINESS_DEADLINE_MS = 1_000;

/**
 * Ready means: the database answers within {@link READINESS_DEADLINE_MS}, every
 * migration is applied, and the LISTEN connection is up (without it, this instance's
 * subscribers would only hear of changes at the safety poll).
 *
 * The breakers are reported, not judged: an open breaker means a provider is
 * failing, which every instance sees alike. Taking instances out of rotation for
 * it would not help (mutations are still accepted and wait in the outbox for the
 * provider to recover) and would take reads and subscriptions down with it.
 */
export async function readiness(sources: ReadinessSources, deadlineMs = READINESS_DEADLINE_MS): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadlineMs)));
  const checked = await Promise.race([databaseCheck(sources.db), late]);
  clearTimeout(timer);
  // Read after the wait: the LISTEN connection may have come back meanwhile.
  const listen = sources.changes.listening ? 'up' : 'down';
  const breakers = sources.breakers.breakerStates();
  if (checked === undefined || checked === 'unreachable') {
    return { status: 'not ready', database: 'unreachable', migrations: 'unknown', listen, breakers };
  }
  const ready = checked === 'applied' && listen === 'up';
  return { status: ready ? 'ready' : 'not ready', database: 'ok', migrations: checked, listen, breakers };
}

/**
 * The database's part, one at a time per data source: probes that come while one is
 * still waiting on a hung database share it, rather than each taking a pooled
 * connection and piling up behind it.
 */
const checking = new WeakMap<DataSource, Promise<Readiness['migrations'] | 'unreachable'>>();

function databaseCheck(db: DataSource): Promise<Readiness['migrations'] | 'unreachable'> {
  const running = checking.get(db);
  if (running !== undefined) return running;
  const check = (async () => {
    try {
      await db.query('SELECT 1');
    } catch {
      return 'unreachable' as const;
    }
    const pending = await hasPendingMigrations(db).catch(() => undefined);
    return pending === undefined ? ('unknown' as const) : pending ? ('pending' as const) : ('applied' as const);
  })().finally(() => checking.delete(db));
  checking.set(db, check);
  return check;
}
