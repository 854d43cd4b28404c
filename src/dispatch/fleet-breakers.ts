import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DataSource } from 'typeorm';
import { type Logger } from '../logger.js';
import { type ProviderId } from '../providers/index.js';
import { BreakerStore } from './breaker-store.js';
import { type BreakerPolicy, type BreakerState, CLOSED_BREAKER } from './circuit-breaker.js';
import { SharedBreaker } from './shared-breaker.js';

/**
 * Every provider's {@link SharedBreaker}, as one instance sees them. The poller
 * refreshes them all with one read per poll, so what `/readyz` and the metrics show
 * (and which providers the poller skips) is at most `DISPATCH_POLL_MS` old; the
 * decision to send is never taken on a view older than `FRESH_READ_MS`: each call
 * reads its provider's row, unless it was read that recently (see `shared-breaker.ts`).
 */
export class FleetBreakers {
  private readonly store: BreakerStore;
  private readonly breakers: Map<ProviderId, SharedBreaker>;

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
    const deps = { store: this.store, policy, owner, logger };
    this.breakers = new Map(providers.map((p) => [p, new SharedBreaker(p, deps)]));
  }

  of(provider: ProviderId): SharedBreaker {
    const breaker = this.breakers.get(provider);
    if (breaker === undefined) throw new Error(`no circuit breaker for the provider "${provider}"`);
    return breaker;
  }

  /** Each provider's breaker state, as last read (for /readyz and metrics). */
  states(): Record<ProviderId, BreakerState> {
    return Object.fromEntries(this.providers.map((p) => [p, this.of(p).state]));
  }

  /** Providers whose calls wait now, as last read: the poller claims none of their dispatches. */
  heldBack(): ProviderId[] {
    return this.providers.filter((p) => this.of(p).holdsBack);
  }

  /** Reads every provider's row at once. Never rejects: a failed read leaves the last view (the claim that follows will fail too). */
  async refresh(): Promise<void> {
    const started = performance.now();
    try {
      const snapshot = await this.store.readAll();
      for (const provider of this.providers) {
        this.of(provider).adopt(snapshot.breakers.get(provider) ?? { record: CLOSED_BREAKER, version: 0 }, snapshot.now, started);
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'could not refresh the shared circuit breakers');
    }
  }
}
