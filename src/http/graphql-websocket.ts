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
import { type Context, type SubscribePayload } from 'graphql-ws';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { type AuthAttempts } from '../auth/auth-attempts.js';
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
import { type CheckedOperation, type GraphQLOperationObserver, SocketOperationMetrics } from '../observability/graphql-metrics.js';
import { type WebSocketObserver } from '../observability/observers.js';
import { socketOriginAllowed } from './cors.js';
import { DocumentCache } from './document-cache.js';
import { SerializedPayload } from './serialized-payload.js';
import { SharedEventExecution } from './shared-event-execution.js';
import { isBroadcastChange } from '../events/change-hub.js';
import { serveGraphQLOverWebSocket, type WsExtra } from './ws-transport.js';
import { closeReason, CREDENTIAL_CLOSE, SocketCredentialWatch } from './socket-credentials.js';
import { type SocketCaps } from './socket-caps.js';
import { onSocketEnd } from './socket-end.js';

/** Close codes this server uses beyond the protocol's own (documented in the README). */
export const WS_CLOSE = {
  ...CREDENTIAL_CLOSE,
  /** The gateway is shutting down: reconnect, possibly to another instance. */
  GOING_AWAY: 1001,
  /**
   * graphql-ws's own "too many" code, final for its clients: the address has used up its
   * authentication failures (`RATE_LIMITED: …`), or the credential holds as many sockets as
   * it may (`TOO_MANY_CONNECTIONS: …`); the reason says which.
   */
  RATE_LIMITED: 4429,
  TOO_MANY_CONNECTIONS: 4429,
  /**
   * The database could not check the credential at `connection_init` (RFC 6455's "Try
   * Again Later"): not final, graphql-ws clients retry with their backoff.
   */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Distinct operation texts whose checked documents are kept. */
const DOCUMENT_CACHE_SIZE = 500;

/** When a client refused for too many sockets awaiting `connection_init` may try again: they end within 10 s. */
const PENDING_RETRY_AFTER_SECONDS = 1;

/** The refused upgrade's body: a GraphQL error, as every refusal the gateway answers itself (a browser cannot read it). */
const TOO_MANY_PENDING_BODY = (cap: number) =>
  JSON.stringify({
    errors: [
      {
        message: `Too many WebSockets from this address are waiting for connection_init (at most ${cap}): authenticate or close one first.`,
        extensions: { code: 'RATE_LIMITED', retryAfter: PENDING_RETRY_AFTER_SECONDS },
      },
    ],
  });

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
  /** Failed authentications per client address, held when attempts arrive together (shared with HTTP). */
  readonly authAttempts: AuthAttempts;
  /** Sockets per credential, and sockets not yet authenticated per address, on this instance. */
  readonly caps: SocketCaps;
  /** Browser origins allowed to open the socket (besides the gateway's own). */
  readonly corsOrigins: readonly string[];
  /** Operations, open sockets and how they ended (the instance's metrics). */
  readonly observer: GraphQLOperationObserver & WebSocketObserver;
  readonly logger: Logger;
}

/** What a connection remembers between messages. */
type ConnectionState = {
  principal: Principal;
  /** The credential as sent, checked again before every operation. Never logged. */
  authorization: string | undefined;
};

type SocketContext = Context<Record<string, unknown>, WsExtra & Partial<ConnectionState>>;

/** What an operation's preparation comes to: the arguments to run it with, or the errors to answer instead. */
type Prepared =
  | { readonly args: ExecutionArgs; readonly checked: CheckedOperation }
  | { readonly errors: GraphQLError[]; readonly checked: CheckedOperation | undefined; readonly outcome: 'rejected' | 'error' };

/** Refused before it ran: counted `rejected`, by root fields only when its document is known valid. */
const rejected = (errors: GraphQLError[], checked?: CheckedOperation): Prepared => ({ errors, checked, outcome: 'rejected' });

