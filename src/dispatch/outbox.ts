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
import { type GuardedRecord, guardedRecordOf, type RecordGuard } from './record-guard.js';
import { appendDispatchChange } from './dispatch-change.js';

/**
 * The version of the tenant's own connection to the dispatch's provider, read in the
 * statement that claims the dispatch (no statement more per attempt): the attempt
 * sends with it (null: the tenant has none, the environment's account).
 */
const CONNECTION_VERSION = `(SELECT c.version FROM provider_connection c
                              WHERE c.tenant_id = dispatch.tenant_id AND c.provider = dispatch.provider) AS connection_version`;

/** The values of a new dispatch's row: $1–$14 of {@link Outbox.record}'s parameters, the lead ($4) and the payload ($5) as given. */
const dispatchValues = (lead: string, payload: string) => `$1, $2, $3, ${lead}, ${payload}, $6, $7, 'PENDING', $8, $9, $10,
               CASE WHEN $11 THEN now() + make_interval(secs => $12 / 1000.0) END, CASE WHEN $11 THEN $13::uuid END, $14`;

/**
 * A new dispatch, created claimed by its caller when $11 (see {@link Outbox.record}); nothing on a known key.
 * It answers `dispatch` (the row as `json_build_array` of the entity's columns, named: see
 * {@link Outbox.insert}) and the connection's version.
 * `source` is its row: `VALUES (…)`, or a `SELECT` of it from a guard (see {@link guardedInsert}).
 */
const insertDispatch = (dispatchJson: string, source = `VALUES (${dispatchValues('$4', '$5')})`) => `INSERT INTO dispatch (tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state,
                             attempts, max_attempts, run_at, locked_until, lock_token, request_id)
       ${source}
       ON CONFLICT (tenant_id, operation, idempotency_key) DO NOTHING
       RETURNING ${dispatchJson} AS dispatch, ${CONNECTION_VERSION}`;

/** The breaker's CTE: the account's shared breaker row ($15), one row whether or not there is one. */
const BREAKER_CTE = `breaker AS (SELECT ${BREAKER_COLUMNS} FROM (SELECT 1) AS one LEFT JOIN provider_breaker b ON b.provider = $15::text)`;

/**
 * {@link insertDispatch} written only when `guard` (a {@link RecordGuard}'s SQL) finds a
 * record that fits, its lead the intent's ($4) or else the record's, its payload the
 * intent's command ($5) with the members the guard adds, and the breaker read beside
 * it. One row answers whenever the guard found the record: `dispatch` (null when
 * nothing was written: the guard did not fit, or the key is known), the breaker's row,
 * `guard_fits` and `guard_record`.
 */
const guardedInsert = (dispatchJson: string, guard: string) => `WITH guard AS (${guard}),
                ${BREAKER_CTE},
                inserted AS (${insertDispatch(dispatchJson, `SELECT ${dispatchValues('COALESCE($4, guard.lead_id)', '$5::jsonb || guard.payload')} FROM guard WHERE guard.fits`)})
           SELECT inserted.*, row_to_json(breaker) AS breaker, guard.fits AS guard_fits, guard.record AS guard_record
             FROM guard CROSS JOIN breaker LEFT JOIN inserted ON true`;

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

/** How a new dispatch is written: its budget of attempts, and whether its caller claims it (for `leaseMs`) or it waits until `runAt`. */
export interface RecordOptions {
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly claim: boolean;
  readonly runAt: Date;
}

/** A dispatch as {@link Outbox.record} left it: new (claimed by the caller when asked), or the earlier one of a replayed key. */
export interface Recorded {
  readonly dispatch: DispatchEntity;
  readonly claim: Claim | null;
  readonly replay: boolean;
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
  /** The INSERT of {@link insert}, answering the entity's columns by name, in one JSON array. */
  private readonly insertStatement: string;
  /** {@link insertStatement} with the provider's breaker row read beside it. */
  private readonly insertWithBreaker: string;
  /** {@link guardedInsert} of each guard's text, built once (guards are constant texts, a handful). */
  private readonly guardedStatements = new Map<string, string>();

  constructor(
    private readonly db: DataSource,
    /** Names the record of each dispatch in the change log. */
    private readonly registry: ProviderRegistry,
    /** Given the provider's breaker row, read in the statement that writes a new dispatch (its first attempt needs it next). */
    private readonly onBreakerRead?: BreakerReading,
  ) {
    this.rows = new RowMapper(db, DispatchEntity);
    this.insertStatement = insertDispatch(this.rows.jsonArray.sql('dispatch'));
    // Built once: every mutation sends it, and a text built per call is hashed again to find its prepared statement.
    this.insertWithBreaker = `WITH ${BREAKER_CTE},
                inserted AS (${this.insertStatement})
           SELECT inserted.*, row_to_json(breaker) AS breaker FROM inserted, breaker`;
  }

  /**
   * Records the intent, or finds the earlier one with the same key. A new dispatch
   * is created already claimed by the caller (`claimed`), so no poller sends it
   * while the caller makes the first attempt.
   */
  async record(intent: DispatchIntent, options: RecordOptions): Promise<Recorded> {
    const { parameters, key, token } = this.rowOf(intent, options);
    const rows = await this.insert(parameters, options.claim, breakerKey(intent.tenantId, intent.provider));
    return this.recorded(rows[0], intent, key, token, options.claim);
  }

