import { hash, randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { type CallbackGrant } from '../providers/index.js';

/** 256 random bits, base64url: what a token looks like. Anything else is refused without a look-up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Makes a token for the process and stores its hash, inside the caller's transaction
 * (the one that adopted or found the process). Returns the token: it exists only in the
 * URL given to Tecalis, never in the database or a log.
 */
export async function storeCallbackToken(manager: EntityManager, grant: CallbackGrant): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await manager.query(`INSERT INTO verification_callback (token_hash, tenant_id, auth_uuid) VALUES ($1, $2, $3)`, [
    hashToken(token),
    grant.tenantId,
    grant.authUuid,
  ]);
  return token;
}

/**
 * The process a token was issued for, or undefined. The token is compared through its
 * hash, by an index look-up: nothing of the stored value leaks through timing.
 */
export async function findCallbackGrant(db: DataSource, token: string): Promise<CallbackGrant | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const [row] = await db.query<Array<{ tenant_id: string; auth_uuid: string }>>(
    `SELECT tenant_id, auth_uuid FROM verification_callback WHERE token_hash = $1`,
    [hashToken(token)],
  );
  return row === undefined ? undefined : { tenantId: row.tenant_id, authUuid: row.auth_uuid };
}

/** Tokens carry 256 random bits: a fast hash is enough, nothing is left to brute-force (as for API keys). */
function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
