import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { DatabaseReadTimeout, isDatabaseUnavailable } from '../../../src/db/unavailable.js';

/** An error as pg or Node make them: a message, and maybe a code. */
const failure = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('telling a database outage from a failing statement', () => {
  it.each([
    ['a refused connection', failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', failure('read ECONNRESET', 'ECONNRESET')],
    ['a connection exception (class 08)', failure('connection failure', '08006')],
    ['a server shutting down', failure('terminating connection due to administrator command', '57P01')],
    ['a server starting up', failure('the database system is starting up', '57P03')],
    ['a statement timeout', failure('canceling statement due to statement timeout', '57014')],
    ['an idle-in-transaction timeout', failure('terminating connection due to idle-in-transaction timeout', '25P03')],
    ['too many connections', failure('sorry, too many clients already', '53300')],
    ['pg: the connection ended', failure('Connection terminated unexpectedly')],
    ['pg-pool: no free connection in time', failure('timeout exceeded when trying to connect')],
    ['pg-pool: no new connection in time', failure('Connection terminated due to connection timeout')],
    ['the client giving up on an answer', new DatabaseReadTimeout(2_000)],
  ])('%s is an outage', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', failure('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', failure('syntax error at or near "SELEC"', '42601')],
    ['a raised exception', failure('injected: the database failed while recording the attempt', 'P0001')],
    ['a bug', new TypeError('Cannot read properties of undefined')],
    ['a driver text that carries a code of its own', failure('Connection terminated unexpectedly', '23505')],
    ['nothing', undefined],
  ])('%s is not', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('looks through what wraps the driver error: TypeORM, GraphQL execution, causes', () => {
    const driver = failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    const typeorm = new QueryFailedError('SELECT 1', [], driver);
    const located = new GraphQLError('connect ECONNREFUSED', { originalError: typeorm });
    expect(isDatabaseUnavailable(typeorm)).toBe(true);
    expect(isDatabaseUnavailable(located)).toBe(true);
    expect(isDatabaseUnavailable(new Error('while applying', { cause: located }))).toBe(true);
    expect(isDatabaseUnavailable(new GraphQLError('bad', { originalError: failure('duplicate key', '23505') }))).toBe(false);
  });
});
