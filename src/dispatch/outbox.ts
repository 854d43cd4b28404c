import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { DispatchEntity, type StoredProviderError } from '../db/entities/index.js';
import { queryPrepared } from '../db/prepared-statement.js';
import { RowMapper } from '../db/row-mapper.js';
import { GatewayError } from '../domain/errors.js';
import { DispatchState } from '../domain/vocabulary.js';
import { appendChangesStatement, type StatusChangeDraft } from '../events/status-change-log.js';
import { type CommandLike, type ProviderId, type ProviderRegistry } from '../providers/index.js';
import { BREAKER_COLUMNS, type BreakerRow, type StoredBreaker, storedBreakerOf } from './breaker-store.js';
import { ENVIRONMENT_TENANT } from '../connections/provider-accounts.js';
import { breakerKey, breakerKeySql } from './breaker-key.js';
import { appendDispatchChange } from './dispatch-change.js';

/**
 * The version of the tenant's own connection to the dispatch's provider, read in the
 * statement that claims the dispatch (no statement more per attempt): the attempt
 * sends with it (null: the tenant has none, the environment's account).
 */
const CONNECTION_VERSION = `(SELECT c.version FROM provider_connection c
                              WHERE c.tenant_id = dispatch.tenant_id AND c.provider = dispatch.provider) AS connection_version`;

/**
 * A new dispatch, created claimed by its caller when $11 (see {@link Outbox.record}); nothing on a known key.
 * It answers `columns` (the entity's, named: see {@link Outbox.insert}) and the connection's version.
 */
const insertDispatch = (columns: string) => `INSERT INTO dispatch (tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state,
                             attempts, max_attempts, run_at, locked_until, lock_token, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $9, $10,
               CASE WHEN $11 THEN now() + make_interval(secs => $12 / 1000.0) END, CASE WHEN $11 THEN $13::uuid END, $14)
       ON CONFLICT (tenant_id, operation, idempotency_key) DO NOTHING
       RETURNING ${columns}, ${CONNECTION_VERSION}`;

function connectionVersionOf(row: Record<string, unknown>): number | null {
  return typeof row.connection_version === 'number' ? row.connection_version : null;
}

/** Whether `error` (pg's, or TypeORM's wrapping it) is PostgreSQL's "relation does not exist" (42P01) about `table`. */
function isUndefinedTable(error: unknown, table: string): boolean {
  const wrapped = error as { driverError?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown } | null;
  const pgError = wrapped?.driverError ?? wrapped;
  return pgError?.code === '42P01' && typeof pgError.message === 'string' && pgError.message.includes(`"${table}"`);
}

/** A call to make, as a mutation asks for it. */
export interface DispatchIntent {
  readonly tenantId: string;
  readonly provider: ProviderId;
  readonly command: CommandLike;
  readonly leadId: string | null;
  /** The caller's key, or undefined to make one. */
  readonly idempotencyKey: string | undefined;
  /** Hash of the caller's whole input: same key and same hash is a replay. */
  readonly requestHash: string;
  /** The HTTP request that asked for it, so its retries log the same id. */
  readonly requestId?: string;
}

/** A dispatch this instance holds: it may call the provider and record the outcome. */
export interface Claim {
  readonly dispatch: DispatchEntity;
  readonly token: string;
  /** The version of the tenant's connection to the provider when claimed; null: none (the environment's account). */
  readonly connectionVersion: number | null;
}

/** Receives the account's shared breaker row (by `breakerKey`) as a statement of the outbox read it (see {@link Outbox.record}). */
export type BreakerReading = (key: string, stored: StoredBreaker & { readonly now: number }, readStartedAt: number) => void;

/** The outbox table: every state change of a dispatch is one guarded statement here. */
export class Outbox {
  /** Rows of raw statements (`RETURNING *`) as entities, as TypeORM's `find` makes them. */
  private readonly rows: RowMapper<DispatchEntity>;
  /** False once the breaker table could not be read with a new row: rows are then written alone until it can again. */
  private breakerReadable = true;
  /** The INSERT of {@link insert}, answering the entity's columns by name. */
  private readonly insertStatement: string;
  /** {@link insertStatement} with the provider's breaker row read beside it. */
  private readonly insertReadingBreaker: string;

  constructor(
    private readonly db: DataSource,
    /** Names the record of each dispatch in the change log. */
    private readonly registry: ProviderRegistry,
    /** Given the provider's breaker row, read in the statement that writes a new dispatch (its first attempt needs it next). */
    private readonly onBreakerRead?: BreakerReading,
  ) {
    this.rows = new RowMapper(db, DispatchEntity);
    this.insertStatement = insertDispatch(this.rows.selectList);
    // Built once: every mutation sends it, and a text built per call is hashed again to find its prepared statement.
    this.insertReadingBreaker = `WITH breaker AS (SELECT ${BREAKER_COLUMNS} FROM (SELECT 1) AS one LEFT JOIN provider_breaker b ON b.provider = $15::text),
                inserted AS (${this.insertStatement})
           SELECT inserted.*, row_to_json(breaker) AS breaker FROM inserted, breaker`;
  }

