import { describe, expect, it } from 'vitest';
import {
  acquireCall,
  afterAbandonedProbe,
  afterFailure,
  afterSuccess,
  type BreakerPolicy,
  type BreakerRecord,
  breakerRetryAt,
  breakerState,
  CLOSED_BREAKER,
} from '../../../src/dispatch/circuit-breaker.js';

/**
 * The breaker's rules held in one variable, as a single caller sees them (what the
 * shared row holds for the fleet is exercised in test/integration/fleet/breaker.test.ts).
 */
class HeldBreaker {
  record: BreakerRecord = CLOSED_BREAKER;
  constructor(
    private readonly policy: BreakerPolicy,
    private readonly now: () => number,
    private readonly owner = 'this-caller',
  ) {}
  get state() {
    return breakerState(this.record, this.policy, this.now());
  }
  get retryAt() {
    return breakerRetryAt(this.record, this.policy, this.now());
  }
  tryAcquire(owner = this.owner): boolean {
    const { allowed, next } = acquireCall(this.record, this.policy, this.now(), owner);
    this.record = next;
    return allowed;
  }
  recordSuccess(): void {
    this.record = afterSuccess(this.record);
  }
  recordFailure(): void {
    this.record = afterFailure(this.record, this.policy, this.now());
  }
  abandonProbe(owner = this.owner): void {
    this.record = afterAbandonedProbe(this.record, owner);
  }
}

/** A breaker on a fake clock that the test moves by hand: no real time passes. */
function breakerAt(policy: BreakerPolicy, start = 1_000_000) {
  let now = start;
  const breaker = new HeldBreaker(policy, () => now);
  return {
    breaker,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    fail: (times = 1) => {
      for (let i = 0; i < times; i++) breaker.recordFailure();
    },
  };
}

