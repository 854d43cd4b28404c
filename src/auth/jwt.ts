import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type AuthConfig } from '../config.js';
import { isRole, type Principal, requireTenantId } from '../domain/roles.js';
import { GatewayError } from '../domain/errors.js';

/** Why a token was refused; safe to show the caller. */
export class TokenRefused extends Error {
  override name = 'TokenRefused';
  constructor(
    message: string,
    /** The token was good once and has expired: the client should get a fresh one. */
    readonly expired = false,
  ) {
    super(message);
  }
}

/** Verifies JWTs (HS256 with a shared secret, or the keys of a JWKS URL) and reads tenant and role from claims. */
export class JwtVerifier {
  private constructor(
    private readonly key: Uint8Array | JWTVerifyGetKey,
    private readonly algorithms: string[],
    private readonly config: AuthConfig,
  ) {}

  /** A verifier for the configuration, or undefined when JWTs are not configured. */
  static fromConfig(config: AuthConfig): JwtVerifier | undefined {
    if (config.jwtSecret !== undefined) {
      return new JwtVerifier(new TextEncoder().encode(config.jwtSecret.reveal()), ['HS256'], config);
    }
    if (config.jwtJwksUrl !== undefined) {
      // Asymmetric only: accepting HS* here would let a public key be used as an HMAC secret.
      return new JwtVerifier(createRemoteJWKSet(config.jwtJwksUrl), ['RS256', 'PS256', 'ES256', 'EdDSA'], config);
    }
    return undefined;
  }

  async verify(token: string): Promise<Principal> {
    // Before any decoding: a header's worth of token is plenty, and bigger ones only cost.
    if (token.length > MAX_TOKEN_BYTES) throw new TokenRefused(`the token is longer than ${MAX_TOKEN_BYTES} bytes`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        requiredClaims: ['exp'],
        clockTolerance: this.config.jwtClockSkewSeconds,
        ...(this.config.jwtType !== undefined && { typ: this.config.jwtType }),
        ...(this.config.jwtIssuer !== undefined && { issuer: this.config.jwtIssuer }),
        ...(this.config.jwtAudience !== undefined && { audience: this.config.jwtAudience }),
      }));
    } catch (error) {
      throw new TokenRefused(reasonOf(error), error instanceof errors.JWTExpired);
    }
    checkLifetime(payload, this.config);
    const tenant = payload[this.config.jwtTenantClaim];
    const role = payload[this.config.jwtRoleClaim];
    if (typeof tenant !== 'string') throw new TokenRefused(`the token has no "${this.config.jwtTenantClaim}" claim`);
    try {
      requireTenantId(tenant, this.config.jwtTenantClaim);
    } catch (error) {
      if (error instanceof GatewayError) throw new TokenRefused(`the token's "${this.config.jwtTenantClaim}" claim is not a tenant id`);
      throw error;
    }
    if (!isRole(role)) {
      throw new TokenRefused(`the token's "${this.config.jwtRoleClaim}" claim must be viewer, operator or admin`);
    }
    return {
      tenantId: tenant,
      role,
      credential: {
        kind: 'jwt',
        id: typeof payload.sub === 'string' ? payload.sub : tenant,
        // The moment this gateway stops accepting it (`exp` plus the tolerated skew), so a live
        // socket ends exactly when a new request with the token would be refused.
        expiresAt: (payload.exp! + this.config.jwtClockSkewSeconds) * 1000,
      },
    };
  }
}

/** The longest token accepted, in bytes (all ASCII): 8 KiB, the usual header limit of proxies. */
export const MAX_TOKEN_BYTES = 8192;

/**
 * What jose does not check: `iat` in the future (beyond the skew), and a lifetime over
 * the maximum, counted from `iat` and from now, so neither a token minted for a
 * century nor one dated ahead to stretch its life gets through. `exp` is present
 * (jose's `requiredClaims`); `nbf` is checked by jose.
 */
function checkLifetime(payload: JWTPayload, config: AuthConfig): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp!;
  const skew = config.jwtClockSkewSeconds;
  const max = config.jwtMaxLifetimeSeconds;
  if (payload.iat !== undefined && payload.iat > now + skew) throw new TokenRefused('the token\'s "iat" claim is in the future');
  if (exp - (payload.iat ?? now) > max || exp - now > max + skew) {
    throw new TokenRefused(`the token lives longer than ${max} s, the most this gateway accepts`);
  }
}

/** jose's error classes, as short reasons that reveal nothing about keys. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') return `the token has no "${error.claim}" claim`;
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'typ') return 'the token\'s "typ" header is not the one accepted';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no published key matches the token';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError && error.code === 'ERR_JWKS_INVALID') {
    return 'the token could not be checked against the published keys';
  }
  return 'the token is not a valid JWT';
}
