import { type Principal } from '../domain/roles.js';
import { AuthenticationError, type Authenticator } from './authenticator.js';
import { RateLimited, type RateLimit, rateLimitKey } from './rate-limiter.js';

/** One address's attempts on this instance. */
interface Line {
  /** Callers between entering and leaving {@link AuthAttempts.authenticate}: the line is dropped at 0. */
  users: number;
  /** Credentials being checked now. */
  inFlight: number;
  /** Failures counted by this line so far: a budget read during one may not show it yet. */
  failures: number;
  /** Attempts waiting for one of those to end. */
  readonly waiting: Array<() => void>;
}

/**
 * The budget of failed authentications per client address (`AUTH_FAILURES_PER_MINUTE`),
 * held when attempts arrive together. A failure is counted once its credential has been
 * found wrong, so attempts checked at the same moment would all find the budget unspent:
 * an address sending a hundred bad keys at once would have every one looked up. Here an
 * address has at most as many credentials being checked at a time, on this instance, as
 * its budget has left; the others wait for one of those to end, and are refused unchecked
 * ({@link RateLimited}) once the attempts before them have used the budget up. An address
 * with budget left is never refused, only made to wait its turn, and a right credential
 * is never counted. Each instance holds its own line: across a fleet the budget can be
 * passed by what the other instances have in flight at that moment, never by the number
 * of attempts.
 */
export class AuthAttempts {
  private readonly lines = new Map<string, Line>();

  constructor(private readonly failures: RateLimit) {}

  /**
   * Runs `authenticate` for `address` once its budget leaves room. Throws
   * {@link RateLimited} (nothing checked) when the budget is used up; counts an
   * {@link AuthenticationError} against the address before rethrowing it, and before
   * the next attempt in line is let through, so that one sees the failure.
   */
  async authenticate<T>(address: string, authenticate: () => Promise<T>): Promise<T> {
    const line = this.lineOf(address);
    try {
      await this.admit(address, line);
      try {
        return await authenticate();
      } catch (error) {
        if (error instanceof AuthenticationError) {
          // Over the budget here only if another instance spent it meanwhile: the verdict stands.
          await this.failures
            .hit(address)
            .catch((limited: unknown) => {
              if (!(limited instanceof RateLimited)) throw limited;
            })
            .finally(() => (line.failures += 1));
        }
        throw error;
      } finally {
        line.inFlight -= 1;
      }
    } finally {
      line.users -= 1;
      if (line.users === 0) this.lines.delete(address);
      // A slot freed, or a refusal the next in line will meet too: either way, its turn.
      line.waiting.shift()?.();
    }
  }

  /**
   * A request's admission: its credential checked as {@link authenticate} checks it, then
   * one hit counted against `requests` under its principal. A key this instance checked
   * recently needs no check and no place in the line (it cannot fail): the address's
   * failure budget is read and the hit counted together, in one round trip to a shared
   * store, refused as {@link authenticate} refuses an address whose budget is spent.
   */
  async admitRequest(address: string, authorization: string | undefined, authenticator: Authenticator, requests: RateLimit): Promise<Principal> {
    const remembered = authenticator.remembered(authorization);
    if (remembered !== undefined) {
      await requests.hitUnlessSpent(rateLimitKey(remembered), this.failures, address);
      return remembered;
    }
    const principal = await this.authenticate(address, () => authenticator.authenticate(authorization));
    await requests.hit(rateLimitKey(principal));
    return principal;
  }

  private lineOf(address: string): Line {
    let line = this.lines.get(address);
    if (line === undefined) {
      line = { users: 0, inFlight: 0, failures: 0, waiting: [] };
      this.lines.set(address, line);
    }
    line.users += 1;
    return line;
  }

  private async admit(address: string, line: Line): Promise<void> {
    for (let waited = false; ; waited = true) {
      // Throws RateLimited once the budget is spent: refused before anything is checked.
      let left: number;
      let failuresSeen: number;
      do {
        failuresSeen = line.failures;
        left = await this.failures.remaining(address);
        // An attempt that failed while this was reading left the in-flight count, and its
        // failure may not be in what was read: read again, or the two would miss it both.
      } while (line.failures !== failuresSeen);
      if (line.inFlight < left) {
        line.inFlight += 1;
        return;
      }
      // One that has waited already keeps its place at the front.
      await new Promise<void>((resolve) => (waited ? line.waiting.unshift(resolve) : line.waiting.push(resolve)));
    }
  }
}
