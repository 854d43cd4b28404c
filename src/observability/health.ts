import { type DataSource } from 'typeorm';
import { hasPendingMigrations } from '../db/data-source.js';
import { type BreakerState } from '../dispatch/circuit-breaker.js';
import { type Provider } from '../domain/vocabulary.js';

/** What readiness is judged from. */
export interface ReadinessSources {
  readonly db: DataSource;
  /** The status-change feed's LISTEN connection. */
  readonly changes: { readonly listening: boolean };
  readonly breakers: { breakerStates(): Record<Provider, BreakerState> };
}

/** The `/readyz` answer: each part, and the verdict. No secrets, no addresses. */
export interface Readiness {
  readonly status: 'ready' | 'not ready';
  readonly database: 'ok' | 'unreachable';
  readonly migrations: 'applied' | 'pending' | 'unknown';
  /** The LISTEN connection that live subscriptions depend on. */
  readonly listen: 'up' | 'down';
  /** Each provider's circuit breaker on this instance. */
  readonly breakers: Record<Provider, BreakerState>;
}

/**
 * Ready means: the database answers, every migration is applied, and the LISTEN
 * connection is up (without it, this instance's subscribers would only hear of
 * changes at the safety poll).
 *
 * The breakers are reported, not judged: an open breaker means a provider is
 * failing, which every instance sees alike. Taking instances out of rotation for
 * it would not help (mutations are still accepted and wait in the outbox for the
 * provider to recover) and would take reads and subscriptions down with it.
 */
export async function readiness(sources: ReadinessSources): Promise<Readiness> {
  const listen = sources.changes.listening ? 'up' : 'down';
  const breakers = sources.breakers.breakerStates();
  try {
    await sources.db.query('SELECT 1');
  } catch {
    return { status: 'not ready', database: 'unreachable', migrations: 'unknown', listen, breakers };
  }
  const pending = await hasPendingMigrations(sources.db).catch(() => undefined);
  const migrations = pending === undefined ? 'unknown' : pending ? 'pending' : 'applied';
  const ready = migrations === 'applied' && listen === 'up';
  return { status: ready ? 'ready' : 'not ready', database: 'ok', migrations, listen, breakers };
}
