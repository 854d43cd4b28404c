import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type Request, type Response } from 'express';
import { type GraphQLSchema } from 'graphql';
import http from 'node:http';
import { type DataSource } from 'typeorm';
import { AuthAttempts } from '../auth/auth-attempts.js';
import { type Authenticator } from '../auth/authenticator.js';
import { type RateLimits } from '../auth/rate-limit-store.js';
import { type LimitsConfig, type Secret } from '../config.js';
import { createContext, type GraphQLContext, type Services } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { createQueryLimits } from '../graphql/query-limits.js';
import { statusHeadPlugin } from '../graphql/status-head.js';
import { type Logger } from '../logger.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.js';
import { readiness, type ReadinessSources } from '../observability/health.js';
import { noStorePlugin } from './no-store.js';
import { compiledExecutionGateway } from './compiled-executor.js';
import { accessLog } from '../observability/access-log.js';
import { type GatewayMetrics } from '../observability/metrics.js';
import { metricsRoute } from '../observability/metrics-route.js';
import { requestScope } from '../observability/request-context.js';
import { authenticateRequest } from './authenticate-request.js';
import { attachGraphQLWebSocket } from './graphql-websocket.js';
import { graphqlCors } from './cors.js';
import { securityHeaders } from './security-headers.js';
import { sendGraphQLError } from './graphql-error-response.js';
import { handlerChain, type NodeErrorHandler } from './handler-chain.js';
import { GRAPHQL_PATH, graphqlOperationSteps, isGraphQLEndpoint, pathOf } from './graphql-http-steps.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { sendServiceUnavailable, serviceUnavailablePlugin } from './service-unavailable.js';
import { clientAddressPolicy } from './client-address.js';
import { SocketCaps } from './socket-caps.js';
import { ideRoutes } from './ide.js';
import { refuseSubscriptionsOverHttp } from './subscriptions-over-http.js';
import { type WebhookDeps, webhookRoutes } from './webhooks.js';
import { type AdminRouteDeps, adminRoutes } from './admin-routes.js';

/** What the HTTP server needs. */
export interface HttpServerDeps {
  readonly schema: GraphQLSchema;
  readonly services: Services;
  readonly db: DataSource;
  readonly authenticator: Authenticator;
  readonly limits: LimitsConfig;
  /** The request, subscription-start and authentication-failure budgets (shared by the fleet, see `rate-limit-store.ts`). */
  readonly rateLimits: Omit<RateLimits, 'close'>;
  /** Production hides introspection and field suggestions. */
  readonly production: boolean;
  /** Browser origins allowed on /graphql (HTTP and WebSocket). */
  readonly corsOrigins: readonly string[];
  /** Proxies whose `X-Forwarded-For` names the client (`TRUST_PROXY`): every per-address limit counts that client. */
  readonly trustedProxies: readonly string[];
  /** The only credential `/metrics` answers to; unset: off. */
  readonly metricsToken: Secret | undefined;
  readonly webhooks: Pick<WebhookDeps, 'providers' | 'records' | 'connections'>;
  /** `/admin` (tenants' provider connections), for the deployment's administrator. */
  readonly admin: Pick<AdminRouteDeps, 'token' | 'connections' | 'canSeal'>;
  readonly logger: Logger;
  /** This instance's metrics (`/metrics`), and what `/readyz` checks besides the database. */
  readonly observability: Omit<ReadinessSources, 'db'> & { readonly metrics: GatewayMetrics };
  /** How queries and mutations run: compiled by graphql-jit (the default), or graphql-js alone (tests compare the two). */
  readonly execution?: 'compiled' | 'graphql-js';
}

/** The HTTP side of the gateway: `/graphql` (HTTP and WebSocket), `/healthz`, `/readyz`, `/metrics`. */
export interface HttpServer {
  readonly server: http.Server;
  /** Stops accepting, lets in-flight requests finish, then closes. */
  stop(): Promise<void>;
}

