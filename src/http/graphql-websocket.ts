import {
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { type Context } from 'graphql-ws';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { AuthenticationError, type Authenticator } from '../auth/authenticator.js';
import { RateLimited, type RateLimit } from '../auth/rate-limiter.js';
import { type Principal } from '../domain/roles.js';
import { createContext, type Services } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { type QueryLimits } from '../graphql/query-limits.js';
import { type Logger } from '../logger.js';
import { socketOriginAllowed } from './cors.js';
import { DocumentCache } from './document-cache.js';
import { SerializedPayload } from './serialized-payload.js';
import { SharedEventExecution } from './shared-event-execution.js';
import { isBroadcastChange } from '../events/change-hub.js';
import { serveGraphQLOverWebSocket, type WsExtra } from './ws-transport.js';

/** Close codes this server uses beyond the protocol's own (documented in the README). */
export const WS_CLOSE = {
  /** Missing or bad credentials in `connection_init`. */
  UNAUTHENTICATED: 4401,
  /** The gateway is shutting down: reconnect, possibly to another instance. */
  GOING_AWAY: 1001,
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
  readonly maxPayloadBytes: number;
  readonly subscriptionsPerConnection: number;
  /** Operation starts per credential. */
  readonly operationStarts: RateLimit;
  /** Failed authentications per client address. */
  readonly authFailures: RateLimit;
  /** Browser origins allowed to open the socket (besides the gateway's own). */
  readonly corsOrigins: readonly string[];
  readonly logger: Logger;
}

/** What a connection remembers between messages. */
type ConnectionState = { principal: Principal };

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
  const formatError = createErrorFormatter(logger);
  const rules = [...specifiedRules, ...queryLimits.validationRules];
  // Shared by every connection: the same subscription text is parsed and validated once.
  const documents = new DocumentCache(DOCUMENT_CACHE_SIZE);
  // Each change is executed once per distinct operation, not once per subscriber.
  const execution = new SharedEventExecution(isBroadcastChange);
  const payloads = new WeakMap<ExecutionResult, SerializedPayload>();

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
        const header = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        try {
          ctx.extra.principal = await deps.authenticator.authenticate(header);
          return true;
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          await deps.authFailures.hit(ctx.extra.request.socket.remoteAddress ?? 'unknown').catch(() => undefined);
          ctx.extra.socket.close(WS_CLOSE.UNAUTHENTICATED, error.message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx: Context<Record<string, unknown>, WsExtra & Partial<ConnectionState>>, _id, payload) => {
        const principal = ctx.extra.principal;
        if (principal === undefined) return refuse('UNAUTHENTICATED', 'Not authenticated.');
        // ctx.subscriptions already holds this operation.
        if (Object.keys(ctx.subscriptions).length > deps.subscriptionsPerConnection) {
          return refuse(
            'RATE_LIMITED',
            `At most ${deps.subscriptionsPerConnection} operations may be open on one connection.`,
          );
        }
        try {
          await deps.operationStarts.hit(`${principal.credential.kind}:${principal.credential.id}`);
        } catch (error) {
          if (error instanceof RateLimited) {
            return refuse('RATE_LIMITED', error.message, { retryAfter: error.retryAfterSeconds });
          }
          throw error;
        }
        let document = documents.get(payload.query);
        if (document === undefined) {
          try {
            document = parse(payload.query, queryLimits.parseOptions);
          } catch (error) {
            return error instanceof GraphQLError
              ? refuse('GRAPHQL_PARSE_FAILED', error.message)
              : refuse('GRAPHQL_PARSE_FAILED', 'The query could not be parsed.');
          }
          const errors = validate(deps.schema, document, rules);
          if (errors.length > 0) {
            return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
          }
          documents.set(payload.query, document);
        }
        const operation = getOperationAST(document, payload.operationName);
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
        return args;
      },
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
      for (const client of wss.clients) client.close(WS_CLOSE.GOING_AWAY, 'The gateway is shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
