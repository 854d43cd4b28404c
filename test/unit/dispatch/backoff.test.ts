import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config.js';
import { applyRetryDelayMs, type BackoffPolicy, decide, retryDelayMs } from '../../../src/dispatch/backoff.js';
import { ProviderCallError, type ProviderErrorCode } from '../../../src/providers/index.js';

const policy: BackoffPolicy = { baseMs: 100, maxMs: 1_000 };
/** Fake randoms: the bottom, the middle and (just under) the top of Math.random's range. */
const bottom = () => 0;
const middle = () => 0.5;
const top = () => 1 - Number.EPSILON;

describe('retryDelayMs: exponential backoff with full jitter', () => {
  // The ceiling doubles per attempt from the base, until the cap; with the top random the delay is the ceiling.
  it.each([
    { attempts: 1, ceiling: 100 },
    { attempts: 2, ceiling: 200 },
    { attempts: 3, ceiling: 400 },
    { attempts: 4, ceiling: 800 },
    { attempts: 5, ceiling: 1_000 }, // 1,600 capped
    { attempts: 6, ceiling: 1_000 },
    { attempts: 20, ceiling: 1_000 },
  ])('after $attempts attempt(s) waits at most $ceiling ms', ({ attempts, ceiling }) => {
    expect(retryDelayMs(attempts, policy, null, top)).toBe(ceiling);
    expect(retryDelayMs(attempts, policy, null, middle)).toBe(ceiling / 2);
    expect(retryDelayMs(attempts, policy, null, bottom)).toBe(0);
  });

  it('treats zero attempts like the first (the exponent never goes negative)', () => {
    expect(retryDelayMs(0, policy, null, top)).toBe(100);
  });

  it('stays at the cap however many attempts there were (no overflow to Infinity or NaN)', () => {
    // 2^1100 is Infinity as a double: the cap must still win.
    for (const attempts of [64, 1_024, 1_100, Number.MAX_SAFE_INTEGER]) {
      expect(retryDelayMs(attempts, policy, null, top)).toBe(1_000);
    }
  });

  it.each([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1 - Number.EPSILON])(
    'with random() = %s every delay is a whole number of milliseconds inside [0, ceiling]',
    (r) => {
      for (let attempts = 1; attempts <= 8; attempts++) {
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempts - 1));
        const delay = retryDelayMs(attempts, policy, null, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBe(Math.round(r * ceiling));
      }
    },
  );

  it('spreads instances out: different randoms give different delays for the same attempt', () => {
    const delays = new Set([0.1, 0.3, 0.5, 0.7, 0.9].map((r) => retryDelayMs(4, policy, null, () => r)));
    expect(delays.size).toBe(5);
  });

  it('uses Math.random by default, within the same bounds', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(3, policy, null);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  describe('Retry-After is a floor, never a ceiling', () => {
    it.each([
      { case: 'above the jittered delay: Retry-After wins', attempts: 1, retryAfterMs: 5_000, random: top, expected: 5_000 },
      { case: 'above the cap: still honoured (never sooner than asked)', attempts: 20, retryAfterMs: 60_000, random: top, expected: 60_000 },
      { case: 'with a zero jitter: Retry-After exactly', attempts: 3, retryAfterMs: 1_000, random: bottom, expected: 1_000 },
      { case: 'below the jittered delay: the longer backoff wins', attempts: 4, retryAfterMs: 50, random: middle, expected: 400 },
      { case: 'zero: the backoff alone', attempts: 2, retryAfterMs: 0, random: middle, expected: 100 },
      { case: 'absent (null): the backoff alone', attempts: 2, retryAfterMs: null, random: middle, expected: 100 },
    ])('$case', ({ attempts, retryAfterMs, random, expected }) => {
      expect(retryDelayMs(attempts, policy, retryAfterMs, random)).toBe(expected);
    });

    it('holds for every jitter: the delay is never below Retry-After', () => {
      for (const r of [0, 0.2, 0.4, 0.6, 0.8, 1 - Number.EPSILON]) {
        for (let attempts = 1; attempts <= 6; attempts++) {
          expect(retryDelayMs(attempts, policy, 700, () => r)).toBeGreaterThanOrEqual(700);
        }
      }
    });
  });
});

