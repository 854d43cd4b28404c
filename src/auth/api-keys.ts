import { hash, randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ApiKeyEntity } from '../db/entities/index.js';
import { type Principal, type Role } from '../domain/roles.js';
import { VerifiedKeys } from './verified-keys.js';

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

/** How {@link ApiKeyService} remembers successful checks (see verified-keys.ts). */
export interface ApiKeyCheckOptions {
  /**
   * How long a successful check is trusted before the database is asked again: the bound
   * within which a key revoked elsewhere stops working here. 0 or absent: every check asks.
   */
  readonly trustForMs?: number;
  /** Keys remembered at most (10,000 by default). */
  readonly capacity?: number;
  /** The clock of the remembered checks (tests move it instead of waiting). */
  readonly now?: () => number;
}

/** Keys whose successful checks are remembered at most, by default: far more than any fleet's hot keys. */
const DEFAULT_REMEMBERED_KEYS = 10_000;

/** Creates, checks and revokes API keys. Only SHA-256 hashes are stored. */
export class ApiKeyService {
  private readonly revocationListeners = new Set<(keyId: string) => void>();
  /** Successful checks, when a trust period is set (the gateway's; tools such as the CLI ask every time). */
  private readonly verified: VerifiedKeys | undefined;

  constructor(
    private readonly db: DataSource,
    checks: ApiKeyCheckOptions = {},
  ) {
    if (checks.trustForMs !== undefined && checks.trustForMs > 0) {
      this.verified = new VerifiedKeys({
        trustForMs: checks.trustForMs,
        capacity: checks.capacity ?? DEFAULT_REMEMBERED_KEYS,
        now: checks.now ?? Date.now,
      });
    }
  }

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
    const valid = new Set(rows.map((row) => row.id));
    // What this finds revoked is forgotten by the request checks too, not only by the sockets.
    this.verified?.forgetIds(new Set(ids.filter((id) => !valid.has(id))));
    return valid;
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

  /**
   * The principal of a key this instance checked less than its trust period ago, without
   * asking the database; undefined otherwise (then {@link verify} asks it).
   */
  remembered(key: string): Principal | undefined {
    if (this.verified === undefined || !KEY_SHAPE.test(key)) return undefined;
    return this.verified.get(hashKey(key));
  }

  /**
   * The principal a key stands for, or null for an unknown, malformed, revoked or expired
   * key. A success is remembered for the trust period (never past the key's expiry); a
   * key this instance revokes is forgotten at once.
   */
  async verify(key: string): Promise<Principal | null> {
    if (!KEY_SHAPE.test(key)) return null;
    const keyHash = hashKey(key);
    const known = this.verified?.get(keyHash);
    if (known !== undefined) return known;
    const began = this.verified?.begin();
    // Every request runs this: plain SQL for the columns it needs, not a hydrated entity.
    // The key's remaining lifetime comes from the database's clock, the one STILL_VALID uses.
    const [row] = await this.db.query<Array<{ id: string; tenant_id: string; role: Role; ms_left: number | null }>>(
      `SELECT id, tenant_id, role, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ms_left FROM api_key WHERE key_hash = $1 AND ${STILL_VALID}`,
      [keyHash],
    );
    if (row === undefined) return null;
    const principal: Principal = { tenantId: row.tenant_id, role: row.role, credential: { kind: 'api-key', id: row.id } };
    if (began !== undefined) this.verified?.remember(keyHash, principal, row.ms_left, began);
    return principal;
  }

  /** Revokes a key; with `tenantId`, only that tenant's. Returns the key, or null if there is none to revoke. */
  async revoke(id: string, tenantId?: string): Promise<ApiKeyEntity | null> {
    const repo = this.db.getRepository(ApiKeyEntity);
    const entity = await repo.findOneBy(tenantId === undefined ? { id } : { id, tenantId });
    if (entity === null) return null;
    const newly = entity.revokedAt === null;
    if (newly) {
      entity.revokedAt = new Date();
      await repo.save(entity);
    }
    // Once the revocation is committed, before the answer: from now on this instance asks
    // the database about this key, and a check that began before the commit (whose answer
    // may predate it) is not remembered.
    this.verified?.forget(entity.keyHash);
    if (newly) for (const listener of this.revocationListeners) listener(entity.id);
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
  return hash('sha256', key, 'hex');
}