  /**
   * Records the intent, or finds the earlier one with the same key. A new dispatch
   * is created already claimed by the caller (`claimed`), so no poller sends it
   * while the caller makes the first attempt.
   */
  async record(
    intent: DispatchIntent,
    options: { maxAttempts: number; leaseMs: number; claim: boolean; runAt: Date },
  ): Promise<{ dispatch: DispatchEntity; claim: Claim | null; replay: boolean }> {
    const key = intent.idempotencyKey ?? randomUUID();
    const token = randomUUID();
    const parameters = [
      intent.tenantId, intent.provider, intent.command.operation, intent.leadId, JSON.stringify(intent.command), key,
      intent.requestHash, options.claim ? 1 : 0, options.maxAttempts, options.runAt, options.claim, options.leaseMs, token,
      intent.requestId ?? null,
    ];
    const rows = await this.insert(parameters, options.claim, breakerKey(intent.tenantId, intent.provider));
    if (rows[0] !== undefined) {
      const dispatch = this.rows.map(rows[0]);
      return { dispatch, claim: options.claim ? { dispatch, token, connectionVersion: connectionVersionOf(rows[0]) } : null, replay: false };
    }
    const existing = await this.db.getRepository(DispatchEntity).findOneByOrFail({
      tenantId: intent.tenantId,
      operation: intent.command.operation,
      idempotencyKey: key,
    });
    if (existing.requestHash !== intent.requestHash) {
      throw new GatewayError(
        'IDEMPOTENCY_KEY_REUSED',
        `input.idempotencyKey: the key "${key}" was used with other input for ${intent.command.operation}; use a new key for a new request`,
        'input.idempotencyKey',
      );
    }
    return { dispatch: existing, claim: null, replay: true };
  }

  /**
   * The INSERT of {@link record}. A claimed row's first attempt reads the provider's
   * shared breaker before it calls: that row is read here, in the same statement (one
   * round trip less per mutation), and handed to {@link onBreakerRead}. The breaker's
   * table is never what fails a mutation: while it cannot be read the row is written
   * alone, and the attempt reads the breaker itself, as it then would anyway.
   *
   * Every mutation sends it: it is prepared once per connection (`db/prepared-statement.ts`),
   * and answers the entity's columns by name, never `*`, so a column a migration adds
   * later does not change what a prepared statement returns.
   */
  private async insert(parameters: unknown[], claim: boolean, key: string): Promise<Array<Record<string, unknown>>> {
    if (claim && this.onBreakerRead !== undefined && this.breakerReadable) {
      const started = performance.now();
      try {
        const rows = await queryPrepared(this.db.manager, this.insertReadingBreaker, [...parameters, key]);
        const breaker = rows[0]?.breaker as BreakerRow | undefined;
        if (breaker !== undefined) this.onBreakerRead(key, storedBreakerOf(breaker), started);
        return rows;
      } catch (error) {
        if (!isUndefinedTable(error, 'provider_breaker')) throw error;
        this.breakerReadable = false;
        // Tried again with the breaker's next poll, which says when the table is back.
        setTimeout(() => (this.breakerReadable = true), 1_000).unref();
      }
    }
    return queryPrepared(this.db.manager, this.insertStatement, parameters);
  }

  /** Claims up to `limit` due dispatches, skipping rows other instances hold, and accounts whose breaker is open (by `breakerKey`). */
  async claimDue(limit: number, leaseMs: number, heldBack: readonly string[]): Promise<Claim[]> {
    const token = randomUUID();
    // TypeORM answers an UPDATE with [rows, count].
    const [rows] = await this.db.query<[Array<Record<string, unknown>>, number]>(
      `UPDATE dispatch SET locked_until = now() + make_interval(secs => $2 / 1000.0), lock_token = $3,
                           attempts = attempts + 1, updated_at = now()
        WHERE id IN (SELECT id FROM dispatch
                      WHERE state = 'PENDING' AND run_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                        AND ${breakerKeySql('$5')} <> ALL($4::text[])
                      ORDER BY run_at
                      LIMIT $1
                      FOR UPDATE SKIP LOCKED)
        RETURNING *, ${CONNECTION_VERSION}`,
      [limit, leaseMs, token, heldBack, ENVIRONMENT_TENANT],
    );
    return rows.map((row) => ({ dispatch: this.rows.map(row), token, connectionVersion: connectionVersionOf(row) }));
  }

