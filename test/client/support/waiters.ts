/**
 * Waits that resolve on events, never on a clock: `until(predicate)` resolves as soon as
 * `check()` (called by whoever records something new) finds the predicate true, and
 * rejects with what was awaited once `fail()` says it can no longer happen.
 */
export class Waiters {
  private readonly waiting = new Set<{ predicate: () => boolean; what: string; resolve: () => void; reject: (error: Error) => void }>();
  private failure: string | undefined;

  until(predicate: () => boolean, what: string): Promise<void> {
    const waiting = new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve();
      if (this.failure !== undefined) return reject(new Error(`${this.failure}, before ${what}`));
      this.waiting.add({ predicate, what, resolve, reject });
    });
    // A wait that lost a race may be rejected later; whoever awaits it still sees it.
    waiting.catch(() => undefined);
    return waiting;
  }

  check(): void {
    for (const waiter of this.waiting) {
      if (waiter.predicate()) {
        this.waiting.delete(waiter);
        waiter.resolve();
      }
    }
  }

  fail(reason: string): void {
    this.failure = reason;
    for (const waiter of this.waiting) waiter.reject(new Error(`${reason}, before ${waiter.what}`));
    this.waiting.clear();
  }
}

/**
 * Fails with `explain()` if `waiting` has not resolved within `ms`: a guard that turns a
 * change that never arrives into a message naming it, not a sleep (it never decides when
 * the test goes on).
 */
export async function within<T>(ms: number, waiting: Promise<T>, explain: () => Promise<string> | string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void Promise.resolve(explain()).then((message) => reject(new Error(message)), reject);
    }, ms);
  });
  try {
    return await Promise.race([waiting, expired]);
  } finally {
    clearTimeout(timer);
  }
}