describe('applyRetryDelayMs: applying a confirmed result while the database is unavailable', () => {
  it('tries again after 100 ms, doubling, at most a second apart, so the result lands about a second after the database is back', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(applyRetryDelayMs)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });
});

describe('decide: the retry policy, from the neutral code alone', () => {
  const limits = { baseMs: 100, maxMs: 1_000, random: () => 1 - Number.EPSILON };
  const error = (code: ProviderErrorCode, retryAfterMs: number | null = null) => new ProviderCallError(code, 'upstream said no', 503, retryAfterMs);

  it.each(['REJECTED', 'UNAUTHORIZED', 'NOT_FOUND', 'INVALID_RESPONSE'] as const)('fails a %s at once, whatever the attempts left; the provider is up', (code) => {
    expect(decide(error(code), { attempts: 1, maxAttempts: 8 }, limits)).toEqual({ action: 'fail', outcome: 'refused', breaker: 'up' });
  });

  it.each(['UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED'] as const)('retries a %s after the backoff, counting it against the breaker', (code) => {
    expect(decide(error(code), { attempts: 3, maxAttempts: 8 }, limits)).toEqual({ action: 'retry', outcome: 'retry', breaker: 'down', delayMs: 400 });
  });

  it('retries a CONFLICT without counting it against the breaker (the provider is busy with this very request)', () => {
    expect(decide(error('CONFLICT'), { attempts: 1, maxAttempts: 8 }, limits)).toEqual({ action: 'retry', outcome: 'retry', breaker: 'up', delayMs: 100 });
  });

  it('never comes back sooner than a Retry-After', () => {
    expect(decide(error('RATE_LIMITED', 60_000), { attempts: 1, maxAttempts: 8 }, limits)).toMatchObject({ action: 'retry', delayMs: 60_000 });
  });

  it('fails a transient failure on the last attempt', () => {
    expect(decide(error('UNAVAILABLE'), { attempts: 8, maxAttempts: 8 }, limits)).toEqual({ action: 'fail', outcome: 'exhausted', breaker: 'down' });
    expect(decide(error('CONFLICT'), { attempts: 8, maxAttempts: 8 }, limits)).toEqual({ action: 'fail', outcome: 'exhausted', breaker: 'up' });
  });

  it("retries a failure inside the gateway even past the attempts, saying nothing of the provider's health", () => {
    expect(decide(undefined, { attempts: 9, maxAttempts: 8 }, limits)).toEqual({ action: 'retry', outcome: 'gateway_error', breaker: 'unknown', delayMs: 1_000 });
  });
});

describe("the README's table of delays", () => {
  const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const rows = [...README.matchAll(/^ {3}\| (\d+) \| (up to (\d+) s|no next attempt: `FAILED`) \|$/gm)];
  const { dispatch } = loadConfig({});
  const defaults = { baseMs: dispatch.backoffBaseMs, maxMs: dispatch.backoffMaxMs, random: () => 1 - Number.EPSILON };

  it('is what the policy does with the default configuration, one row per attempt', () => {
    expect(rows.map((row) => Number(row[1]))).toEqual(Array.from({ length: dispatch.maxAttempts }, (_, i) => i + 1));
    for (const [, attempts, , seconds] of rows) {
      const decision = decide(new ProviderCallError('UNAVAILABLE', 'down'), { attempts: Number(attempts), maxAttempts: dispatch.maxAttempts }, defaults);
      expect(decision.action === 'retry' ? decision.delayMs : 'FAILED').toBe(seconds === undefined ? 'FAILED' : Number(seconds) * 1000);
    }
  });
});
