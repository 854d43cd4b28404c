/** How a breaker trips and recovers. */
export interface BreakerPolicy {
  /** Consecutive transient failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker refuses before it lets one probe through. */
  readonly cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One provider's circuit breaker, per gateway instance. While a provider keeps
 * failing, calls stop (the dispatches wait in the outbox); after the cool-down one
 * probe goes through: success closes the breaker, failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** When the breaker will let a probe through (now, when closed). */
  get retryAt(): number {
    return this.openedAt === null ? this.now() : this.openedAt + this.policy.cooldownMs;
  }

  /** Whether a call may go now; a half-open breaker lets exactly one caller probe. */
  tryAcquire(): boolean {
    switch (this.state) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half-open':
        if (this.probing) return false;
        this.probing = true;
        return true;
    }
  }

  /** The provider answered (even with a refusal): it is up. */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  /** The probe ended without saying anything about the provider: let another caller probe. */
  abandonProbe(): void {
    this.probing = false;
  }

  /** A transient failure (unavailable, timeout, rate limited). */
  recordFailure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.policy.failureThreshold) {
      this.openedAt = this.now();
      this.probing = false;
    }
  }
}
