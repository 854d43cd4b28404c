import { type SubscribePayload } from 'graphql-ws/client';
import { describe, isEventId } from './event-id.js';
import { type ResumableRequest } from './types.js';

/** `$after: ID` (or `ID!`) among the document's variable definitions. */
const DECLARES_AFTER = /\$after\s*:\s*ID\b/;

/** Checks a request before anything is sent, with messages that name the field. */
export function checkRequest(request: ResumableRequest<never>): string | undefined {
  if (typeof request.query !== 'string' || !DECLARES_AFTER.test(request.query)) {
    throw new TypeError(`query: expected a subscription declaring \`$after: ID\` (passed on as its root field's \`after\`), but got ${describe(request.query)}`);
  }
  if (request.variables !== undefined && 'after' in request.variables) {
    throw new TypeError('variables.after: expected it as the request\'s own `after` (the client moves it along), but got it among the variables');
  }
  if (request.after !== undefined && !isEventId(request.after)) {
    throw new TypeError(`after: expected a decimal event id, but got ${describe(request.after)}`);
  }
  return request.after;
}

/**
 * The payload handed to graphql-ws once, for the life of the subscription, whose
 * `variables.after` is read at the moment it is sent. graphql-ws keeps the payload it was
 * given and serializes it anew each time it subscribes on a new socket (every reconnect,
 * in its retry loop), so a getter is how each reconnect carries the latest cursor, with
 * no gap between "the socket is back" and "the operation is sent" in which an event could
 * slip by. Without a cursor, `after` is left out altogether (a variable left out is an
 * argument left out).
 */
export function resumePayload(request: ResumableRequest<never>, cursor: () => string | undefined): SubscribePayload {
  const base = { ...request.variables };
  return {
    query: request.query,
    ...(request.operationName !== undefined && { operationName: request.operationName }),
    get variables() {
      const after = cursor();
      return after === undefined ? base : { ...base, after };
    },
  };
}
