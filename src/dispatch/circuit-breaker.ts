/** How a breaker trips and recovers. */
export interface BreakerPolicy {
  /** Consecutive transient failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker refuses before it lets one probe through. */
  readonly cooldownMs: number;
  /**
   * How long a probe may stay out before another caller may probe instead: its prober
   * may have died without reporting. Unset: until the probe reports.
   */
  readonly probeLeaseMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A probe under way: whose it is, and until when nobody else may probe. */
export interface BreakerProbe {
  readonly owner: string;
  readonly until: number;
}

/**
 * A breaker's whole state: what one row of `provider_breaker` holds for the fleet
 * (see `shared-breaker.ts`). Times are milliseconds on one clock: the database's, so
 * instances whose clocks disagree still agree on the breaker.
 */
export interface BreakerRecord {
  /** Consecutive transient failures, across every instance. */
  readonly failures: number;
  /** When it last opened; null while closed. */
  readonly openedAt: number | null;
  /** The probe under way, if any. */
  readonly probe: BreakerProbe | null;
}

/** A breaker that has seen no failure. */
export const CLOSED_BREAKER: BreakerRecord = { failures: 0, openedAt: null, probe: null };

/*
 * The rules, as pure functions of a record: while a provider keeps failing, calls stop
 * (the dispatches wait in the outbox); after the cool-down one probe goes through:
 * success closes the breaker, failure opens it again. A transition that changes
 * nothing returns the very record it was given, so a caller knows there is nothing to write.
 */

export function breakerState(record: BreakerRecord, policy: BreakerPolicy, now: number): BreakerState {
  if (record.openedAt === null) return 'closed';
  return now - record.openedAt >= policy.cooldownMs ? 'half-open' : 'open';
}

/** When the breaker will let a probe through (now, when closed). */
export function breakerRetryAt(record: BreakerRecord, policy: BreakerPolicy, now: number): number {
  return record.openedAt === null ? now : record.openedAt + policy.cooldownMs;
}

/** Whether a probe is under way (and not given up on: its lease has not run out). */
export function probing(record: BreakerRecord, now: number): boolean {
  return record.probe !== null && record.probe.until > now;
}

/** Whether `owner` may call now, and the record after: a half-open breaker lets exactly one caller probe. */
export function acquireCall(
  record: BreakerRecord,
  policy: BreakerPolicy,
  now: number,
  owner: string,
): { readonly allowed: boolean; readonly next: BreakerRecord } {
  switch (breakerState(record, policy, now)) {
    case 'closed':
      return { allowed: true, next: record };
    case 'open':
      return { allowed: false, next: record };
    case 'half-open':
      if (probing(record, now)) return { allowed: false, next: record };
      return { allowed: true, next: { ...record, probe: { owner, until: now + (policy.probeLeaseMs ?? Infinity) } } };
  }
}

/** The provider answered (even with a refusal): it is up. */
export function afterSuccess(record: BreakerRecord): BreakerRecord {
  return record.failures === 0 && record.openedAt === null && record.probe === null ? record : CLOSED_BREAKER;
}

/**
 * A transient failure (unavailable, timeout, rate limited). At the threshold it opens;
 * a failed probe, or a late failure of a call sent before it opened, opens it again
 * from now, for a whole new cool-down.
 */
export function afterFailure(record: BreakerRecord, policy: BreakerPolicy, now: number): BreakerRecord {
  const failures = record.failures + 1;
  if (record.probe !== null || failures >= policy.failureThreshold) return { failures, openedAt: now, probe: null };
  return { ...record, failures };
}

/** `owner`'s probe ended without saying anything about the provider: let another caller probe. */
export function afterAbandonedProbe(record: BreakerRecord, owner: string): BreakerRecord {
  return record.probe?.owner === owner ? { ...record, probe: null } : record;
}
