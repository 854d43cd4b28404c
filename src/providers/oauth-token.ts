/** A bearer token and when it stops working. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

/**
 * Caches an OAuth2 client-credentials token: one token request for many calls,
 * renewed shortly before it expires, and dropped when the provider answers 401.
 * Concurrent callers share one in-flight token request.
 */
export class TokenCache {
  private current: { token: string; expiresAt: number; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly requestToken: () => Promise<IssuedToken>,
    /** Renew this long before expiry, so a token never expires mid-call. */
    private readonly renewBeforeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current !== undefined && this.now() < this.current.renewAt) return this.current.token;
    this.pending ??= this.requestToken()
      .then((issued) => {
        const lifetimeMs = issued.expiresInSeconds * 1000;
        const issuedAt = this.now();
        // Short-lived tokens renew at half their life, so the margin never swallows the whole token.
        const margin = Math.min(this.renewBeforeMs, lifetimeMs / 2);
        this.current = { token: issued.accessToken, expiresAt: issuedAt + lifetimeMs, renewAt: issuedAt + lifetimeMs - margin };
        return issued.accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets `token` if it is still the cached one (another caller may have renewed it already). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  /**
   * Runs `call` with a token; if the provider answers 401, renews the token once and
   * tries again (a token can be revoked or rotated before its announced expiry).
   */
  async withToken<T extends { status: number }>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    const first = await call(token);
    if (first.status !== 401) return first;
    this.invalidate(token);
    return call(await this.get());
  }
}
