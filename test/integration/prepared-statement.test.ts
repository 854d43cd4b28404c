import { randomUUID } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/db/data-source.js';
import { MAX_PREPARED_TEXTS, queryPrepared } from '../../src/db/prepared-statement.js';
import { LeadStore } from '../../src/services/lead-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { SqlCounter } from '../support/sql-counter.js';

/** What `pg_prepared_statements` says of the one connection's statements whose text holds `fragment`. */
interface PreparedRow {
  statement: string;
  executions: number;
}

describe('statements the read paths send, prepared once per connection', () => {
  let database: TestDatabase;
  let db: DataSource;
  const counter = new SqlCounter();

  /** The pool's only connection's prepared statements holding `fragment`, and how often each ran (PostgreSQL 14+). */
  async function prepared(fragment: string): Promise<PreparedRow[]> {
    // Unprepared (`db.query`), so that asking adds no statement of its own.
    const rows = await db.query<Array<{ statement: string; executions: string }>>(
      `SELECT statement, (generic_plans + custom_plans)::text AS executions FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'`,
      [fragment],
    );
    return rows.map((row) => ({ statement: row.statement, executions: Number(row.executions) }));
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: every statement below meets the same session, whose prepared statements are what is checked.
    db = createDataSource({ url: database.url, poolSize: 1, logger: counter });
    await db.initialize();
    await db.runMigrations();
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('prepares a lead read once, then runs it again without a new parse', async () => {
    const leads = new LeadStore(db);
    const tenantId = randomUUID();
    expect(await leads.findById(tenantId, randomUUID())).toBeNull();
    expect(await leads.findById(tenantId, randomUUID())).toBeNull();
    const [statement, ...others] = await prepared('FROM lead WHERE tenant_id = $1 AND id = $2');
    expect(others).toEqual([]);
    expect(statement?.executions).toBe(2);
  });

  it('is seen by the data source\'s logger, as `manager.query` is (the N+1 check counts what it sees)', async () => {
    counter.reset();
    await queryPrepared(db.manager, 'SELECT $1::int AS one', [1]);
    expect(counter.statements).toEqual(['SELECT $1::int AS one']);
  });

  it('runs inside a transaction as `manager.query` does, on the transaction\'s connection, unprepared', async () => {
    await db.transaction(async (manager) => {
      const rows = await queryPrepared(manager, 'SELECT $1::text AS inside_a_transaction', ['yes']);
      expect(rows).toEqual([{ inside_a_transaction: 'yes' }]);
    });
    expect(await prepared('AS inside_a_transaction')).toEqual([]);
  });

  it('fails as `manager.query` fails: a QueryFailedError wrapping the driver\'s error', async () => {
    const failure = await queryPrepared(db.manager, 'SELECT $1::uuid AS id', ['not a uuid']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).driverError).toMatchObject({ code: '22P02' });
    // The connection is still in the pool and answers.
    expect(await queryPrepared(db.manager, 'SELECT $1::int AS after_a_failure', [2])).toEqual([{ after_a_failure: 2 }]);
  });

  it('prepares again a statement whose result a migration widened while the connection held it (a rolling deploy)', async () => {
    await db.query(`CREATE TABLE widening (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO widening (id) VALUES (1)`);
    const read = () => queryPrepared(db.manager, 'UPDATE widening SET id = id WHERE id = $1 RETURNING *', [1]);
    expect(await read()).toEqual([{ id: 1 }]);
    // What another instance's migration does meanwhile.
    await db.query(`ALTER TABLE widening ADD COLUMN added text NOT NULL DEFAULT 'new'`);
    expect(await read()).toEqual([{ id: 1, added: 'new' }]);
    expect(await read()).toEqual([{ id: 1, added: 'new' }]);
  });

  // Last: it fills the process's table of names, which the tests above rely on being free.
  it(`prepares at most ${MAX_PREPARED_TEXTS} texts; past them a new text runs unprepared and still answers`, async () => {
    for (let n = 0; n <= MAX_PREPARED_TEXTS; n++) {
      expect(await queryPrepared(db.manager, `SELECT $1::int + ${n} AS filling`, [1])).toEqual([{ filling: 1 + n }]);
    }
    // Every text named so far (the tests above too) is prepared on this one connection, and no more.
    expect((await prepared('')).length).toBe(MAX_PREPARED_TEXTS);
    expect((await prepared(`+ ${MAX_PREPARED_TEXTS} AS filling`)).length).toBe(0);
    expect((await prepared(`+ 0 AS filling`)).length).toBe(1);
  });
});
