import { API_KEY_PREFIX, type ApiKeyService } from './api-keys.js';
import { type JwtVerifier, TokenRefused } from './jwt.js';
import { type Principal } from '../domain/roles.js';

/**
 * Why a credential was refused, as the stable `extensions.code`: `TOKEN_EXPIRED` for a
 * JWT that was valid and has expired (get a fresh one and retry), `UNAUTHENTICATED` for
 * anything else (missing, malformed, unknown, revoked: retrying will not help).
 */
export type AuthenticationCode = 'UNAUTHENTICATED' | 'TOKEN_EXPIRED';

/** Missing or bad credentials: HTTP 401, WebSocket close 4401 (4419 when expired). The message is safe to show. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(
    message: string,
    readonly code: AuthenticationCode = 'UNAUTHENTICATED',
  ) {
    super(message);
  }
}

/** Turns an `Authorization` header value into a principal: an API key (`lgk_…`) or a JWT. */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly jwt: JwtVerifier | undefined,
  ) {}

  /**
   * The principal of an API key this instance checked recently (see `verified-keys.ts`),
   * known without a round trip; undefined for anything else, which {@link authenticate}
   * checks (and refuses with the reason).
   */
  remembered(authorization: string | undefined): Principal | undefined {
    const credential = authorization === undefined ? undefined : credentialOf(authorization);
    return credential?.startsWith(API_KEY_PREFIX) === true ? this.apiKeys.remembered(credential) : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationError('Authentication required: send "Authorization: Bearer <API key or JWT>".');
    }
    const credential = credentialOf(authorization);
    if (credential === undefined) {
      throw new AuthenticationError('The Authorization header must be "Bearer <API key or JWT>".');
    }
    if (credential.startsWith(API_KEY_PREFIX)) {
      const principal = await this.apiKeys.verify(credential);
      if (principal === null) throw new AuthenticationError('The API key is not valid, or has been revoked.');
      return principal;
    }
    if (this.jwt === undefined) {
      throw new AuthenticationError('The credential is not an API key, and this gateway accepts no JWTs.');
    }
    try {
      return await this.jwt.verify(credential);
    } catch (error) {
      if (error instanceof TokenRefused) {
        throw new AuthenticationError(`The token was refused: ${error.message}.`, error.expired ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED');
      }
      throw error;
    }
  }
}

/** The credential of a `Bearer <credential>` header value; undefined when it is not one. */
function credentialOf(authorization: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}
