import { GatewayError, invalidInput } from '../domain/errors.js';
import { type Principal, type Role } from '../domain/roles.js';

/** Limits on keys created through the API (the CLI, run by an operator of the machine, has none). */
export interface KeyIssuancePolicy {
  /** Longest lifetime of a key created by a JWT caller, in days (`API_KEY_FROM_JWT_MAX_DAYS`). */
  readonly fromJwtMaxDays: number;
}

/** What a caller asked for. */
export interface KeyRequest {
  readonly role: Role;
  readonly expiresAt?: Date | null;
}

/** The key to create: its expiry, and who created it, for the audit trail. */
export interface KeyIssue {
  readonly expiresAt: Date | null;
  readonly createdBy: string;
}

const DAY_MS = 86_400_000;

/**
 * Decides the expiry of a key `principal` asks for, or refuses. A JWT is short-lived by
 * design; a key is not, so a JWT caller could otherwise turn minutes of access into
 * years: its keys are never `admin` and always expire within `fromJwtMaxDays` (the
 * most, when it names no expiry). An API-key admin may create keys that do not expire.
 */
export function issueKey(principal: Principal, request: KeyRequest, policy: KeyIssuancePolicy, now = new Date()): KeyIssue {
  const createdBy = `${principal.credential.kind}:${principal.credential.id}`;
  const asked = request.expiresAt ?? null;
  if (asked !== null && asked.getTime() <= now.getTime()) throw invalidInput('input.expiresAt', 'a time in the future', asked.toISOString());
  switch (principal.credential.kind) {
    case 'api-key':
      return { expiresAt: asked, createdBy };
    case 'jwt': {
      if (request.role === 'admin') {
        throw new GatewayError('FORBIDDEN', 'A JWT caller cannot create admin keys: use an admin API key or `leadgraph keys create`.', 'input.role');
      }
      const latest = new Date(now.getTime() + policy.fromJwtMaxDays * DAY_MS);
      if (asked !== null && asked > latest) {
        throw invalidInput('input.expiresAt', `a time within ${policy.fromJwtMaxDays} days for a key created with a JWT`, asked.toISOString());
      }
      return { expiresAt: asked ?? latest, createdBy };
    }
  }
}
