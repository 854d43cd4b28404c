import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { BudgetLeases } from '../../../src/auth/budget-leases.js';
import { RateLimit, RateLimited } from '../../../src/auth/rate-limiter.js';

/** A store every "instance" below shares (the library's own, in memory), counting its round trips. */
class CountingStore extends RateLimiterMemory {
  reservations = 0;
  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.reservations += 1;
    return super.consume(key, points, options);
  }
}

/** An instance's budget over the shared store, leased. */
const instance = (store: CountingStore, points: number) => new RateLimit(store, points, new BudgetLeases(points));
const outcome = (hit: Promise<void>) =>
  hit.then(
    () => 'answered' as const,
    (error: unknown) => {
      if (error instanceof RateLimited) return 'refused' as const;
      throw error;
    },
  );

describe('a budget taken in leases', () => {
  it('counts a steady key in a few reservations per window, and every hit in the store', async () => {
    const store = new CountingStore({ points: 1_000, duration: 60 });
    const limit = instance(store, 1_000);
    for (let i = 0; i < 100; i++) await limit.hit('key:a');
    // 1 + 2 + 4 + 8 + 16 + 32 = 63 points in six reservations, then 62 (1/16 of the budget).
    expect(store.reservations).toBe(7);
    expect((await store.get('key:a'))!.consumedPoints).toBeGreaterThanOrEqual(100);
  });

  it('lets requests that arrive together wait for one reservation rather than each make one', async () => {
    const store = new CountingStore({ points: 1_000, duration: 60 });
    const limit = instance(store, 1_000);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => outcome(limit.hit('key:a'))));
    expect(outcomes.every((o) => o === 'answered')).toBe(true);
    // The first takes one point; the 49 that waited on it take theirs in one more.
    expect(store.reservations).toBe(2);
  });

  it('holds a burst on a store that answers late for two reservations, not one after another for each request', async () => {
    const leases = new BudgetLeases(1_000);
    const asked: number[] = [];
    const answers: Array<() => void> = [];
    const reserve = (points: number) => {
      asked.push(points);
      return new Promise<RateLimiterRes>((resolve) => answers.push(() => resolve(new RateLimiterRes(1_000 - points, 60_000, points))));
    };
    const takes = Array.from({ length: 10 }, () => leases.take('key:a', reserve));
    answers.shift()!();
    await expect.poll(() => answers.length).toBe(1);
    answers.shift()!();
    await Promise.all(takes);
    expect(asked).toEqual([1, 9]);
  });

  it('never answers more than the budget in a window across instances, and at most 1/16 of it less per other instance', async () => {
    const store = new CountingStore({ points: 100, duration: 60 });
    const [a, b] = [instance(store, 100), instance(store, 100)];
    const outcomes: string[] = [];
    for (let i = 0; i < 300; i++) outcomes.push(await outcome((i % 3 === 0 ? b : a).hit('key:a')));
    const answered = outcomes.filter((o) => o === 'answered').length;
    expect(answered).toBeLessThanOrEqual(100);
    expect(answered).toBeGreaterThanOrEqual(100 - Math.floor(100 / 16));
  });

  it('grants the part of a reservation below the budget, then refuses with the wait', async () => {
    const store = new CountingStore({ points: 64, duration: 60 });
    const a = instance(store, 64);
    for (let i = 0; i < 7; i++) await a.hit('key:a'); // reservations of 1, 2 and 4 points
    await store.consume('key:a', 54); // another instance: 61 of 64 counted
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await outcome(a.hit('key:a')));
    // The next reservation (4 points) crossed the budget by 1: three of its points were below it.
    expect(outcomes).toEqual(['answered', 'answered', 'answered', 'refused', 'refused']);
    const refusal = await a.hit('key:a').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimited);
    expect((refusal as RateLimited).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('checks the gate at each reservation: a spent gate refuses, and counts nothing', async () => {
    const store = new CountingStore({ points: 1_000, duration: 60 });
    const requests = instance(store, 1_000);
    const failures = RateLimit.inMemory(2, 60);
    await requests.hitUnlessSpent('key:a', failures, '10.0.0.1');
    await failures.hit('10.0.0.2');
    await failures.hit('10.0.0.2');
    await expect(requests.hitUnlessSpent('key:a', failures, '10.0.0.2')).rejects.toBeInstanceOf(RateLimited);
    expect((await store.get('key:a'))!.consumedPoints).toBe(1);
  });

  it('leaves points unused when the window ends, and asks for less in the next', async () => {
    let now = 0;
    const leases = new BudgetLeases(1_000, () => now);
    const asked: number[] = [];
    const reserve = (points: number) => {
      asked.push(points);
      return Promise.resolve(new RateLimiterRes(1_000 - points, 1_000 - now, points));
    };
    // Four hits: reservations of 1, 2 (one point left for the third hit) and 4 (three left).
    for (let i = 0; i < 4; i++) await leases.take('key:a', reserve);
    expect(asked).toEqual([1, 2, 4]);
    now = 1_000; // the window ended with 3 points unused
    await leases.take('key:a', reserve);
    expect(asked).toEqual([1, 2, 4, 2]);
  });
});
