import { createHash } from 'node:crypto';
import type pg from 'pg';
import { type EntityManager } from 'typeorm';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * Runs `text` as a named prepared statement on a connection of `manager`'s pool when
 * `manager` is outside any transaction (its own statement, its own transaction), or as
 * `manager.query` does inside one. For the large statements a mutation sends every time
 * (a dispatch's apply and settlement): PostgreSQL plans one of those in about as long as
 * it runs it, and a prepared statement is planned once per connection. Each distinct
 * text is its own statement (named by its hash); their answers name their columns, so a
 * column added to a table later does not change what one returns.
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
  try {
    const result = await client.query<Record<string, unknown>>({ name: nameOf(text), text, values: [...values] });
    return result.rows;
  } catch (error) {
    // A connection the database dropped or that hung is not handed to the next caller.
    if (isDatabaseUnavailable(error) && error instanceof Error) broken ??= error;
    throw error;
  } finally {
    client.removeListener('error', onError);
    release(broken);
  }
}

const names = new Map<string, string>();

/** The statement's name: a hash of its text (remembered: the same few texts come back for every mutation). */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `leadgraph-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < 1_000) names.set(text, name);
  }
  return name;
}
