import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { assertNever } from '../domain/assert-never.js';
import { GatewayError, type GatewayErrorKind } from '../domain/errors.js';
import { type Logger } from '../logger.js';
import { withoutSuggestions } from './suggestions.js';

/** The `extensions.code` each kind of gateway error is served with. */
export function graphQLCodeOf(kind: GatewayErrorKind): string {
  switch (kind) {
    case 'INVALID_INPUT':
      return ApolloServerErrorCode.BAD_USER_INPUT;
    case 'FORBIDDEN':
      return 'FORBIDDEN';
    case 'RATE_LIMITED':
      return 'RATE_LIMITED';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'IDEMPOTENCY_KEY_REUSED';
    case 'PROVIDER_NOT_CONNECTED':
      return 'PROVIDER_NOT_CONNECTED';
    default:
      return assertNever(kind, 'gateway error kind');
  }
}

/**
 * The answer while the database is down or hung (see `db/unavailable.ts`): HTTP 503
 * with `Retry-After`, WebSocket close 1013 at `connection_init`, and this
 * `extensions.code` wherever an error is shown. An outage, not a bug: try again.
 */
export const SERVICE_UNAVAILABLE = {
  code: 'SERVICE_UNAVAILABLE',
  message: 'The database is unavailable; try again shortly.',
  /** Long enough for a database restart to be noticed (the LISTEN connection retries within a second). */
  retryAfterSeconds: 2,
} as const;

/** Codes Apollo gives to errors in the request itself: safe to show as they are. */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

/**
 * Apollo's `formatError`: gateway errors keep their message and gain a code and the
 * field at fault; request errors pass through (in production without graphql-js's
 * "Did you mean" hints); a database that is down or hung is `SERVICE_UNAVAILABLE`
 * (the HTTP status is set by `http/service-unavailable.ts`: a formatter cannot); anything
 * else is logged in full and
 * answered with a generic message, so no SQL, stack or internal detail reaches a client.
 */
export function createErrorFormatter(logger: Logger, options: { readonly hideSuggestions: boolean }) {
  const shown = options.hideSuggestions ? withoutSuggestions : (message: string) => message;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = {
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
    };
    if (original instanceof GatewayError) {
      return {
        message: original.message,
        ...where,
        extensions: { code: graphQLCodeOf(original.kind), ...(original.field !== undefined && { field: original.field }) },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { message: shown(formatted.message), ...where, extensions: { code } };
    }
    // graphql-js's own verdicts on a request before anything ran (such as "too many errors
    // processing variables") are GraphQLErrors with no path, no original error and no code
    // of their own (Apollo stamps INTERNAL_SERVER_ERROR on the formatted copy only): the
    // request is at fault, not the gateway.
    if (error instanceof GraphQLError && error.originalError == null && error.path === undefined && error.extensions.code === undefined) {
      return { message: shown(formatted.message), ...where, extensions: { code: ApolloServerErrorCode.BAD_USER_INPUT } };
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: original, path: formatted.path }, 'the database is unavailable; answered SERVICE_UNAVAILABLE');
      return {
        message: SERVICE_UNAVAILABLE.message,
        ...where,
        extensions: { code: SERVICE_UNAVAILABLE.code, retryAfter: SERVICE_UNAVAILABLE.retryAfterSeconds },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    return { message: 'Internal server error', ...where, extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
