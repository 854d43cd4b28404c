import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DataSource } from 'typeorm';
import { Provider } from '../domain/vocabulary.js';
import { type Logger } from '../logger.js';
import { BreakerStore } from './breaker-store.js';
import { type BreakerPolicy, type BreakerState, CLOSED_BREAKER } from './circuit-breaker.js';
import { SharedBreaker } from './shared-breaker.js';

const PROVIDERS = Object.values(Provider);

/**
 * Every provider's {@link SharedBreaker}, as one instance sees them. The poller
 * refreshes them all with one read per poll, so what `/readyz` and the metrics show
 * (and which providers the poller skips) is at most `DISPATCH_POLL_MS` old; the
 * decision to send is never taken on a view older than `FRESH_READ_MS`: each call
 * reads its provider's row, unless it was read that recently (see `shared-breaker.ts`).
 */
export class FleetBreakers {
  private readonly store: BreakerStore;
  private readonly breakers: Record<Provider, SharedBreaker>;

  constructor(
    db: DataSource,
    policy: BreakerPolicy,
    private readonly logger: Logger,
    /** Names this instance's probes in `provider_breaker`, for people reading it: host, process, then what makes it unique. */
    owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  ) {
    this.store = new BreakerStore(db);
    const deps = { store: this.store, policy, owner, logger };
    this.breakers = Object.fromEntries(PROVIDERS.map((p) => [p, new SharedBreaker(p, deps)])) as Record<Provider, SharedBreaker>;
  }

  of(provider: Provider): SharedBreaker {
    return this.breakers[provider];
  }

  /** Each provider's breaker state, as last read (for /readyz and metrics). */
  states(): Record<Provider, BreakerState> {
    return Object.fromEntries(PROVIDERS.map((p) => [p, this.breakers[p].state])) as Record<Provider, BreakerState>;
  }

  /** Providers whose calls wait now, as last read: the poller claims none of their dispatches. */
  heldBack(): Provider[] {
    return PROVIDERS.filter((p) => this.breakers[p].holdsBack);
  }

  /** Reads every provider's row at once. Never rejects: a failed read leaves the last view (the claim that follows will fail too). */
  async refresh(): Promise<void> {
    try {
      const snapshot = await this.store.readAll();
      for (const provider of PROVIDERS) {
        this.breakers[provider].adopt(snapshot.breakers.get(provider) ?? { record: CLOSED_BREAKER, version: 0 }, snapshot.now);
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'could not refresh the shared circuit breakers');
    }
  }
}
