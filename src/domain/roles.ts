import { invalidInput } from './errors.js';

/** What a caller may do; each role includes the ones before it. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `held` includes everything `required` allows. */
export function roleAllows(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Tenant ids: short, lower-case, safe in logs and URLs. */
const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The tenant every single-tenant installation uses. */
export const DEFAULT_TENANT = 'default';

/** Whether `value` has the shape of a tenant id. */
export function isTenantId(value: string): boolean {
  return TENANT_ID.test(value);
}

export function requireTenantId(value: string, field: string): string {
  if (!TENANT_ID.test(value)) {
    throw invalidInput(field, 'a tenant id: 1 to 63 of a-z, 0-9, "_" and "-", starting with a letter or digit', value);
  }
  return value;
}

/** Who is calling: established once per request or WebSocket connection. */
export interface Principal {
  readonly tenantId: string;
  readonly role: Role;
  /** How the caller proved who it is, and which key or token subject it was (for logs and rate limits). */
  readonly credential: {
    readonly kind: 'api-key' | 'jwt';
    readonly id: string;
    /** When the credential stops being valid (a JWT's `exp`, epoch milliseconds); a live WebSocket is closed then. */
    readonly expiresAt?: number;
  };
}
