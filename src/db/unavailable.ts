/**
 * Whether an error means "the database cannot answer now" (down, unreachable, hung,
 * overloaded) rather than "this statement is wrong". The first is the caller's cue to
 * try again later (HTTP 503, WebSocket 1013); the second is a bug or a refusal. One
 * place decides it, from codes and classes, so every edge answers an outage alike.
 */

/** The client gave up waiting for a statement's answer and discarded its connection (see `bounded-client.ts`). */
export class DatabaseReadTimeout extends Error {
  override name = 'DatabaseReadTimeout';
  constructor(readonly afterMs: number) {
    super(`no answer from the database within ${afterMs} ms; the connection was discarded`);
  }
}

/** Node's socket errors: the server could not be reached, or the connection broke. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for "not now": class 08 (connection exception) is matched as a
 * class; these are the others. A statement timeout (57014) is the server being too
 * slow, which is an outage to the caller too (the gateway cancels nothing else).
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
]);

/**
 * pg 8 and pg-pool 3 give these no code, only a fixed text: the connection ended, a
 * connect or a wait for a pooled connection timed out. Matched here and nowhere else.
 */
const DRIVER_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/** Whether `error`, or what it wraps (TypeORM's `driverError`, GraphQL's `originalError`, `cause`), says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  // A few levels: resolver error → GraphQLError → QueryFailedError → pg error → cause.
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof DatabaseReadTimeout) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.has(message) && (code === undefined || code === null)) return true;
    current = wrapped(current);
  }
  return false;
}

function wrapped(error: object): unknown {
  const { driverError, originalError, cause } = error as { driverError?: unknown; originalError?: unknown; cause?: unknown };
  return driverError ?? originalError ?? cause;
}
