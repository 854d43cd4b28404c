import {
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  OperationTypeNode,
  getVariableValues,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { type Context } from 'graphql-ws';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { AuthenticationError, type Authenticator } from '../auth/authenticator.js';
import { type ApiKeyService } from '../auth/api-keys.js';
import { RateLimited, type RateLimit, rateLimitKey } from '../auth/rate-limiter.js';
import { type Principal } from '../domain/roles.js';
import { createContext, type GraphQLContext, type Services } from '../graphql/context.js';
import { readStatusHeadFirst } from '../graphql/status-head.js';
import { createErrorFormatter, SERVICE_UNAVAILABLE } from '../graphql/errors.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { withoutSuggestions } from '../graphql/suggestions.js';
import { type QueryLimits } from '../graphql/query-limits.js';
import { type Logger } from '../logger.js';
import { socketOriginAllowed } from './cors.js';
import { DocumentCache } from './document-cache.js';
import { SerializedPayload } from './serialized-payload.js';
import { SharedEventExecution } from './shared-event-execution.js';
import { isBroadcastChange } from '../events/change-hub.js';
import { serveGraphQLOverWebSocket, type WsExtra } from './ws-transport.js';
import { closeReason, CREDENTIAL_CLOSE, SocketCredentialWatch } from './socket-credentials.js';

/** Close codes this server uses beyond the protocol's own (documented in the README). */
export const WS_CLOSE = {
  ...CREDENTIAL_CLOSE,
  /** The gateway is shutting down: reconnect, possibly to another instance. */
  GOING_AWAY: 1001,
  /** The address has used up its authentication failures (graphql-ws's own "too many" code, final for its clients). */
  RATE_LIMITED: 4429,
  /**
   * The database could not check the credential at `connection_init` (RFC 6455's "Try
   * Again Later"): not final, graphql-ws clients retry with their backoff.
   */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Distinct operation texts whose checked documents are kept. */
const DOCUMENT_CACHE_SIZE = 500;

/** What the WebSocket side needs. */
export interface GraphQLWebSocketDeps {
  readonly server: http.Server;
  readonly schema: GraphQLSchema;
  readonly services: Services;
  readonly authenticator: Authenticator;
  readonly queryLimits: QueryLimits;
  /** Production: no introspection and no "Did you mean" hints, as over HTTP. */
  readonly production: boolean;
  readonly maxPayloadBytes: number;
  readonly subscriptionsPerConnection: number;
  /** Queries and mutations per credential: the same budget as over HTTP. */
  readonly requests: RateLimit;
  /** Subscription starts per credential. */
  readonly subscriptionStarts: RateLimit;
  /** Re-checks open sockets' API keys (revocation) and is told of this instance's revocations. */
  readonly apiKeys: Pick<ApiKeyService, 'stillValid' | 'onRevoked'>;
  /** How often open sockets' API keys are re-checked: the revocation bound across instances. */
  readonly credentialCheckMs: number;
  /** Failed authentications per client address. */
  readonly authFailures: RateLimit;
  /** Browser origins allowed to open the socket (besides the gateway's own). */
  readonly corsOrigins: readonly string[];
  readonly logger: Logger;
}

/** What a connection remembers between messages. */
type ConnectionState = {
  principal: Principal;
  /** The credential as sent, checked again before every operation. Never logged. */
  authorization: string | undefined;
};

/** graphql-ws on `/graphql`, sharing the HTTP port; authenticated at `connection_init`. */
export interface GraphQLWebSocket {
  /** Closes every connection with 1001 and stops accepting new ones. */
  close(): Promise<void>;
}

export function attachGraphQLWebSocket(deps: GraphQLWebSocketDeps): GraphQLWebSocket {
  const { logger, queryLimits } = deps;
  const wss = new WebSocketServer({
    server: deps.server,
    path: '/graphql',
    maxPayload: deps.maxPayloadBytes,
    // A browser page on a foreign origin is refused at the upgrade, as it would be over HTTP.
    verifyClient: ({ req }: { req: http.IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      if (socketOriginAllowed(req, deps.corsOrigins)) return done(true);
      deps.logger.warn({ origin: req.headers.origin }, 'WebSocket refused: origin not in CORS_ORIGINS');
      done(false, 403, 'Origin not allowed');
    },
  });
  const formatError = createErrorFormatter(logger, { hideSuggestions: deps.production });
  // Apollo Server adds graphql-js's introspection rule over HTTP when introspection is off.
  const rules = [...specifiedRules, ...queryLimits.validationRules, ...(deps.production ? [NoSchemaIntrospectionCustomRule] : [])];
  // Shared by every connection: the same subscription text is parsed and validated once.
  const documents = new DocumentCache(DOCUMENT_CACHE_SIZE);
  // Each change is executed once per distinct operation, not once per subscriber.
  const execution = new SharedEventExecution(isBroadcastChange);
  const payloads = new WeakMap<ExecutionResult, SerializedPayload>();
  const credentials = new SocketCredentialWatch({ apiKeys: deps.apiKeys, checkIntervalMs: deps.credentialCheckMs, logger });

  const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => [
    new GraphQLError(message, { extensions: { code, ...extensions } }),
  ];

  const disposable = serveGraphQLOverWebSocket<ConnectionState>(
    wss,
    {
      schema: deps.schema,
      subscribe: execution.subscribe,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const fromParams = params.authorization ?? params.Authorization;
        const authorization = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        const tryAgainLater = (error: unknown) => {
          logger.warn({ err: error }, 'could not check a socket credential: the database is unavailable');
          ctx.extra.socket.close(WS_CLOSE.TRY_AGAIN_LATER, `${SERVICE_UNAVAILABLE.code}: ${SERVICE_UNAVAILABLE.message}`);
          return false;
        };
        try {
          await deps.authFailures.check(address);
        } catch (error) {
          if (isDatabaseUnavailable(error)) return tryAgainLater(error);
          if (!(error instanceof RateLimited)) throw error;
          ctx.extra.socket.close(WS_CLOSE.RATE_LIMITED, `RATE_LIMITED: ${error.message}`);
          return false;
        }
        try {
          const principal = await deps.authenticator.authenticate(authorization);
          ctx.extra.principal = principal;
          ctx.extra.authorization = authorization;
          const unwatch = credentials.watch(ctx.extra.socket, principal);
          ctx.extra.socket.once('close', unwatch);
          return true;
        } catch (error) {
          if (isDatabaseUnavailable(error)) return tryAgainLater(error);
          if (!(error instanceof AuthenticationError)) throw error;
          await deps.authFailures.hit(address).catch(() => undefined);
          ctx.extra.socket.close(CREDENTIAL_CLOSE[error.code], closeReason(error.code, error.message));
          return false;
        }
      },
      onSubscribe: async (ctx: Context<Record<string, unknown>, WsExtra & Partial<ConnectionState>>, _id, payload) => {
        if (ctx.extra.principal === undefined) return refuse('UNAUTHENTICATED', 'Not authenticated.');
        // The credential first, as HTTP checks it on every request: a key revoked or a token
        // expired since the connection began ends the connection here, before any work.
        let principal: Principal;
        try {
          principal = await deps.authenticator.authenticate(ctx.extra.authorization);
        } catch (error) {
          // The operation is refused, the socket stays: its next operation may find the database back.
          if (isDatabaseUnavailable(error)) {
            return refuse(SERVICE_UNAVAILABLE.code, SERVICE_UNAVAILABLE.message, { retryAfter: SERVICE_UNAVAILABLE.retryAfterSeconds });
          }
          if (!(error instanceof AuthenticationError)) throw error;
          // The operation's error goes out first (graphql-ws sends it when this returns), then the close.
          const socket = ctx.extra.socket;
          setImmediate(() => socket.close(CREDENTIAL_CLOSE[error.code], closeReason(error.code, error.message)));
          return refuse(error.code, error.message);
        }
        // ctx.subscriptions already holds this operation.
        if (Object.keys(ctx.subscriptions).length > deps.subscriptionsPerConnection) {
          return refuse(
            'RATE_LIMITED',
            `At most ${deps.subscriptionsPerConnection} operations may be open on one connection.`,
          );
        }
        // Parsed before the rate limit, which depends on the operation's type; parsing is
        // bounded by the token limit, and a text that does not parse counts as a request.
        let document = documents.get(payload.query);
        const validated = document !== undefined;
        let parseError: GraphQLError | undefined;
        if (document === undefined) {
          try {
            document = parse(payload.query, queryLimits.parseOptions);
          } catch (error) {
            parseError = new GraphQLError(error instanceof GraphQLError ? error.message : 'The query could not be parsed.', {
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            });
          }
        }
        const operation = document === undefined ? null : getOperationAST(document, payload.operationName);
        // Queries and mutations share the HTTP request budget; only subscriptions spend the start budget.
        const budget = operation?.operation === OperationTypeNode.SUBSCRIPTION ? deps.subscriptionStarts : deps.requests;
        try {
          await budget.hit(rateLimitKey(principal));
        } catch (error) {
          if (error instanceof RateLimited) {
            return refuse('RATE_LIMITED', error.message, { retryAfter: error.retryAfterSeconds });
          }
          throw error;
        }
        if (document === undefined) return [parseError ?? new GraphQLError('The query could not be parsed.')];
        if (!validated) {
          const errors = validate(deps.schema, document, rules);
          if (errors.length > 0) {
            return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
          }
          documents.set(payload.query, document);
        }
        if (operation == null) return refuse('OPERATION_RESOLUTION_FAILURE', 'Unable to identify the operation to run.');
        // Coerce variables here, as Apollo does over HTTP, so a bad value is the caller's error, not ours.
        const coerced = getVariableValues(deps.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
        if (coerced.errors !== undefined) {
          return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }));
        }
        const args: ExecutionArgs = {
          schema: deps.schema,
          document,
          ...(payload.operationName != null && { operationName: payload.operationName }),
          variableValues: payload.variables ?? {},
          // A fresh context per operation: DataLoaders never outlive the operation that filled them.
          contextValue: createContext(deps.services, principal, logger, {
            close: (code, reason) => ctx.extra.socket.close(code, reason),
          }),
        };
        execution.share(args, principal, coerced.coerced);
        await readStatusHeadFirst(args.contextValue as GraphQLContext, operation, document);
        return args;
      },
      // An operation refused before it ran (parse, validation, variables, limits): its errors
      // keep their codes, without the schema hints production hides over HTTP too.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => {
          const formatted = error.toJSON();
          return deps.production ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;
        }),
      // Results go through the same formatter as HTTP: codes added, internal details removed.
      // A result shared by many subscribers (see shared-event-execution.ts) is formatted
      // and serialized once.
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) => {
        const format = () =>
          result.errors === undefined ? result : { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
        // A result for one subscriber (a replayed row) is serialized by graphql-ws as usual.
        if (!execution.isShared(result)) return format();
        let payload = payloads.get(result);
        if (payload === undefined) {
          payload = new SerializedPayload(JSON.stringify(format()));
          payloads.set(result, payload);
        }
        // graphql-ws serializes whatever `onNext` returns; this one serializes as its JSON.
        return payload as unknown as FormattedExecutionResult;
      },
    },
    logger,
  );

  return {
    async close() {
      credentials.stop();
      for (const client of wss.clients) client.close(WS_CLOSE.GOING_AWAY, 'The gateway is shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