describe('CircuitBreaker', () => {
  describe('opens at the threshold of consecutive failures', () => {
    it.each([1, 2, 3, 5, 10])('threshold %i: closed until the %i-th failure, open on it', (failureThreshold) => {
      const { breaker, fail } = breakerAt({ failureThreshold, cooldownMs: 1_000 });
      for (let i = 1; i < failureThreshold; i++) {
        fail();
        expect(breaker.state, `after ${i} failure(s)`).toBe('closed');
        expect(breaker.tryAcquire()).toBe(true);
      }
      fail();
      expect(breaker.state).toBe('open');
      expect(breaker.tryAcquire()).toBe(false);
    });

    it('counts only consecutive failures: a success in between starts the count again', () => {
      const { breaker, fail } = breakerAt({ failureThreshold: 3, cooldownMs: 1_000 });
      fail(2);
      breaker.recordSuccess();
      fail(2);
      expect(breaker.state).toBe('closed');
      fail();
      expect(breaker.state).toBe('open');
    });
  });

  describe('while open', () => {
    it.each([0, 1, 500, 999])('refuses every call %i ms after opening (cool-down 1000 ms)', (elapsed) => {
      const { breaker, fail, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 1_000 });
      fail(2);
      advance(elapsed);
      expect(breaker.state).toBe('open');
      for (let i = 0; i < 3; i++) expect(breaker.tryAcquire()).toBe(false);
    });

    it('says when it will let a probe through: the opening time plus the cool-down', () => {
      const { breaker, fail, advance, now } = breakerAt({ failureThreshold: 1, cooldownMs: 30_000 });
      expect(breaker.retryAt).toBe(now()); // closed: now
      fail();
      const openedAt = now();
      advance(12_345);
      expect(breaker.retryAt).toBe(openedAt + 30_000);
    });

    it('a late failure of a call started before it opened keeps it open, from that failure on', () => {
      const { breaker, fail, advance, now } = breakerAt({ failureThreshold: 2, cooldownMs: 1_000 });
      fail(2);
      advance(600);
      fail();
      expect(breaker.state).toBe('open');
      expect(breaker.retryAt).toBe(now() + 1_000);
    });
  });

  describe('half-open after the cool-down', () => {
    it.each([1_000, 1_001, 60_000])('%i ms after opening it lets exactly one probe through', (elapsed) => {
      const { breaker, fail, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 1_000 });
      fail(2);
      advance(elapsed);
      expect(breaker.state).toBe('half-open');
      expect(breaker.tryAcquire()).toBe(true);
      // The probe is out: everyone else waits for its outcome.
      for (let i = 0; i < 5; i++) expect(breaker.tryAcquire()).toBe(false);
      expect(breaker.state).toBe('half-open');
    });

    it('closes when the probe succeeds, and the failure count starts from zero', () => {
      const { breaker, fail, advance } = breakerAt({ failureThreshold: 3, cooldownMs: 1_000 });
      fail(3);
      advance(1_000);
      expect(breaker.tryAcquire()).toBe(true);
      breaker.recordSuccess();
      expect(breaker.state).toBe('closed');
      expect(breaker.tryAcquire()).toBe(true);
      expect(breaker.tryAcquire()).toBe(true);
      // A fresh count: it takes the full threshold again to open.
      fail(2);
      expect(breaker.state).toBe('closed');
      fail();
      expect(breaker.state).toBe('open');
    });

    it.each([1, 3, 100])(
      'reopens on a failed probe at once (threshold %i), for a whole new cool-down, then probes once again',
      (failureThreshold) => {
        const { breaker, fail, advance, now } = breakerAt({ failureThreshold, cooldownMs: 1_000 });
        fail(failureThreshold);
        advance(1_500);
        expect(breaker.tryAcquire()).toBe(true);
        fail(); // the probe failed
        expect(breaker.state).toBe('open');
        expect(breaker.retryAt).toBe(now() + 1_000);
        advance(999);
        expect(breaker.state).toBe('open');
        expect(breaker.tryAcquire()).toBe(false);
        advance(1);
        expect(breaker.state).toBe('half-open');
        expect(breaker.tryAcquire()).toBe(true);
        expect(breaker.tryAcquire()).toBe(false);
        breaker.recordSuccess();
        expect(breaker.state).toBe('closed');
      },
    );
  });

  it('walks the whole cycle: closed → open → half-open → open → half-open → closed', () => {
    const { breaker, fail, advance } = breakerAt({ failureThreshold: 2, cooldownMs: 5_000 });
    const seen: string[] = [breaker.state];
    const step = (action: () => void) => {
      action();
      if (seen.at(-1) !== breaker.state) seen.push(breaker.state);
    };
    step(() => fail(2));
    step(() => advance(5_000));
    step(() => {
      breaker.tryAcquire();
      fail();
    });
    step(() => advance(5_000));
    step(() => {
      breaker.tryAcquire();
      breaker.recordSuccess();
    });
    expect(seen).toEqual(['closed', 'open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('the probe, when several callers share one breaker', () => {
  const policy: BreakerPolicy = { failureThreshold: 2, cooldownMs: 1_000, probeLeaseMs: 5_000 };

  it('goes to the first caller that asks; the others wait for its outcome, whoever they are', () => {
    const { breaker, fail, advance } = breakerAt(policy);
    fail(2);
    advance(1_000);
    expect(breaker.tryAcquire('instance-a')).toBe(true);
    expect(breaker.record.probe).toEqual({ owner: 'instance-a', until: expect.any(Number) });
    expect(breaker.tryAcquire('instance-b')).toBe(false);
    expect(breaker.tryAcquire('instance-a')).toBe(false);
  });

  it('is given up by its owner only: another caller abandoning changes nothing', () => {
    const { breaker, fail, advance } = breakerAt(policy);
    fail(2);
    advance(1_000);
    breaker.tryAcquire('instance-a');
    const before = breaker.record;
    breaker.abandonProbe('instance-b');
    expect(breaker.record).toBe(before);
    breaker.abandonProbe('instance-a');
    expect(breaker.record.probe).toBeNull();
    expect(breaker.tryAcquire('instance-b')).toBe(true);
  });

  it.each([4_999, 5_000, 5_001])('passes to another caller %i ms after it went out only once its lease (5000 ms) has run out: its owner may have died', (elapsed) => {
    const { breaker, fail, advance } = breakerAt(policy);
    fail(2);
    advance(1_000);
    breaker.tryAcquire('instance-a');
    advance(elapsed);
    expect(breaker.tryAcquire('instance-b')).toBe(elapsed >= 5_000);
  });

  it('answers the very record it was given when nothing changes, so a caller knows there is nothing to write', () => {
    const { breaker, fail, advance, now } = breakerAt(policy);
    expect(acquireCall(CLOSED_BREAKER, policy, now(), 'a').next).toBe(CLOSED_BREAKER);
    expect(afterSuccess(CLOSED_BREAKER)).toBe(CLOSED_BREAKER);
    fail(2);
    const open = breaker.record;
    expect(acquireCall(open, policy, now(), 'a').next).toBe(open);
    advance(1_000);
    expect(acquireCall(open, policy, now(), 'a').next).not.toBe(open); // half-open: the probe is a change
  });
});