  /**
   * {@link record}, only when `guard` finds the intent's record and it fits (see
   * {@link RecordGuard}), in one statement with the guard's read; null (nothing
   * written) otherwise, with what the guard found. A guard rides on the statement that
   * reads the breaker for a claimed row's first attempt: when that one is not sent (the
   * breaker is open, or its table cannot be read now) the guard is not tried, and
   * answers "not found": the caller takes its full path, as for a record not held.
   */
  async recordGuarded(intent: DispatchIntent, guard: RecordGuard, options: RecordOptions): Promise<{ recorded: Recorded | null; guarded: GuardedRecord }> {
    if (!options.claim || this.onBreakerRead === undefined || !this.breakerReadable) return { recorded: null, guarded: { found: false } };
    const { parameters, key, token } = this.rowOf(intent, options);
    let statement = this.guardedStatements.get(guard.sql);
    if (statement === undefined) this.guardedStatements.set(guard.sql, (statement = guardedInsert(this.rows.jsonArray.sql('dispatch'), guard.sql)));
    const account = breakerKey(intent.tenantId, intent.provider);
    const rows = await this.insertReadingBreaker(statement, [...parameters, account, ...guard.parameters], account);
    if (rows === undefined) return { recorded: null, guarded: { found: false } };
    const row = rows[0];
    const guarded = guardedRecordOf(row);
    if (row === undefined || !guarded.found || !guarded.fits) return { recorded: null, guarded };
    return { recorded: await this.recorded(row.dispatch == null ? undefined : row, intent, key, token, options.claim), guarded };
  }

  /** The parameters $1–$14 of a new dispatch's row (see {@link insertDispatch}), its key and its claim's token. */
  private rowOf(intent: DispatchIntent, options: RecordOptions): { parameters: unknown[]; key: string; token: string } {
    const key = intent.idempotencyKey ?? randomUUID();
    const token = randomUUID();
    const parameters = [
      intent.tenantId, intent.provider, intent.command.operation, intent.leadId, JSON.stringify(intent.command), key,
      intent.requestHash, options.claim ? 1 : 0, options.maxAttempts, options.runAt, options.claim, options.leaseMs, token,
      intent.requestId ?? null,
    ];
    return { parameters, key, token };
  }

  /** The dispatch an INSERT wrote (`row`), or, when it wrote none, the earlier one with the same key: a replay, or a refusal of a key reused with other input. */
  private async recorded(row: Record<string, unknown> | undefined, intent: DispatchIntent, key: string, token: string, claim: boolean): Promise<Recorded> {
    if (row !== undefined) {
      const dispatch = this.rows.jsonArray.map(row.dispatch as unknown[]);
      return { dispatch, claim: claim ? { dispatch, token, connectionVersion: connectionVersionOf(row) } : null, replay: false };
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
   * and answers the entity's columns by name (in one JSON array), never `*`, so a column
   * a migration adds later does not change what a prepared statement returns.
   */
  private async insert(parameters: unknown[], claim: boolean, key: string): Promise<Array<Record<string, unknown>>> {
    if (claim && this.onBreakerRead !== undefined && this.breakerReadable) {
      const rows = await this.insertReadingBreaker(this.insertWithBreaker, [...parameters, key], key);
      if (rows !== undefined) return rows;
    }
    return queryPrepared(this.db.manager, this.insertStatement, parameters);
  }

  /**
   * Runs `statement`, one that writes a dispatch and reads the breaker of account `key`
   * beside it (`breaker`), and hands that row to {@link onBreakerRead}; undefined
   * when the breaker's table cannot be read (it is not asked again for a second).
   */
  private async insertReadingBreaker(statement: string, parameters: unknown[], key: string): Promise<Array<Record<string, unknown>> | undefined> {
    const started = performance.now();
    try {
      const rows = await queryPrepared(this.db.manager, statement, parameters);
      const breaker = rows[0]?.breaker as BreakerRow | undefined;
      if (breaker !== undefined) this.onBreakerRead?.(key, storedBreakerOf(breaker), started);
      return rows;
    } catch (error) {
      if (!isUndefinedTable(error, 'provider_breaker')) throw error;
      this.breakerReadable = false;
      // Tried again with the breaker's next poll, which says when the table is back.
      setTimeout(() => (this.breakerReadable = true), 1_000).unref();
      return undefined;
    }
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

  /**
   * The settled row (`alias`, a `settled` CTE's, or null when it settled none) as one
   * column named `prefix` + `dispatch`, a JSON array of its columns: see {@link settledOf}.
   * One column rather than twenty: `pg` describes and parses every column of every
   * statement it runs, and this one runs with every mutation.
   */
  settledSelectList(alias: string, prefix: string): string {
    return `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE ${this.rows.jsonArray.sql(alias)} END AS "${prefix}dispatch"`;
  }

  /** The settled dispatch of a row selected with {@link settledSelectList}; null when the statement settled none. */
  settledOf(row: Readonly<Record<string, unknown>>, prefix: string): DispatchEntity | null {
    const values = row[`${prefix}dispatch`] as unknown[] | null | undefined;
    return values == null ? null : this.rows.jsonArray.map(values);
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

