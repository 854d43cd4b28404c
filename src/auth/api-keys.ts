import { createHash, randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ApiKeyEntity } from '../db/entities/index.js';
import { type Principal, type Role } from '../domain/roles.js';

/** Every key starts with this, so a leaked key is recognisable (and scannable) for what it is. */
export const API_KEY_PREFIX = 'lgk_';
const KEY_SHAPE = /^lgk_[A-Za-z0-9_-]{43}$/;

/** A key in force: neither revoked nor past its expiry (by the database's clock, one clock for every instance). */
const STILL_VALID = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

/** How a new key is made. */
export interface NewKeyOptions {
  readonly label?: string | null;
  /** Refused after this; absent: never expires. */
  readonly expiresAt?: Date | null;
  /** Who asks, for the audit trail: `api-key:<id>`, `jwt:<subject>` or `cli`. */
  readonly createdBy: string;
}

/** A key as just created: the only moment the key itself exists outside the caller. */
export interface CreatedApiKey {
  readonly entity: ApiKeyEntity;
  /** The key; store it now, it is never shown again. */
  readonly key: string;
}

/** Creates, checks and revokes API keys. Only SHA-256 hashes are stored. */
export class ApiKeyService {
  private readonly revocationListeners = new Set<(keyId: string) => void>();

  constructor(private readonly db: DataSource) {}

  /**
   * Calls `listener` with a key's id whenever this instance revokes it (live WebSockets
   * end at once here; other instances notice on their next check). Returns the unsubscribe.
   */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** Of the given key ids, those still valid (not revoked, not deleted): one statement for any number. */
  async stillValid(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.query<Array<{ id: string }>>(`SELECT id FROM api_key WHERE id = ANY($1::uuid[]) AND ${STILL_VALID}`, [
      ids,
    ]);
    return new Set(rows.map((row) => row.id));
  }

  async create(tenantId: string, role: Role, options: NewKeyOptions): Promise<CreatedApiKey> {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const entity = await this.db.getRepository(ApiKeyEntity).save(
      this.db.getRepository(ApiKeyEntity).create({
        tenantId,
        role,
        label: options.label ?? null,
        keyHash: hashKey(key),
        keyPrefix: key.slice(0, API_KEY_PREFIX.length + 6),
        expiresAt: options.expiresAt ?? null,
        createdBy: options.createdBy,
      }),
    );
    return { entity, key };
  }

  /** The principal a key stands for, or null for an unknown, malformed, revoked or expired key. */
  async verify(key: string): Promise<Principal | null> {
    if (!KEY_SHAPE.test(key)) return null;
    // Every request runs this: plain SQL for the three columns it needs, not a hydrated entity.
    const [row] = await this.db.query<Array<{ id: string; tenant_id: string; role: Role }>>(
      `SELECT id, tenant_id, role FROM api_key WHERE key_hash = $1 AND ${STILL_VALID}`,
      [hashKey(key)],
    );
    if (row === undefined) return null;
    return { tenantId: row.tenant_id, role: row.role, credential: { kind: 'api-key', id: row.id } };
  }

  /** Revokes a key; with `tenantId`, only that tenant's. Returns the key, or null if there is none to revoke. */
  async revoke(id: string, tenantId?: string): Promise<ApiKeyEntity | null> {
    const repo = this.db.getRepository(ApiKeyEntity);
    const entity = await repo.findOneBy(tenantId === undefined ? { id } : { id, tenantId });
    if (entity === null) return null;
    if (entity.revokedAt === null) {
      entity.revokedAt = new Date();
      await repo.save(entity);
      for (const listener of this.revocationListeners) listener(entity.id);
    }
    return entity;
  }

  list(tenantId?: string): Promise<ApiKeyEntity[]> {
    return this.db.getRepository(ApiKeyEntity).find({
      where: tenantId === undefined ? {} : { tenantId },
      order: { createdAt: 'ASC' },
    });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.db.getRepository(ApiKeyEntity).count()) === 0;
  }
}

/** Keys carry 256 random bits: a fast hash is enough, nothing is left to brute-force. */
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
