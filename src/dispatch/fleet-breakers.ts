import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DataSource } from 'typeorm';
import { type Logger } from '../logger.js';
import { type ProviderId } from '../providers/index.js';
import { providerOfBreakerKey } from './breaker-key.js';
import { BreakerStore } from './breaker-store.js';
import { type BreakerPolicy, type BreakerState, CLOSED_BREAKER } from './circuit-breaker.js';
import { SharedBreaker } from './shared-breaker.js';

/**
 * Every account's {@link SharedBreaker} (see `breaker-key.ts`), as one instance sees
 * them: each provider's (the environment's account), and those of tenants' connections,
 * made when first used here or first seen in `provider_breaker`. The poller
 * refreshes them all with one read per poll, so what `/readyz` and the metrics show
 * (and which providers the poller skips) is at most `DISPATCH_POLL_MS` old; the
 * decision to send is never taken on a view older than `FRESH_READ_MS`: each call
 * reads its provider's row, unless it was read that recently (see `shared-breaker.ts`).
 */
export class FleetBreakers {
  private readonly store: BreakerStore;
  private readonly breakers: Map<string, SharedBreaker>;
  private readonly deps: ConstructorParameters<typeof SharedBreaker>[1];

  constructor(
    db: DataSource,
    policy: BreakerPolicy,
    private readonly logger: Logger,
    /** Every provider this instance sends to. */
    private readonly providers: readonly ProviderId[],
    /** Names this instance's probes in `provider_breaker`, for people reading it: host, process, then what makes it unique. */
    owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  ) {
    this.store = new BreakerStore(db);
    this.deps = { store: this.store, policy, owner, logger };
    this.breakers = new Map(providers.map((p) => [p, new SharedBreaker(p, this.deps)]));
  }

  /** The breaker of `key` (a provider id, or a connection's `breakerKey`), made closed on first use. */
  of(key: string): SharedBreaker {
    let breaker = this.breakers.get(key);
    if (breaker === undefined) {
      if (!this.providers.includes(providerOfBreakerKey(key))) throw new Error(`no circuit breaker for the provider of "${key}"`);
      breaker = new SharedBreaker(key, this.deps);
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Each provider's breaker state (the environment's accounts), as last read (for /readyz and metrics). */
  states(): Record<ProviderId, BreakerState> {
    return Object.fromEntries(this.providers.map((p) => [p, this.of(p).state]));
  }

  /** Breaker keys whose calls wait now, as last read: the poller claims none of their dispatches. */
  heldBack(): string[] {
    return [...this.breakers].filter(([, breaker]) => breaker.holdsBack).map(([key]) => key);
  }

  /** Reads every provider's row at once. Never rejects: a failed read leaves the last view (the claim that follows will fail too). */
  async refresh(): Promise<void> {
    const started = performance.now();
    try {
      const snapshot = await this.store.readAll();
      // Connections' breakers another instance opened are known here from their rows.
      for (const key of snapshot.breakers.keys()) if (this.providers.includes(providerOfBreakerKey(key))) this.of(key);
      for (const [key, breaker] of this.breakers) {
        breaker.adopt(snapshot.breakers.get(key) ?? { record: CLOSED_BREAKER, version: 0 }, snapshot.now, started);
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'could not refresh the shared circuit breakers');
    }
  }
}
