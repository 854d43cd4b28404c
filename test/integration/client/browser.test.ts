import * as esbuild from 'esbuild';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GatewayCloseCode } from 'leadgraph/client';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { browserSkipReason, launchChromium } from '../../support/browser.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import { Waiters, within } from '../../client/support/waiters.js';
import { type StreamConfig } from './browser-page.js';
import { appendBurst, loggedIds } from './support.js';

const PAGE_ENTRY = fileURLToPath(new URL('./browser-page.ts', import.meta.url));
const BUFFER = 5;

const skipBrowser = browserSkipReason();
if (skipBrowser !== undefined) console.warn(`[client/browser] skipping the Chromium test: ${skipBrowser}`);

/** A page and a script on one origin of their own. */
async function servePage(): Promise<{ origin: string; close(): Promise<void> }> {
  // The entry imports 'leadgraph/client', resolved here as any app's bundler would.
  const { outputFiles } = await esbuild.build({ entryPoints: [PAGE_ENTRY], bundle: true, write: false, format: 'esm', platform: 'browser', logLevel: 'silent' });
  const script = outputFiles[0]!.text;
  const html = '<!doctype html><html><head><link rel="icon" href="data:,"><script type="module" src="/page.js"></script></head><body></body></html>';
  const server = http.createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe.skipIf(skipBrowser !== undefined)('leadgraph/client in Chromium, on the browser\'s own WebSocket', () => {
  let gateway: TestGateway;
  let app: Awaited<ReturnType<typeof servePage>>;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    app = await servePage();
    gateway = await startTestGateway({ env: { CORS_ORIGINS: app.origin, SUBSCRIPTION_BUFFER: String(BUFFER) } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await gateway?.stop();
    await app?.close();
  });

  it('delivers every change once, in order, across a close by the gateway (4410) and one by the page', async () => {
    const { leadId } = await seedLead(gateway.db);
    const start = await lastChangeId(gateway.db);
    const ids: string[] = [];
    const connection: string[] = [];
    const waiters = new Waiters();
    page = await browser.newPage();
    await page.exposeFunction('reportEvent', (id: string) => {
      ids.push(id);
      waiters.check();
    });
    await page.exposeFunction('reportConnection', (event: string) => {
      connection.push(event);
      waiters.check();
    });
    const connected = (count: number) => waiters.until(() => connection.filter((e) => e === 'connected').length >= count, `connection ${count}`);
    const delivered = (id: string) =>
      within(10_000, waiters.until(() => ids.includes(id), `change ${id}`), () => `change ${id} never reached the page; it has ${ids.join(', ')} (${connection.join('; ')})`);

    expect((await page.goto(`${app.origin}/`))?.status()).toBe(200);
    await page.waitForFunction(() => globalThis.leadgraphStream !== undefined);
    const config: StreamConfig = { wsUrl: gateway.url.replace(/^http/, 'ws'), apiKey: gateway.api.token!, leadId, after: start };
    await page.evaluate((config) => globalThis.leadgraphStream!.start(config), config);

    const first = await appendChanges(gateway.db, [change(leadId, Provider.TECHEA, 'first')]);
    await delivered(first[0]!);
    // Bursts of more than the buffer until the gateway has closed the page's connection once.
    for (let burst = 0; !connection.includes(`closed ${GatewayCloseCode.TooFarBehind}`); burst++) {
      if (burst >= 10) throw new Error(`10 bursts did not close the page's connection: ${connection.join('; ')}`);
      const burstIds = await appendBurst(gateway.db, leadId, BUFFER * 3, `burst-${burst}`);
      await delivered(burstIds.at(-1)!);
    }
    const connections = connection.filter((e) => e === 'connected').length;
    await page.evaluate(() => globalThis.leadgraphStream!.drop());
    await connected(connections + 1);
    const last = await appendChanges(gateway.db, [change(leadId, Provider.TECHEA, 'last')]);
    await delivered(last[0]!);

    expect(ids).toEqual(await loggedIds(gateway.api, leadId, start));
    expect(connection).toContain('closed 3000');
    expect(connection.filter((e) => e.startsWith('error'))).toEqual([]);
  });
});
