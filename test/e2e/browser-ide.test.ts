import express from 'express';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ideRoutes } from '../../src/http/ide.js';
import { browserSkipReason, launchChromium, replaceEditorText, WebSocketFrames } from '../support/browser.js';
import { seedLead } from '../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';

/** What a browser sends when someone types the URL in. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const skipBrowser = browserSkipReason();
if (skipBrowser !== undefined) console.warn(`[browser-ide] skipping the Chromium test: ${skipBrowser}`);

describe('the GraphQL IDE on /graphql', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  describe('routing', () => {
    it('answers a browser navigation with the IDE, without a key, pointing its WebSocket at the host asked for', async () => {
      const response = await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('vary')).toContain('Accept');
      const html = await response.text();
      expect(html).toContain(`subscriptionsEndpoint: \`ws://${new URL(gateway.url).host}/graphql\``);
      expect(html).toContain('<base href="/altair/">');
      expect(html).toContain('Bearer {{apiKey}}');
      // Nothing from a CDN: every script and stylesheet is relative to /altair/.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(html).not.toContain(gateway.api.token);

      const asset = await fetch(new URL('/altair/main.js', gateway.url));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain('javascript');
      // Altair's own index.html would start without the gateway's settings.
      expect((await fetch(new URL('/altair/', gateway.url))).status).toBe(404);
    });

    it('follows the scheme a TLS-terminating proxy reports', async () => {
      const html = await (await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT, 'x-forwarded-proto': 'https' } })).text();
      expect(html).toContain(`subscriptionsEndpoint: \`wss://${new URL(gateway.url).host}/graphql\``);
    });

    it('refuses to echo a Host header that is not a host into the page', async () => {
      const { port } = new URL(gateway.url);
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.get(
          { host: '127.0.0.1', port, path: '/graphql', headers: { host: 'a`${alert(1)}<x>', accept: BROWSER_ACCEPT } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        request.on('error', reject);
      });
      expect(status).toBe(400);
    });

    it('leaves every GraphQL request to authentication and Apollo', async () => {
      // A JSON GET without a key is refused as before.
      const json = await fetch(gateway.url, { headers: { accept: 'application/json' } });
      expect(json.status).toBe(401);
      // curl's `*/*` is a client, not a browser.
      expect((await fetch(gateway.url, { headers: { accept: '*/*' } })).status).toBe(401);
      // A GET carrying a document reaches Apollo even when it prefers HTML.
      const get = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: BROWSER_ACCEPT, authorization: `Bearer ${gateway.api.token}`, 'apollo-require-preflight': 'true' },
      });
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
      // Without a key, the same GET is refused: the IDE route never lets a document through unauthenticated.
      const anonymous = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' },
      });
      expect(anonymous.status).toBe(401);
      // Other methods still get Apollo's answer, not one from the IDE's route (OPTIONS included).
      for (const method of ['OPTIONS', 'PUT']) {
        const other = await fetch(gateway.url, {
          method,
          headers: { accept: BROWSER_ACCEPT, authorization: `Bearer ${gateway.api.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        expect(other.status, method).toBe(405);
      }
    });

    it('is off in production: the page says so and the IDE files are not served', async () => {
      const app = express();
      app.use(ideRoutes({ enabled: false }));
      app.use((_req, res) => {
        res.status(418).send('reached the next handler');
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const page = await fetch(`${base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
        expect(page.status).toBe(404);
        expect(await page.text()).toContain('The GraphQL IDE is off in production');
        expect((await fetch(`${base}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(418);
        expect((await fetch(`${base}/altair/main.js`)).status).toBe(418);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe.skipIf(skipBrowser !== undefined)('in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    afterEach(async () => {
      await context?.close();
    });

    /** Runs a browser scenario; on failure leaves a screenshot in /tmp and says where. */
    async function withScreenshotOnFailure(scenario: () => Promise<void>): Promise<void> {
      try {
        await scenario();
      } catch (error) {
        const path = `/tmp/browser-ide-failure-${Date.now()}.png`;
        await page?.screenshot({ path, fullPage: true }).catch(() => undefined);
        console.error(`[browser-ide] screenshot of the failure: ${path}`);
        throw error;
      }
    }

    it('runs a query, a subscription and a mutation with the key, and reaches no other host', () =>
      withScreenshotOnFailure(async () => {
        const techeaLeadId = (gateway.providers.sandboxes.TECHEA!.behavior as any).addLead() as string;
        const { leadId } = await seedLead(gateway.db, { techeaLeadId });
        // Nothing has happened to the lead yet: any status change the IDE shows comes from the mutation below.
        expect(await queryData(gateway.api, `query ($id: ID!) { lead(id: $id) { history { to } } }`, { id: leadId })).toEqual({
          lead: { history: [] },
        });

        const requested: string[] = [];
        context = await browser.newContext();
        context.on('request', (request) => requested.push(request.url()));
        page = await context.newPage();
        // The page runs under its Content-Security-Policy: anything the policy blocks is reported here.
        const blocked: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
        });
        const websockets = new WebSocketFrames(page);
        const origin = new URL(gateway.url).origin;
        const wsOrigin = origin.replace(/^http/, 'ws');

        // 1. The page, served without a key, under a policy that admits only the gateway.
        const navigation = await page.goto(gateway.url);
        expect(navigation?.status()).toBe(200);
        expect(navigation?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'; .*frame-ancestors 'none'/);
        expect(navigation?.headers()['x-content-type-options']).toBe('nosniff');
        expect(navigation?.headers()['referrer-policy']).toBe('no-referrer');
        const queryEditor = page.locator('app-query-editor .cm-content').filter({ visible: true });
        // A new window explains where the key goes.
        await queryEditor.filter({ hasText: 'Give it your API key once' }).waitFor();

        // 2. The key, entered once in the IDE's environment ({{apiKey}} in the header and connection_init payload).
        await page.getByText('No environment', { exact: true }).click();
        await page.getByText('Environments...', { exact: true }).click();
        const environmentEditor = page.locator('.environments-editor-textarea .cm-content');
        await replaceEditorText(page, environmentEditor, JSON.stringify({ apiKey: gateway.api.token }));
        await page.locator('[track-id="save_environments"]').click();
        await environmentEditor.waitFor({ state: 'hidden' });

        // The docs (introspection) load with the key. (The page's first, keyless attempt may still be
        // on its way: only a request that carries the key counts.)
        const bearer = `Bearer ${gateway.api.token}`;
        const introspection = page.waitForResponse(
          (r) =>
            r.url() === gateway.url &&
            r.request().headers().authorization === bearer &&
            (r.request().postData() ?? '').includes('IntrospectionQuery'),
        );
        await page.locator('[track-id="reload_docs"]').filter({ visible: true }).click();
        expect((await introspection).status()).toBe(200);

        // 3. A query, sent with the key as a header.
        const result = page.locator('app-query-result .cm-content').filter({ visible: true });
        const send = page.locator('[track-id="set_request"]').filter({ visible: true });
        await replaceEditorText(page, queryEditor, '{ leads { totalCount } }');
        const queryResponse = page.waitForResponse((r) => r.url() === gateway.url && (r.request().postData() ?? '').includes('totalCount'));
        await send.click();
        const answered = await queryResponse;
        expect(answered.status()).toBe(200);
        expect(answered.request().headers().authorization).toBe(bearer);
        await result.filter({ hasText: /"totalCount":\s*1\b/ }).waitFor();

        // 4. A subscription over graphql-ws on the same /graphql, authenticated in connection_init.
        await replaceEditorText(page, queryEditor, `subscription { statusChanged(after: "0", leadId: "${leadId}") { id leadId to } }`);
        await send.click();
        const subscribed = await websockets.waitFor((f) => f.direction === 'sent' && f.message.type === 'subscribe');
        expect(subscribed.url).toBe(`${wsOrigin}/graphql`);
        const init = await websockets.waitFor((f) => f.direction === 'sent' && f.message.type === 'connection_init');
        expect(init.message.payload).toEqual({ authorization: bearer });
        await websockets.waitFor((f) => f.direction === 'received' && f.message.type === 'connection_ack');

        // 5. While it runs, a mutation from a second IDE window.
        await page.getByText('Add new').click();
        // The new window is the one showing the instructions again (the first holds the subscription).
        await queryEditor.filter({ hasText: 'Give it your API key once' }).waitFor();
        await replaceEditorText(page, queryEditor, `mutation { reportLeadEvent(input: { leadId: "${leadId}", event: REGISTRATION }) { outcome } }`);
        await send.click();
        await result.filter({ hasText: /"outcome":\s*"RECEIVED"/ }).waitFor();

        // 6. Back in the first window, the status change has arrived.
        await websockets.waitFor((f) => f.direction === 'received' && f.message.type === 'next' && f.message.id === subscribed.message.id);
        await page.locator('app-window-switcher-item').first().click();
        await result.filter({ hasText: new RegExp(`"leadId":\\s*"${leadId}"`) }).filter({ hasText: /"to":\s*"REGISTRATION"/ }).waitFor();

        // Nothing but the gateway: no CDN, no update check, no telemetry.
        const elsewhere = [...requested, ...websockets.urls].filter((url) => {
          const { protocol, host } = new URL(url);
          if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
          return host !== new URL(gateway.url).host;
        });
        expect(elsewhere).toEqual([]);
        expect(requested.length).toBeGreaterThan(10);
        // Everything above worked within the policy.
        expect(blocked).toEqual([]);
      }),
    120_000,
    );
  });
});
