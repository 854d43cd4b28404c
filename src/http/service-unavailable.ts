import { type ApolloServerPlugin } from '@apollo/server';
import type http from 'node:http';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { SERVICE_UNAVAILABLE } from '../graphql/errors.js';
import { sendGraphQLError } from './graphql-error-response.js';

/**
 * Answers a request the database could not serve (down or hung) outside Apollo, such
 * as while checking an API key: 503, `Retry-After`, `SERVICE_UNAVAILABLE`. Clients
 * and load balancers read it as "try again later", not as a bug.
 */
export function sendServiceUnavailable(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Retry-After', String(SERVICE_UNAVAILABLE.retryAfterSeconds));
  sendGraphQLError(req, res, {
    status: 503,
    code: SERVICE_UNAVAILABLE.code,
    message: SERVICE_UNAVAILABLE.message,
    extensions: { retryAfter: SERVICE_UNAVAILABLE.retryAfterSeconds },
  });
}

/**
 * Inside Apollo: an operation that met an unavailable database is answered 503 with
 * `Retry-After` (the error formatter gives it the code). Apollo takes a status only
 * from a thrown error's `extensions.http`, which pg's errors do not carry, and reads it
 * before `formatError` runs, so it is set here, last, from the errors the operation met.
 */
export function serviceUnavailablePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ errors, response }) {
          if (errors?.some((error) => isDatabaseUnavailable(error)) === true) {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(SERVICE_UNAVAILABLE.retryAfterSeconds));
          }
          return Promise.resolve();
        },
      });
    },
  };
}
