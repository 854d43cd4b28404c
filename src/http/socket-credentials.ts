import { type ApiKeyService } from '../auth/api-keys.js';
import { type AuthenticationCode } from '../auth/authenticator.js';
import { type Principal } from '../domain/roles.js';
import { type Logger } from '../logger.js';

/** Close codes for a credential that stopped being valid on an open socket (see the README's table). */
export const CREDENTIAL_CLOSE = {
  /** Missing, bad, unknown or revoked: graphql-ws clients treat it as fatal and do not retry. */
  UNAUTHENTICATED: 4401,
  /** A JWT that has expired: reconnect with a fresh token (graphql-ws clients retry, calling `connectionParams` again). */
  TOKEN_EXPIRED: 4419,
} as const satisfies Record<AuthenticationCode, number>;

/** The part of a socket this needs. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** setTimeout's longest delay; a later expiry is left to the periodic check. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** What {@link SocketCredentialWatch} needs. */
export interface SocketCredentialWatchDeps {
  readonly apiKeys: Pick<ApiKeyService, 'stillValid' | 'onRevoked'>;
  /** How often every API key held by an open socket is checked against the database: the revocation bound across instances. */
  readonly checkIntervalMs: number;
  readonly logger: Logger;
}

/**
 * Ends open WebSockets whose credential stops being valid, so a socket never outlives
 * what HTTP would refuse: a JWT's socket is closed with 4419 when its `exp` passes; an
 * API key's with 4401 at once when this instance revokes it, and within
 * `checkIntervalMs` when another instance (or `leadgraph keys revoke`) does, found by
 * one statement per interval for all the keys this instance's sockets hold.
 */
export class SocketCredentialWatch {
  private readonly watched = new Map<ClosableSocket, { principal: Principal; expiry?: NodeJS.Timeout }>();
  private readonly interval: NodeJS.Timeout;
  private readonly stopListening: () => void;
  private checking = false;

  constructor(private readonly deps: SocketCredentialWatchDeps) {
    this.interval = setInterval(() => void this.checkApiKeys(), deps.checkIntervalMs);
    // The check never holds the process open; shutdown closes the sockets anyway.
    this.interval.unref();
    this.stopListening = deps.apiKeys.onRevoked((keyId) => this.endKey(keyId));
  }

  /** Starts watching a socket authenticated as `principal`; returns the call that stops (on close). */
  watch(socket: ClosableSocket, principal: Principal): () => void {
    const expiresAt = principal.credential.expiresAt;
    const entry: { principal: Principal; expiry?: NodeJS.Timeout } = { principal };
    if (expiresAt !== undefined && expiresAt - Date.now() <= LONGEST_TIMER_MS) {
      entry.expiry = setTimeout(() => this.end(socket, 'TOKEN_EXPIRED'), Math.max(0, expiresAt - Date.now()));
      entry.expiry.unref();
    }
    this.watched.set(socket, entry);
    return () => {
      clearTimeout(entry.expiry);
      this.watched.delete(socket);
    };
  }

  /** Open sockets being watched (for tests and metrics). */
  get size(): number {
    return this.watched.size;
  }

  /**
   * Checks every API key held by an open socket, and every expiry too far out for a
   * timer. A database that cannot answer leaves the sockets open: a revocation is a
   * write to that same database, so none can have happened unseen by it.
   */
  async checkApiKeys(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const now = Date.now();
      const keyIds = new Set<string>();
      for (const [socket, { principal }] of this.watched) {
        const { kind, id, expiresAt } = principal.credential;
        if (expiresAt !== undefined && expiresAt <= now) this.end(socket, 'TOKEN_EXPIRED');
        else if (kind === 'api-key') keyIds.add(id);
      }
      if (keyIds.size === 0) return;
      const valid = await this.deps.apiKeys.stillValid([...keyIds]);
      for (const keyId of keyIds) if (!valid.has(keyId)) this.endKey(keyId);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not check the API keys of open WebSockets; checking again later');
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    clearInterval(this.interval);
    this.stopListening();
    for (const entry of this.watched.values()) clearTimeout(entry.expiry);
    this.watched.clear();
  }

  private endKey(keyId: string): void {
    for (const [socket, { principal }] of this.watched) {
      if (principal.credential.kind === 'api-key' && principal.credential.id === keyId) this.end(socket, 'UNAUTHENTICATED');
    }
  }

  private end(socket: ClosableSocket, code: AuthenticationCode): void {
    const entry = this.watched.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.expiry);
    this.watched.delete(socket);
    this.deps.logger.info(
      { credential: { kind: entry.principal.credential.kind, id: entry.principal.credential.id }, tenantId: entry.principal.tenantId, code },
      'WebSocket closed: its credential is no longer valid',
    );
    socket.close(CREDENTIAL_CLOSE[code], closeReason(code));
  }
}

/** The close reason a client sees (at most 123 bytes): the code first, for clients that only read the reason. */
export function closeReason(code: AuthenticationCode, detail?: string): string {
  return `${code}: ${detail ?? defaultReason(code)}`.slice(0, 123);
}

function defaultReason(code: AuthenticationCode): string {
  switch (code) {
    case 'TOKEN_EXPIRED':
      return 'The token has expired.';
    case 'UNAUTHENTICATED':
      return 'The API key has been revoked.';
  }
}
