import { createHash } from 'node:crypto';
import type pg from 'pg';
import { type EntityManager, QueryFailedError } from 'typeorm';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * Runs `text` as a named prepared statement on a connection of `manager`'s pool when
 * `manager` is outside any transaction (its own statement, its own transaction), or as
 * `manager.query` does inside one. For the statements every request sends (a lead with
 * its records, a page, a loader's batch, a dispatch's apply and settlement): PostgreSQL
 * plans one of those in about as long as it runs it, or longer, and a prepared statement
 * is planned once per connection. Each distinct text is its own statement (named by its
 * hash), so a text must carry its values as parameters, never inline; past
 * {@link MAX_PREPARED_TEXTS} texts, a new one runs unprepared, which bounds what each
 * connection holds. A statement whose result changed shape under it (a column added to
 * a table it returns whole, by a migration) is prepared again on that connection.
 */
export async function queryPrepared(manager: EntityManager, text: string, values: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
  if (manager.queryRunner !== undefined) return manager.query<Array<Record<string, unknown>>>(text, [...values]);
  const driver = manager.connection.driver as PostgresDriver;
  const [client, release] = (await driver.obtainMasterConnection()) as [pg.PoolClient, (error?: Error) => void];
  let broken: Error | undefined;
  // The pool listens for a connection's errors only while it is idle: one that breaks in
  // use (the bounded client discards a hung one) would otherwise be an uncaught 'error'
  // event, which ends the process. The statement in flight fails with it anyway.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  // As `manager.query` does: the data source's logger sees every statement (logging, the tests' statement counts).
  const logger = manager.connection.logger;
  logger.logQuery(text, [...values]);
  try {
    const name = nameOf(text);
    if (name === undefined) return (await client.query<Record<string, unknown>>({ text, values: [...values] })).rows;
    try {
      return (await client.query<Record<string, unknown>>({ name, text, values: [...values] })).rows;
    } catch (error) {
      if (!resultTypeChanged(error)) throw error;
      // A migration changed what a `RETURNING *` (or `row.*`) statement answers while this
      // connection held it prepared (another instance migrated first, in a rolling
      // deploy): PostgreSQL refuses to run the old plan. Prepared again, it answers the new shape.
      await client.query(`DEALLOCATE ${client.escapeIdentifier(name)}`);
      // pg remembers which names it parsed on this connection and would send the next
      // call without its Parse: forgotten, the call below prepares it again.
      delete (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements[name];
      return (await client.query<Record<string, unknown>>({ name, text, values: [...values] })).rows;
    }
  } catch (error) {
    // A connection the database dropped or that hung is not handed to the next caller.
    if (isDatabaseUnavailable(error) && error instanceof Error) broken ??= error;
    logger.logQueryError(error instanceof Error ? error : String(error), text, [...values]);
    // Wrapped as `manager.query` wraps it, so one check (`uniqueViolation`, `isDatabaseUnavailable`) reads both.
    throw new QueryFailedError(text, [...values], error as Error);
  } finally {
    client.removeListener('error', onError);
    release(broken);
  }
}

/**
 * How many texts are prepared at most (on each connection that meets them all). The
 * gateway's own texts are a few hundred at most: one per shape of selection a client
 * asks for (which records of a lead, which filters of a page).
 */
export const MAX_PREPARED_TEXTS = 1_000;

const names = new Map<string, string>();

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared (SQLSTATE 0A000). */
function resultTypeChanged(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/** The statement's name: a hash of its text, remembered; undefined (run it unprepared) once {@link MAX_PREPARED_TEXTS} texts have one. */
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `leadgraph-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