  /**
   * Marks the dispatch SUCCEEDED inside `manager`'s transaction, only from PENDING, and
   * appends `changes` to the status-change log in the same statement (the tenant's log
   * lock taken only when the dispatch was settled here); returns the dispatch as it now
   * is (the waiting mutation answers with it, without reading it again), or null when
   * it was already settled: nothing is then appended, and the caller rolls back
   * whatever it wrote in the transaction.
   */
  async settleSucceeded(
    manager: EntityManager,
    dispatch: DispatchEntity,
    /** The result as stored (`storedResultJson`). */
    resultJson: string,
    changes: readonly StatusChangeDraft[],
  ): Promise<DispatchEntity | null> {
    const settled = this.settledCte(dispatch, resultJson, 1);
    const append = appendChangesStatement(dispatch.tenantId, changes, 1 + settled.parameters.length, 'settled');
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `WITH ${settled.sql},
       ${append.ctes}
       SELECT settled.*, notified.sent AS notified FROM settled, notified`,
      [...settled.parameters, ...append.parameters],
    );
    const row = rows[0];
    return row === undefined ? null : this.rows.map(row);
  }

  /**
   * The CTE `settled` of a statement that settles `dispatch` SUCCEEDED with `result`,
   * only from PENDING, and only when `condition` holds (a SQL condition over the
   * statement's other CTEs, evaluated before the row is updated: the lock order puts the
   * record's and the lead's rows first). It returns the row as settled, none when it was
   * settled already. Its parameters are numbered from `first`.
   */
  settledCte(dispatch: DispatchEntity, resultJson: string, first: number, condition = 'true'): { sql: string; parameters: unknown[] } {
    return {
      sql: `settled AS (
         UPDATE dispatch SET state = 'SUCCEEDED', result = $${first + 1}, last_error = NULL, locked_until = NULL, lock_token = NULL, updated_at = now()
          WHERE id = $${first} AND state = 'PENDING' AND ${condition}
         RETURNING *)`,
      parameters: [dispatch.id, resultJson],
    };
  }

  /** The select list of a settled row (`alias`, a `settled` CTE's) with its columns renamed `prefix` + name: see {@link settledOf}. */
  settledSelectList(alias: string, prefix: string): string {
    return this.rows.selectAs(alias, prefix);
  }

  /** The settled dispatch of a row selected with {@link settledSelectList}; null when the statement settled none. */
  settledOf(row: Readonly<Record<string, unknown>>, prefix: string): DispatchEntity | null {
    return row[`${prefix}id`] == null ? null : this.rows.map(row, prefix);
  }

  /** Marks the dispatch FAILED for good (a refusal, or the last attempt), and logs its end. */
  async settleFailed(claim: Claim, error: StoredProviderError): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [rows] = await manager.query<[Array<Record<string, unknown>>, number]>(
        `UPDATE dispatch SET state = 'FAILED', last_error = $3, locked_until = NULL, lock_token = NULL, updated_at = now()
          WHERE id = $1 AND state = 'PENDING' AND lock_token = $2
          RETURNING *`,
        [claim.dispatch.id, claim.token, JSON.stringify(error)],
      );
      if (rows[0] !== undefined) await appendDispatchChange(manager, this.registry, this.rows.map(rows[0]), DispatchState.PENDING, DispatchState.FAILED);
    });
  }

  /** Schedules the next attempt and releases the claim. */
  async scheduleRetry(claim: Claim, error: StoredProviderError | null, runAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE dispatch SET run_at = $3, last_error = COALESCE($4, last_error), locked_until = NULL, lock_token = NULL,
                           updated_at = now()
        WHERE id = $1 AND state = 'PENDING' AND lock_token = $2`,
      [claim.dispatch.id, claim.token, runAt, error === null ? null : JSON.stringify(error)],
    );
  }

  /** Gives a claimed attempt back without counting it (the breaker held the call back). */
  async release(claim: Claim, runAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE dispatch SET run_at = $3, attempts = GREATEST(attempts - 1, 0), locked_until = NULL, lock_token = NULL,
                           updated_at = now()
        WHERE id = $1 AND state = 'PENDING' AND lock_token = $2`,
      [claim.dispatch.id, claim.token, runAt],
    );
  }

  /** FAILED → PENDING with its original key and a fresh budget of attempts; null when it is not FAILED (or not found). */
  async requeue(tenantId: string, id: string, maxAttempts: number): Promise<DispatchEntity | null> {
    return this.db.transaction(async (manager) => {
      const [rows] = await manager.query<[Array<Record<string, unknown>>, number]>(
        `UPDATE dispatch SET state = 'PENDING', run_at = now(), max_attempts = attempts + $3, locked_until = NULL,
                             lock_token = NULL, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND state = 'FAILED'
          RETURNING *`,
        [tenantId, id, maxAttempts],
      );
      if (rows[0] === undefined) return null;
      const dispatch = this.rows.map(rows[0]);
      await appendDispatchChange(manager, this.registry, dispatch, DispatchState.FAILED, DispatchState.PENDING);
      return dispatch;
    });
  }

  find(tenantId: string, id: string): Promise<DispatchEntity | null> {
    return this.db.getRepository(DispatchEntity).findOneBy({ tenantId, id });
  }

  /** Pending dispatches, and how long the oldest has waited (for health and metrics). */
  async depth(): Promise<{ pending: number; oldestPendingSeconds: number | null }> {
    const [row] = await this.db.query<Array<{ pending: string; oldest: number | null }>>(
      `SELECT count(*) AS pending, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
         FROM dispatch WHERE state = 'PENDING'`,
    );
    return { pending: Number(row?.pending ?? 0), oldestPendingSeconds: row?.oldest ?? null };
  }
}