export async function createHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const { logger, limits } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is one caller's data, sent with `no-store`: an ETag would only let a GET
  // be answered 304, and it cost a hash of every body (a page of leads: 240 KB).
  app.set('etag', false);
  const clientAddresses = clientAddressPolicy(deps.trustedProxies);
  // `req.ip` then follows the same rule as the WebSocket upgrade's `addressOf`.
  app.set('trust proxy', clientAddresses.trust);
  app.use(securityHeaders);
  // First: every request gets its id (x-request-id), its scope for logs, and an access log line.
  const scope = requestScope({ providerCalls: deps.observability.metrics, onFinished: accessLog(logger) });
  app.use(scope);
  // Its request listener is added once every route is in place (below): nothing listens before.
  const server = http.createServer(
    {
      // Node's defaults let a slow client hold a connection for minutes (headers ~70 s, a body 300 s).
      headersTimeout: Math.min(limits.httpHeadersTimeoutMs, limits.httpRequestTimeoutMs),
      requestTimeout: limits.httpRequestTimeoutMs,
      keepAliveTimeout: limits.httpKeepAliveTimeoutMs,
      // How often those timeouts are enforced (Node's default, 30 s, would stretch a short one).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.httpHeadersTimeoutMs / 4))),
    },
  );
  // A cap on sockets, WebSockets included: past it, a new connection is dropped at once.
  server.maxConnections = limits.httpMaxConnections;
  const queryLimits = createQueryLimits(limits);
  // One budget per credential for queries and mutations, over HTTP and WebSocket alike.
  const { authFailures, requests, subscriptionStarts } = deps.rateLimits;
  // One line per address for credentials being checked, over HTTP and WebSocket alike.
  const authAttempts = new AuthAttempts(authFailures);

  const apollo = new ApolloServer<GraphQLContext>({
    ...(deps.execution === 'graphql-js' ? { schema: deps.schema } : { gateway: compiledExecutionGateway(deps.schema) }),
    formatError: createErrorFormatter(logger, { hideSuggestions: deps.production }),
    includeStacktraceInErrorResponses: false,
    introspection: !deps.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Frontends send whole documents; automatic persisted queries would only add an attack surface.
    persistedQueries: false,
    parseOptions: queryLimits.parseOptions,
    validationRules: queryLimits.validationRules,
    // The process owns signal handling (src/main.ts) and stops every part in order.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Apollo's landing pages load from a CDN, which a gateway without internet cannot reach.
      ApolloServerPluginLandingPageDisabled(),
      // Replaced by noStorePlugin: the same header, without a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      ...queryLimits.plugins,
      refuseSubscriptionsOverHttp(),
      statusHeadPlugin(),
      graphqlMetricsPlugin(deps.observability.metrics),
      serviceUnavailablePlugin(),
    ],
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
  await apollo.start();
  const websocket = attachGraphQLWebSocket({
    server,
    schema: deps.schema,
    services: deps.services,
    authenticator: deps.authenticator,
    queryLimits,
    production: deps.production,
    maxPayloadBytes: limits.maxBodyBytes,
    subscriptionsPerConnection: limits.subscriptionsPerConnection,
    requests,
    subscriptionStarts,
    apiKeys: deps.services.apiKeys,
    credentialCheckMs: limits.socketCredentialCheckSeconds * 1000,
    authAttempts,
    caps: new SocketCaps({ pendingPerAddress: limits.pendingSocketsPerAddress, perCredential: limits.socketsPerCredential, addressOf: clientAddresses.addressOf }),
    corsOrigins: deps.corsOrigins,
    observer: deps.observability.metrics,
    logger,
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await readiness({ db: deps.db, changes: deps.observability.changes, breakers: deps.observability.breakers });
    res.status(ready.status === 'ready' ? 200 : 503).set('Cache-Control', 'no-store').json(ready);
  });
  // Not public, and not for tenants: the scraper's own token (METRICS_TOKEN).
  app.get('/metrics', metricsRoute({ metrics: deps.observability.metrics, token: deps.metricsToken, authFailures, logger }));
  if (deps.metricsToken === undefined) {
    logger.info('METRICS_TOKEN is not set: /metrics is off. Set it (32 characters or more) and scrape with "Authorization: Bearer <token>".');
  }

  // Before the IDE and authentication: a preflight carries no credentials.
  const cors = graphqlCors(deps.corsOrigins);
  const operationSteps = graphqlOperationSteps({
    apollo,
    authenticate: authenticateRequest({ authenticator: deps.authenticator, requests, authAttempts, addressOf: clientAddresses.addressOf, logger }),
    context: (principal) => createContext(deps.services, principal, logger),
    maxBodyBytes: limits.maxBodyBytes,
  });
  const lastResort = lastResortHandler(logger);
  // `app.use(GRAPHQL_PATH, …)` also matches /graphql/anything and /GraphQL: those are no endpoint.
  app.use(GRAPHQL_PATH, exactEndpointOnly);
  app.use(GRAPHQL_PATH, cors);
  // The GraphQL IDE answers browser navigations to /graphql before authentication (a browser cannot send the key).
  app.use(ideRoutes({ enabled: !deps.production }));
  app.use(GRAPHQL_PATH, ...operationSteps);
  app.use('/admin', adminRoutes({ ...deps.admin, maxBodyBytes: limits.maxBodyBytes, authFailures, logger }));
  app.use('/webhooks', webhookRoutes({ ...deps.webhooks, maxBodyBytes: limits.maxBodyBytes, authFailures, logger }));
  app.use(notFound);
  app.use(lastResort);

  // Queries and mutations are POSTs to /graphql: they take the same steps as under express
  // (a POST is never an IDE navigation), without express's own work on every request.
  const graphqlPost = handlerChain([securityHeaders, scope, cors, ...operationSteps], (error, req, res) => {
    if (error === undefined) notFound(req, res);
    else lastResort(error, req, res, () => undefined);
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // The same rule as the mount's (`exactEndpointOnly`): a POST below /graphql goes to express, which answers 404.
    if (req.method === 'POST' && isGraphQLEndpoint(req.url)) graphqlPost(req, res);
    else void app(req, res);
  });

  return {
    server,
    async stop() {
      await websocket.close();
      await apollo.stop();
    },
  };
}

function notFound(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req as Partial<Request>).path ?? pathOf(req.url ?? '');
  sendGraphQLError(req, res, { status: 404, code: 'NOT_FOUND', message: `No route for ${req.method ?? ''} ${path ?? ''}` });
}

/**
 * Lets only `/graphql` itself through ({@link isGraphQLEndpoint}): express mounts match
 * every path below them and ignore letter case, so `/graphql/x` and `/GraphQL` would
 * otherwise be served as `/graphql`.
 */
function exactEndpointOnly(req: Request, res: Response, next: () => void): void {
  if (isGraphQLEndpoint(req.originalUrl)) return next();
  sendGraphQLError(req, res, { status: 404, code: 'NOT_FOUND', message: `No route for ${req.method} ${pathOf(req.originalUrl) ?? req.path}` });
}

function lastResortHandler(logger: Logger): NodeErrorHandler {
  return (error, req, res, _next) => {
    // A webhook (or any route) that met a database down or hung: 503, so the sender retries.
    const unavailable = isDatabaseUnavailable(error);
    if (unavailable) logger.warn({ err: error }, 'the database is unavailable; answered 503');
    else logger.error({ err: error }, 'unhandled error in an HTTP handler');
    if (res.headersSent) return;
    if (unavailable) return sendServiceUnavailable(req, res);
    sendGraphQLError(req, res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  };
}
