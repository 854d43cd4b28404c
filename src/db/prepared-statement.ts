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
 * connection holds. Their answers name their columns, so a column added to a table later
 * does not change what one returns.
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
    const result = await client.query<Record<string, unknown>>(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] });
    return result.rows;
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

/** The statement's name: a hash of its text, remembered; undefined (run it unprepared) once {@link MAX_PREPARED_TEXTS} texts have one. */
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
    name = `leadgraph-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
