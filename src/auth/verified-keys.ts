import { type Principal } from '../domain/roles.js';

/** How long and how many successful key checks are remembered, and by which clock. */
export interface VerifiedKeysOptions {
  /** How long one successful check is trusted: the bound within which a revocation made elsewhere takes effect here. */
  readonly trustForMs: number;
  /** Keys remembered at most; past it, the least recently used is forgotten. */
  readonly capacity: number;
  /** The clock entries age by (tests move it instead of waiting). */
  readonly now: () => number;
}

/** When a check began, for {@link VerifiedKeys.remember}. */
export interface CheckStart {
  readonly generation: number;
  readonly at: number;
}

interface Entry {
  readonly principal: Principal;
  /** When the check stops being trusted: its age limit, or the key's expiry if sooner. */
  readonly until: number;
}

/**
 * Successful API key checks, by the key's SHA-256 (never the key), so a key used for
 * every request costs a database round trip once per `trustForMs` instead of once per
 * request. Only successes are remembered: an unknown, revoked or expired key, or a
 * check the database could not answer, is asked again every time.
 *
 * What the bound means: a key revoked by this instance is forgotten at once
 * ({@link forget}); one revoked elsewhere (another instance, `leadgraph keys revoke`)
 * is refused here at most `trustForMs` after this instance last checked it. A key's
 * expiry is never outlived: an entry ends at the expiry it was read with.
 */
export class VerifiedKeys {
  /** By key hash; Map order is use order (least recent first). */
  private readonly entries = new Map<string, Entry>();
  /**
   * Bumped by every forget: a check that began before a revocation (its answer may
   * predate it) is not remembered after it (see {@link begin}).
   */
  private generation = 0;

  constructor(private readonly options: VerifiedKeysOptions) {}

  /** The principal of a key checked less than its trust period ago, or undefined: check it. */
  get(keyHash: string): Principal | undefined {
    const entry = this.entries.get(keyHash);
    if (entry === undefined) return undefined;
    this.entries.delete(keyHash);
    if (this.options.now() >= entry.until) return undefined;
    this.entries.set(keyHash, entry);
    return entry.principal;
  }

  /** Call before asking the database; hand the result to {@link remember}. */
  begin(): CheckStart {
    return { generation: this.generation, at: this.options.now() };
  }

  /**
   * Remembers a successful check that began at `began` (from {@link begin}).
   * `msLeft`: the key's remaining lifetime by the database's clock, null if it never expires.
   */
  remember(keyHash: string, principal: Principal, msLeft: number | null, began: CheckStart): void {
    if (began.generation !== this.generation) return;
    // Counted from before the question: the database's `now()` was read after it, so the
    // key expires no earlier than this, and the trust period is never stretched by latency.
    const until = began.at + Math.min(this.options.trustForMs, msLeft ?? Number.POSITIVE_INFINITY);
    if (until <= this.options.now()) return;
    this.entries.delete(keyHash);
    this.entries.set(keyHash, { principal, until });
    if (this.entries.size > this.options.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Forgets the key with this hash (this instance revoked it). */
  forget(keyHash: string): void {
    this.generation++;
    this.entries.delete(keyHash);
  }

  /** Forgets the keys with these ids (found revoked or expired by a check of open sockets). */
  forgetIds(keyIds: ReadonlySet<string>): void {
    if (keyIds.size === 0) return;
    this.generation++;
    for (const [keyHash, entry] of this.entries) {
      if (keyIds.has(entry.principal.credential.id)) this.entries.delete(keyHash);
    }
  }

  /** Keys remembered now (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
