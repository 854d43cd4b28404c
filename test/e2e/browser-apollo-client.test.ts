import * as esbuild from 'esbuild';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TecheaSandbox } from '../../src/providers/techea/sandbox.js';
import { browserSkipReason, launchChromium, WebSocketFrames } from '../support/browser.js';
import { seedLead } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';
import { captureLogs, type CapturedLogs } from '../support/log-capture.js';
import { lastChangeId } from '../support/status-log.js';
import { type AppConfig } from './browser-apollo-client/page.js';

const PAGE_ENTRY = fileURLToPath(new URL('./browser-apollo-client/page.ts', import.meta.url));

const skipBrowser = browserSkipReason();
if (skipBrowser !== undefined) console.warn(`[browser-apollo-client] skipping the Chromium test: ${skipBrowser}`);

/** The page's code, for a browser: one ESM file with Apollo Client, graphql and graphql-ws inside. */
async function bundlePage(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [PAGE_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  return result.outputFiles[0]!.text;
}

/** A tiny web server on 127.0.0.1, on a port of its own: one browser origin serving the app. */
interface AppServer {
  readonly origin: string;
  close(): Promise<void>;
}

async function serveApp(bundle: string): Promise<AppServer> {
  // `data:` favicon: the browser asks this server for nothing but the page and its script.
  const html = '<!doctype html><html><head><link rel="icon" href="data:,"><script type="module" src="/app.js"></script></head><body></body></html>';
  const server = http.createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (request.url === '/app.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    else response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A page of the app, loaded from one origin, its client connected to the gateway. */
interface OpenedApp {
  readonly page: Page;
  readonly frames: WebSocketFrames;
  /** What the page's console said (Chromium reports CORS and handshake failures there). */
  readonly console: string[];
  /** The gateway's HTTP answers as the browser received them, with what it sent (settled once read). */
  readonly answers: Array<Promise<{ status: number; allowOrigin: string | undefined; authorization: string | undefined; origin: string | undefined }>>;
}

describe.skipIf(skipBrowser !== undefined)('a browser app on another origin, with Apollo Client 4', () => {
  let gateway: TestGateway;
  let logs: CapturedLogs;
  let app: AppServer;
  let foreign: AppServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let bearer: string;

  beforeAll(async () => {
    const bundle = await bundlePage();
    [app, foreign] = await Promise.all([serveApp(bundle), serveApp(bundle)]);
    logs = captureLogs('warn');
    // Only the app's origin is listed: the foreign one differs by its port alone.
    gateway = await startTestGateway({ env: { CORS_ORIGINS: app.origin }, logger: logs.logger });
    bearer = `Bearer ${gateway.api.token}`;
    browser = await launchChromium();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await Promise.all([app?.close(), foreign?.close()]);
  });

  async function openApp(origin: string, apiKey = gateway.api.token!): Promise<OpenedApp> {
    context = await browser.newContext();
    const page = await context.newPage();
    const frames = new WebSocketFrames(page);
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    const answers: OpenedApp['answers'] = [];
    page.on('response', (response) => {
      if (response.url() !== gateway.url) return;
      // Only the headers as sent carry Origin (playwright's provisional ones do not).
      answers.push(
        response
          .request()
          .allHeaders()
          .then((sent) => ({
            status: response.status(),
            allowOrigin: response.headers()['access-control-allow-origin'],
            authorization: sent.authorization,
            origin: sent.origin,
          })),
      );
    });
    expect((await page.goto(`${origin}/`))?.status()).toBe(200);
    await page.waitForFunction(() => globalThis.leadgraphApp !== undefined);
    const config: AppConfig = { httpUrl: gateway.url, wsUrl: gateway.url.replace(/^http/, 'ws'), apiKey };
    await page.evaluate((config) => globalThis.leadgraphApp!.connect(config), config);
    return { page, frames, console: consoleLines, answers };
  }

  it('queries, mutates and subscribes from the listed origin: HTTP with the key as a header, graphql-ws with it in connection_init', async () => {
    const techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
    const existing = await seedLead(gateway.db);
    const { page, frames, answers } = await openApp(app.origin);

    // A query.
    const listed = await page.evaluate(() => globalThis.leadgraphApp!.listLeads(10));
    expect(listed).toEqual({
      ok: true,
      data: { leads: { __typename: 'LeadConnection', totalCount: 1, edges: [{ __typename: 'LeadEdge', node: { __typename: 'Lead', id: existing.leadId, techeaLeadId: existing.techeaLeadId } }] } },
    });

    // A mutation.
    const techeaLeadId = techea.addLead();
    const created = await page.evaluate((id) => globalThis.leadgraphApp!.createLead(id), techeaLeadId);
    expect(created).toEqual({ ok: true, data: { createLead: { __typename: 'Lead', id: expect.any(String), techeaLeadId, stage: 'NEW' } } });
    if (!created.ok) throw new Error('unreachable');
    const leadId = created.data.createLead.id;
    expect(await queryData(gateway.api, `query ($id: ID!) { lead(id: $id) { techeaLeadId } }`, { id: leadId })).toEqual({ lead: { techeaLeadId } });

    // Both went over HTTP from the app's origin, with the key, and the browser was allowed to read the answers.
    expect(await Promise.all(answers)).toEqual([
      { status: 200, allowOrigin: app.origin, authorization: bearer, origin: app.origin },
      { status: 200, allowOrigin: app.origin, authorization: bearer, origin: app.origin },
    ]);

    // A subscription: `after` replays whatever commits before the server has registered it, so no race.
    const after = await lastChangeId(gateway.db);
    await page.evaluate(({ leadId, after }) => globalThis.leadgraphApp!.watchStatus(leadId, after), { leadId, after });
    const init = await frames.waitFor((f) => f.direction === 'sent' && f.message.type === 'connection_init');
    expect(init.url).toBe(gateway.url.replace(/^http/, 'ws'));
    expect(init.message.payload).toEqual({ authorization: bearer });
    await frames.waitFor((f) => f.direction === 'received' && f.message.type === 'connection_ack');
    const subscribed = await frames.waitFor((f) => f.direction === 'sent' && f.message.type === 'subscribe');

    // The status change: a second mutation, over HTTP while the socket stays open.
    const reported = await page.evaluate((id) => globalThis.leadgraphApp!.reportRegistration(id), leadId);
    expect(reported).toEqual({
      ok: true,
      data: { reportLeadEvent: { __typename: 'ReportLeadEventPayload', outcome: 'RECEIVED', lead: { __typename: 'Lead', id: leadId, lastEvent: 'REGISTRATION' } } },
    });

    const [event] = await page.evaluate(() => globalThis.leadgraphApp!.events(1));
    expect(event).toEqual({
      type: 'data',
      data: { statusChanged: { __typename: 'StatusChange', id: expect.any(String), leadId, provider: 'TECHEA', from: null, to: 'REGISTRATION' } },
    });
    // It came over the page's socket, on the subscription it opened.
    await frames.waitFor((f) => f.direction === 'received' && f.message.type === 'next' && f.message.id === subscribed.message.id);
    expect(await page.evaluate(() => globalThis.leadgraphApp!.socketEvents())).toEqual(['connecting', 'opened', 'connected']);
    expect(logs.entries().filter((entry) => entry.msg?.startsWith('WebSocket refused'))).toEqual([]);
  });

  it('is refused from an origin the gateway does not list: fetch fails in the browser, nothing is written, the WebSocket upgrade gets 403', async () => {
    const techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
    const { leadId } = await seedLead(gateway.db);
    const { page, frames, console: consoleLines, answers } = await openApp(foreign.origin);

    // The query: the preflight has no Access-Control-Allow-Origin, so fetch rejects and Apollo passes its TypeError on.
    const listed = await page.evaluate(() => globalThis.leadgraphApp!.listLeads(10));
    expect(listed).toEqual({ ok: false, error: { name: 'TypeError', message: 'Failed to fetch' } });

    // The mutation fails the same way, and never reached the gateway: the preflight stopped it.
    const techeaLeadId = techea.addLead();
    const created = await page.evaluate((id) => globalThis.leadgraphApp!.createLead(id), techeaLeadId);
    expect(created).toEqual({ ok: false, error: { name: 'TypeError', message: 'Failed to fetch' } });
    expect(await queryData(gateway.api, `query ($id: ID!) { leadByTecheaId(techeaLeadId: $id) { id } }`, { id: techeaLeadId })).toEqual({
      leadByTecheaId: null,
    });
    expect(answers).toEqual([]);
    const blocked = `Access to fetch at '${gateway.url}' from origin '${foreign.origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check`;
    expect(consoleLines.filter((line) => line.startsWith(blocked))).toHaveLength(2);

    // The subscription: the upgrade is refused, so the socket closes before any connection_ack.
    await page.evaluate((id) => globalThis.leadgraphApp!.watchStatus(id, '0'), leadId);
    const events = await page.evaluate(() => globalThis.leadgraphApp!.events(2));
    expect(events).toEqual([{ type: 'error', error: { name: 'Error', message: expect.stringMatching(/^Socket closed/) } }, { type: 'complete' }]);
    // graphql-ws never saw the socket open: an error, then an abnormal close (1006), no connection_init sent.
    expect(await page.evaluate(() => globalThis.leadgraphApp!.socketEvents())).toEqual(['connecting', 'error', 'closed 1006']);
    expect(frames.frames).toEqual([]);
    expect(frames.urls).toEqual([gateway.url.replace(/^http/, 'ws')]);
    // Chromium says why; the gateway says whom it refused.
    expect(consoleLines).toContain(`WebSocket connection to '${frames.urls[0]}' failed: Error during WebSocket handshake: Unexpected response code: 403`);
    expect(logs.entries().filter((entry) => entry.msg?.startsWith('WebSocket refused'))).toEqual([
      expect.objectContaining({ origin: foreign.origin, msg: 'WebSocket refused: origin not in CORS_ORIGINS' }),
    ]);
  });

  it("shows a refused key as Apollo Client shows any GraphQL error: CombinedGraphQLErrors with the gateway's code", async () => {
    const { page } = await openApp(app.origin, `lgk_${'x'.repeat(43)}`);
    // Over HTTP: a 401 in application/graphql-response+json, which Apollo Client 4 parses as GraphQL errors.
    expect(await page.evaluate(() => globalThis.leadgraphApp!.listLeads(10))).toEqual({
      ok: false,
      error: {
        name: 'CombinedGraphQLErrors',
        message: 'The API key is not valid, or has been revoked.',
        errors: [{ message: 'The API key is not valid, or has been revoked.', code: 'UNAUTHENTICATED' }],
      },
    });
    // Over the socket: the close code and its reason, which begins with the code.
    await page.evaluate(() => globalThis.leadgraphApp!.watchStatus('00000000-0000-0000-0000-000000000000', '0'));
    const [event] = await page.evaluate(() => globalThis.leadgraphApp!.events(1));
    expect(event).toEqual({
      type: 'error',
      error: { name: 'Error', message: 'Socket closed with event 4401 UNAUTHENTICATED: The API key is not valid, or has been revoked.' },
    });
  });
});
