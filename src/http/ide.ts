import { getDistDirectory, isSandboxFrame, renderAltair, SANDBOX_FRAME_CSP } from 'altair-static';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { pageContentSecurityPolicy, STATIC_PAGE_CSP } from './security-headers.js';

/** Where the IDE's files are served from; the page itself is `GET /graphql`. */
const IDE_ASSETS_PATH = '/altair';

/** The environment variable of the IDE that holds the caller's key (never filled in by the server). */
const IDE_KEY_VARIABLE = 'apiKey';

/** What {@link ideRoutes} needs. */
export interface IdeOptions {
  /** Off in production: the page then only says so. */
  readonly enabled: boolean;
}

/**
 * The GraphQL IDE (Altair), served from the gateway itself: gateways often run where
 * no CDN can be reached. Mount it before authentication: a browser navigation cannot
 * send a key, so the page and its files are public; the key is typed into the IDE.
 *
 * Only a browser navigation gets the page (`GET /graphql`, `Accept` preferring
 * `text/html`, no `query` parameter); every other request to `/graphql` goes on to
 * authentication and Apollo unchanged.
 *
 * The page comes with the header `Authorization: Bearer {{apiKey}}` and the graphql-ws
 * `connection_init` payload `{ "authorization": "Bearer {{apiKey}}" }`: setting the
 * `apiKey` variable once ("No environment" > Environments..., top right) is enough for
 * queries, mutations and subscriptions. The server never writes a key into the page.
 */
export function ideRoutes(options: IdeOptions): Router {
  const router = express.Router();
  // `use`, not `get`: a route would make the router answer OPTIONS /graphql itself ("Allow: GET, HEAD")
  // instead of leaving it to Apollo.
  router.use('/graphql', options.enabled ? serveIde() : explainIdeOff);
  if (options.enabled) {
    router.use(
      IDE_ASSETS_PATH,
      express.static(getDistDirectory(), {
        // Altair's own index.html would start it without the gateway's settings.
        index: false,
        redirect: false,
        setHeaders: (res, path) => {
          if (isSandboxFrame(path)) res.setHeader('Content-Security-Policy', SANDBOX_FRAME_CSP);
        },
      }),
    );
  }
  return router;
}

/** True for what a browser sends when someone opens `/graphql`; false for GraphQL clients. */
function isBrowserNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  // Mounted on /graphql: only the endpoint itself, not paths below it.
  if (req.path !== '/') return false;
  // A GraphQL GET request carries its document in `query`, whatever it accepts.
  if (new URL(req.originalUrl, 'http://localhost').searchParams.has('query')) return false;
  // Browsers list text/html first; GraphQL clients ask for JSON, and `*/*` alone is a client too.
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

function serveIde(): RequestHandler {
  // The page differs only by the WebSocket address (host and scheme of the request): render each once.
  const pages = new Map<string, { html: string; csp: string }>();
  return (req, res, next) => {
    if (!isBrowserNavigation(req)) {
      next();
      return;
    }
    const origin = requestOrigin(req);
    if (origin === undefined) {
      res.status(400).type('text/plain').send('Bad Host header.\n');
      return;
    }
    const subscriptionsEndpoint = `${origin.secure ? 'wss' : 'ws'}://${origin.host}/graphql`;
    let page = pages.get(subscriptionsEndpoint);
    if (page === undefined) {
      const html = renderIde(subscriptionsEndpoint);
      page = { html, csp: pageContentSecurityPolicy(html, subscriptionsEndpoint) };
      if (pages.size >= 32) pages.clear();
      pages.set(subscriptionsEndpoint, page);
    }
    sendPage(res, 200, page.html, page.csp);
  };
}

/** What a new IDE window shows: how to give it the key. */
const INITIAL_QUERY = `# leadgraph GraphQL IDE
#
# 1. Give it your API key once: "No environment" (top right) > Environments...,
#    then {"${IDE_KEY_VARIABLE}": "<your key>"} and Save. Queries and mutations send it as
#    the Authorization header, subscriptions in the graphql-ws connection_init payload.
# 2. Reload the docs (the circular arrow beside the URL) for the schema and autocompletion.
# 3. Send with Ctrl+Enter.

{ leads { totalCount } }
`;

/** Altair, pointed at this gateway, with nothing that reaches out to the internet. */
function renderIde(subscriptionsEndpoint: string): string {
  const bearer = `Bearer {{${IDE_KEY_VARIABLE}}}`;
  return renderAltair({
    baseURL: `${IDE_ASSETS_PATH}/`,
    endpointURL: '/graphql',
    subscriptionsEndpoint,
    initialSubscriptionRequestHandlerId: 'graphql-ws',
    initialQuery: INITIAL_QUERY,
    initialHeaders: { Authorization: bearer },
    initialSubscriptionsPayload: { authorization: bearer },
    initialEnvironments: { base: { title: 'leadgraph', variables: { [IDE_KEY_VARIABLE]: '' } } },
    disableAccount: true,
    initialSettings: {
      'alert.disableUpdateNotification': true,
      'plugin.list': [],
      'banners.disable': true,
    },
  });
}

const explainIdeOff: RequestHandler = (req, res, next) => {
  if (!isBrowserNavigation(req)) {
    next();
    return;
  }
  sendPage(
    res,
    404,
    '<!doctype html><html><head><meta charset="utf-8"><title>leadgraph</title></head><body>' +
      '<p>The GraphQL IDE is off in production (<code>NODE_ENV=production</code>).</p>' +
      '<p>Send GraphQL requests with <code>POST /graphql</code> and <code>Authorization: Bearer &lt;key&gt;</code>.</p>' +
      '</body></html>\n',
    STATIC_PAGE_CSP,
  );
};

function sendPage(res: Response, status: number, html: string, contentSecurityPolicy: string): void {
  res
    .status(status)
    // Same URL, other answers for GraphQL clients: caches must tell them apart.
    .vary('Accept')
    .set('Cache-Control', 'no-store')
    .set('X-Frame-Options', 'DENY')
    .set('Content-Security-Policy', contentSecurityPolicy)
    .type('html')
    .send(html);
}

/** Host names and IPv4/IPv6 literals, with an optional port: anything else is not echoed into the page. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Where the browser reached us, so the IDE's WebSocket goes to the same place. */
function requestOrigin(req: Request): { host: string; secure: boolean } | undefined {
  const host = req.get('host');
  if (host === undefined || !HOST.test(host)) return undefined;
  // Behind a TLS-terminating proxy the page is https, and a ws:// address would be blocked as mixed content.
  const forwarded = req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const secure = forwarded === 'https' || (forwarded === undefined && req.protocol === 'https');
  return { host, secure };
}