/** A result as the client gets it: its errors (if any) through the gateway's formatter, as over HTTP. */
function formatResult(result: ExecutionResult, formatError: ReturnType<typeof createErrorFormatter>): ExecutionResult | FormattedExecutionResult {
  return result.errors === undefined ? result : { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
}

/** graphql-ws on `/graphql`, sharing the HTTP port; authenticated at `connection_init`. */
export interface GraphQLWebSocket {
  /** Closes every connection with 1001 and stops accepting new ones. */
  close(): Promise<void>;
}

export function attachGraphQLWebSocket(deps: GraphQLWebSocketDeps): GraphQLWebSocket {
  const { logger, queryLimits, caps, observer } = deps;
  const wss = new WebSocketServer({
    server: deps.server,
    // `ws` compares the request's path (its query string aside) with this exactly.
    path: '/graphql',
    maxPayload: deps.maxPayloadBytes,
    verifyClient: (
      { req }: { req: http.IncomingMessage },
      done: (ok: boolean, code?: number, message?: string, headers?: http.OutgoingHttpHeaders) => void,
    ) => {
      // A browser page on a foreign origin is refused at the upgrade, as it would be over HTTP.
      if (!socketOriginAllowed(req, deps.corsOrigins)) {
        deps.logger.warn({ origin: req.headers.origin }, 'WebSocket refused: origin not in CORS_ORIGINS');
        observer.websocketRefused(403);
        return done(false, 403, 'Origin not allowed');
      }
      if (!caps.admitUpgrade(req)) {
        // Debug only: a flood from one address would otherwise flood the log; the metric counts each.
        deps.logger.debug({ address: caps.options.addressOf(req) }, 'WebSocket refused: too many awaiting connection_init from this address');
        observer.websocketRefused(429);
        return done(false, 429, TOO_MANY_PENDING_BODY(caps.options.pendingPerAddress), {
          'Content-Type': 'application/json; charset=utf-8',
          'Retry-After': String(PENDING_RETRY_AFTER_SECONDS),
        });
      }
      done(true);
    },
  });
  // Registered before graphql-ws's listener, so it sees every socket first, before anything can close it.
  wss.on('connection', (socket) => {
    observer.websocketOpened();
    onSocketEnd(socket, (code) => observer.websocketClosed(code));
  });
  const operations = new SocketOperationMetrics(observer);
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

  /**
   * Everything between a `subscribe` message and the operation's run: the credential
   * again, the per-connection and rate limits, parse, validation, variables. Answers the
   * arguments to run it with, or the errors to answer instead (and how to count them).
   */
  const prepare = async (ctx: SocketContext, payload: SubscribePayload): Promise<Prepared> => {
    if (ctx.extra.principal === undefined) return rejected(refuse('UNAUTHENTICATED', 'Not authenticated.'));
    // The credential first, as HTTP checks it on every request: a key revoked or a token
    // expired since the connection began ends the connection here, before any work.
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(ctx.extra.authorization);
    } catch (error) {
      // The operation is refused, the socket stays: its next operation may find the database back.
      if (isDatabaseUnavailable(error)) {
        return rejected(refuse(SERVICE_UNAVAILABLE.code, SERVICE_UNAVAILABLE.message, { retryAfter: SERVICE_UNAVAILABLE.retryAfterSeconds }));
      }
      if (!(error instanceof AuthenticationError)) throw error;
      // The operation's error goes out first (graphql-ws sends it when this returns), then the close.
      const socket = ctx.extra.socket;
      setImmediate(() => socket.close(CREDENTIAL_CLOSE[error.code], closeReason(error.code, error.message)));
      return rejected(refuse(error.code, error.message));
    }
    // ctx.subscriptions already holds this operation.
    if (Object.keys(ctx.subscriptions).length > deps.subscriptionsPerConnection) {
      return rejected(refuse('RATE_LIMITED', `At most ${deps.subscriptionsPerConnection} operations may be open on one connection.`));
    }
    // Parsed before the rate limit, which depends on the operation's type; parsing is
    // bounded by the token limit, and a text that does not parse counts as a request.
    let cached = documents.get(payload.query);
    let parseError: GraphQLError | undefined;
    if (cached === undefined) {
      try {
        cached = documents.add(payload.query, parse(payload.query, queryLimits.parseOptions));
      } catch (error) {
        // Where the parser stopped, as Apollo answers it over HTTP: the same error on both transports.
        parseError =
          error instanceof GraphQLError
            ? new GraphQLError(error.message, {
                ...(error.source !== undefined && { source: error.source }),
                ...(error.positions !== undefined && { positions: error.positions }),
                extensions: { code: 'GRAPHQL_PARSE_FAILED' },
              })
            : new GraphQLError('The query could not be parsed.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
      }
    }
    if (cached !== undefined) {
      // graphql-ws holds the message's payload for as long as the subscription lives, and
      // each message parsed into its own copy of the text (equal, so no comparison tells
      // them apart): the cache's one string is held instead.
      (payload as { query: string }).query = cached.text;
    }
    const operation = cached === undefined ? null : getOperationAST(cached.document, payload.operationName);
    // Queries and mutations share the HTTP request budget; only subscriptions spend the start budget.
    const budget = operation?.operation === OperationTypeNode.SUBSCRIPTION ? deps.subscriptionStarts : deps.requests;
    try {
      await budget.hit(rateLimitKey(principal));
    } catch (error) {
      if (error instanceof RateLimited) {
        // Labelled by its root fields only when its document is known valid (one checked before).
        const checked = cached?.valid === true && operation != null ? { operation, document: cached.document } : undefined;
        return rejected(refuse('RATE_LIMITED', error.message, { retryAfter: error.retryAfterSeconds }), checked);
      }
      throw error;
    }
    if (cached === undefined) return rejected([parseError ?? new GraphQLError('The query could not be parsed.')]);
    const { document } = cached;
    // Validated once per text: by the first operation to get here (others may have parsed it meanwhile).
    if (!cached.valid) {
      const errors = validate(deps.schema, document, rules);
      if (errors.length > 0) {
        documents.remove(cached.text, cached);
        return rejected(errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
      }
      cached.valid = true;
    }
    if (operation == null) return rejected(refuse('OPERATION_RESOLUTION_FAILURE', 'Unable to identify the operation to run.'));
    const checked: CheckedOperation = { operation, document };
    // Coerce variables here, as Apollo does over HTTP, so a bad value is the caller's error, not ours.
    const coerced = getVariableValues(deps.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors !== undefined) {
      // Apollo coerces them as execution starts: an `error`, not a `rejected`, over HTTP too.
      return {
        errors: coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } })),
        checked,
        outcome: 'error',
      };
    }
    const args: ExecutionArgs = {
      schema: deps.schema,
      document,
      ...(payload.operationName != null && { operationName: payload.operationName }),
      variableValues: payload.variables ?? {},
      // What graphql-ws would set (there are no root values), set here so it does not add
      // the property later: an object that grows after creation gets a second allocation.
      rootValue: undefined,
      // A fresh context per operation: DataLoaders never outlive the operation that filled
      // them. The socket itself is the connection a subscription that falls behind closes.
      contextValue: createContext(deps.services, principal, logger, ctx.extra.socket),
    };
    execution.share(args, principal, coerced.coerced);
    await readStatusHeadFirst(args.contextValue as GraphQLContext, operation, document);
    return { args, checked };
  };

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
        const socket = ctx.extra.socket;
        let principal: Principal;
        try {
          // An address over its failure budget is refused before its credential is looked at,
          // and a failure is counted before the next attempt from that address is let through.
          principal = await deps.authAttempts.authenticate(caps.options.addressOf(ctx.extra.request), () => deps.authenticator.authenticate(authorization));
        } catch (error) {
          if (isDatabaseUnavailable(error)) {
            logger.warn({ err: error }, 'could not check a socket credential: the database is unavailable');
            socket.close(WS_CLOSE.TRY_AGAIN_LATER, `${SERVICE_UNAVAILABLE.code}: ${SERVICE_UNAVAILABLE.message}`);
            return false;
          }
          if (error instanceof RateLimited) {
            socket.close(WS_CLOSE.RATE_LIMITED, `RATE_LIMITED: ${error.message}`);
            return false;
          }
          if (!(error instanceof AuthenticationError)) throw error;
          socket.close(CREDENTIAL_CLOSE[error.code], closeReason(error.code, error.message));
          return false;
        }
        if (!caps.claim(rateLimitKey(principal), socket)) {
          logger.info(
            { credential: { kind: principal.credential.kind, id: principal.credential.id }, tenantId: principal.tenantId },
            'WebSocket refused: its credential holds as many as WS_MAX_CONNECTIONS_PER_CREDENTIAL allows',
          );
          socket.close(
            WS_CLOSE.TOO_MANY_CONNECTIONS,
            `TOO_MANY_CONNECTIONS: at most ${caps.options.perCredential} WebSockets may be open with one credential; close one first.`,
          );
          return false;
        }
        // Before the ack goes out: a client that waits for it finds the address's slot free.
        caps.authenticated(ctx.extra.request);
        ctx.extra.principal = principal;
        ctx.extra.authorization = authorization;
        socket.once('close', credentials.watch(socket, principal));
        return true;
      },
      onSubscribe: async (ctx: SocketContext, id, payload) => {
        const started = performance.now();
        const prepared = await prepare(ctx, payload);
        if ('errors' in prepared) {
          operations.answered(started, prepared.checked, prepared.outcome);
          return prepared.errors;
        }
        operations.willRun(ctx, id, started, prepared.checked);
        return prepared.args;
      },
      // Once a query or mutation has its result, or a subscription its stream: counted as over HTTP.
      onOperation: (ctx, id, _payload, _args, result) => {
        operations.ran(ctx, id, result);
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
        // A result for one subscriber (a replayed row) is serialized by graphql-ws as usual.
        // (No closure per event: under tsx each one is named at its creation, a replay's 100,000 times.)
        if (!execution.isShared(result)) return formatResult(result, formatError);
        let payload = payloads.get(result);
        if (payload === undefined) {
          payload = new SerializedPayload(JSON.stringify(formatResult(result, formatError)));
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
