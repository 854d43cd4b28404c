/**
 * The example app (examples/web), built as `npm run example:build` builds it and served on an
 * origin of its own, in headless Chromium, against a gateway started with `npm start` (a real
 * process, its built-in provider sandboxes, the demo data set) on a test database: it pages
 * through the leads, follows one dispatch that fails twice then succeeds and one that is
 * refused, and keeps an exact live log while the test cuts its socket and restarts the gateway.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExample } from '../../examples/web/scripts/build.js';
import { type ExampleServer, serveExample } from '../../examples/web/scripts/serve.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createDataSource, runMigrations } from '../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { Provider } from '../../src/domain/vocabulary.js';
import { browserSkipReason, launchChromium, WebSocketFrames } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { queryData, type Target } from '../support/graphql-client.js';
import { type GatewayProcess, killLeftoverGateways, runGateway } from '../support/process.js';
import { appendChanges, change } from '../support/status-log.js';

const skipBrowser = browserSkipReason();
if (skipBrowser !== undefined) console.warn(`[example-web] skipping the Chromium test: ${skipBrowser}`);

/** The demo data set `npm start` loads on an empty database, and the app's page size. */
const DEMO_LEADS = 39;
const PAGE_SIZE = 10;

type SandboxName = 'TECHEA' | 'LEAD_BANK' | 'TECALIS' | 'DECISION_CLOUD';

/** A gateway process as `npm start` runs it, and where its built-in sandboxes listen. */
interface RunningGateway {
  readonly process: GatewayProcess;
  readonly url: string;
  readonly sandboxes: Record<SandboxName, URL>;
}

/** A TCP hop between the page and the gateway that the test can cut, as a network drop does. */
interface CuttableLink {
  /** The gateway's /graphql as the page reaches it. */
  readonly url: string;
  /** Drops every connection through it, and refuses new ones until {@link restore}. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function cuttableLink(targetPort: number): Promise<CuttableLink> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = async () => {
    const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/graphql`, cut: stop, restore: () => listen(port), close: stop };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `PUT /__sandbox/faults` on one built-in sandbox of the running gateway. */
async function setFaults(gateway: RunningGateway, provider: SandboxName, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(new URL('/__sandbox/faults', gateway.sandboxes[provider]), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.status).toBe(200);
}

/** What the page shows in its live log, in order. */
interface LoggedChange {
  readonly id: string;
  readonly provider: string;
  readonly from: string | null;
  readonly to: string;
}

const pageLog = (page: Page): Promise<LoggedChange[]> =>
  page.$$eval('#live-log li', (items) =>
    items.map((item) => {
      const from = item.getAttribute('data-from');
      return { id: item.getAttribute('data-id')!, provider: item.getAttribute('data-provider')!, from: from === '' ? null : from, to: item.getAttribute('data-to')! };
    }),
  );

/** Resolves once the page's live log holds `id` (a DOM mutation, not a timer, wakes it). */
const logHolds = (page: Page, id: string) => page.waitForSelector(`#live-log li[data-id="${id}"]`, { state: 'attached', timeout: 30_000 });

/** Resolves once the page's row of dispatch `id` says `state`. */
const dispatchRow = (page: Page, id: string, state: string) =>
  page.waitForSelector(`#dispatches tr[data-dispatch-id="${id}"][data-state="${state}"]`, { state: 'attached', timeout: 30_000 });

const rowOf = (page: Page, id: string) =>
  page.$eval(`#dispatches tr[data-dispatch-id="${id}"]`, (row) => ({
    state: row.getAttribute('data-state'),
    attempts: row.getAttribute('data-attempts'),
    errorCode: row.getAttribute('data-error-code'),
    cells: [...row.querySelectorAll('td')].map((cell) => cell.textContent),
  }));

describe.skipIf(skipBrowser !== undefined)('the example app (examples/web) in Chromium, on its own origin, against `npm start`', () => {
  let database: TestDatabase;
  let db: DataSource;
  let key: string;
  let env: Record<string, string>;
  let gateway: RunningGateway;
  let link: CuttableLink;
  let app: ExampleServer;
  let buildDir: string;
  let browser: Browser;
  let page: Page;
  let frames: WebSocketFrames;
  /** Every HTTP request the page sent to the gateway, in order (operation names). */
  const requests: string[] = [];
  let api: Target;

  /** The lead the test opens, and the head its page started the live log at. */
  let leadId: string;
  let start: string;

  async function startGateway(): Promise<RunningGateway> {
    const process = runGateway('npm', ['start'], env);
    const url = await process.ready;
    const sandboxes = {} as Record<SandboxName, URL>;
    for (const [, provider, base] of process.output().matchAll(/(TECHEA|LEAD_BANK|TECALIS|DECISION_CLOUD): built-in sandbox at (http:\/\/[^\s"]+)/g)) {
      sandboxes[provider as SandboxName] = new URL(base!);
    }
    expect(Object.keys(sandboxes).sort(), process.output()).toEqual(['DECISION_CLOUD', 'LEAD_BANK', 'TECALIS', 'TECHEA']);
    return { process, url, sandboxes };
  }

  async function stopGateway(): Promise<void> {
    gateway.process.child.kill('SIGTERM');
    expect(await gateway.process.exited, gateway.process.output()).toBe(0);
  }

  beforeAll(async () => {
    buildDir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-example-web-'));
    await buildExample(buildDir);
    app = await serveExample({ dir: buildDir, port: 0 });

    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    await runMigrations(db);
    key = (await new ApiKeyService(db).create(DEFAULT_TENANT, 'operator', { createdBy: 'test' })).key;

    const port = await freePort();
    env = {
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      CORS_ORIGINS: app.origin,
      LOG_LEVEL: 'info',
      // Retries come quickly, so "fails twice then succeeds" takes a second, not three.
      DISPATCH_BACKOFF_BASE_MS: '200',
      DISPATCH_BACKOFF_MAX_MS: '1000',
    };
    gateway = await startGateway();
    api = { url: gateway.url, token: key };
    link = await cuttableLink(port);

    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    frames = new WebSocketFrames(page);
    page.on('request', (request: Request) => {
      if (request.url() === link.url && request.method() === 'POST') requests.push((request.postDataJSON() as { operationName?: string }).operationName ?? '?');
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await link?.close();
    await killLeftoverGateways();
    await app?.close();
    await db?.destroy();
    await database?.drop();
    if (buildDir) await fs.rm(buildDir, { recursive: true, force: true });
  });

  it('signs in and pages through the leads: one request per page, merged into one list by relayStylePagination', async () => {
    expect((await page.goto(`${app.origin}/`))?.status()).toBe(200);
    await page.fill('#sign-in input[name=httpUrl]', link.url);
    await page.fill('#sign-in input[name=credential]', key);
    await page.click('#sign-in button[type=submit]');

    await page.waitForSelector(`#leads tbody tr:nth-child(${PAGE_SIZE})`);
    expect(await page.textContent('#leads-count')).toBe(`${PAGE_SIZE} of ${DEMO_LEADS} leads`);
    for (let shown = PAGE_SIZE; shown < DEMO_LEADS; shown += PAGE_SIZE) {
      await page.click('#load-more');
      await page.waitForSelector(`#leads tbody tr:nth-child(${Math.min(shown + PAGE_SIZE, DEMO_LEADS)})`);
    }
    await page.waitForSelector('#load-more', { state: 'hidden' });
    expect(await page.textContent('#leads-count')).toBe(`${DEMO_LEADS} of ${DEMO_LEADS} leads`);

    const shown = await page.$$eval('#leads tbody tr', (rows) => rows.map((row) => [row.getAttribute('data-lead-id'), row.getAttribute('data-stage')]));
    const { leads } = await queryData<{ leads: { edges: Array<{ node: { id: string; stage: string } }> } }>(api, `{ leads(first: 100) { edges { node { id stage } } } }`);
    expect(shown).toEqual(leads.edges.map(({ node }) => [node.id, node.stage]));
    expect(requests).toEqual(['LeadsPage', 'LeadsPage', 'LeadsPage', 'LeadsPage']);
  });

  it('opens a lead from a later page: its state and statusHead in one query, then both streams from that head', async () => {
    // A lead with a record at every provider, beyond the first page.
    const rows = await page.$$eval('#leads tbody tr', (items) => items.map((row) => [row.getAttribute('data-lead-id')!, row.getAttribute('data-stage')!]));
    const index = rows.findIndex(([, stage], i) => i >= PAGE_SIZE && stage === 'LOAN_ISSUED');
    expect(index).toBeGreaterThanOrEqual(PAGE_SIZE);
    leadId = rows[index]![0];
    await page.click(`#leads tr[data-lead-id="${leadId}"] a`);

    await page.waitForSelector('#live-log[data-after]', { state: 'attached' });
    start = (await page.getAttribute('#live-log', 'data-after'))!;
    expect(start).toBe((await queryData<{ statusHead: string }>(api, `{ statusHead }`)).statusHead);
    expect(await page.textContent('#stage')).toBe('LOAN_ISSUED');
    expect(requests.at(-1)).toBe('LeadPage');

    // Both subscriptions went out over the one socket, from the head, with the key in connection_init.
    const init = await frames.waitFor((f) => f.direction === 'sent' && f.message.type === 'connection_init');
    expect(init.message.payload).toEqual({ authorization: `Bearer ${key}` });
    for (const operationName of ['LeadLive', 'DispatchEnds']) {
      const subscribe = await frames.waitFor((f) => f.direction === 'sent' && f.message.type === 'subscribe' && (f.message.payload as any).operationName === operationName);
      expect((subscribe.message.payload as any).variables).toEqual({ leadId, after: start });
    }
    await page.waitForSelector('#connection[data-state="live"]');
  });

  it('follows a dispatch whose provider fails twice: answered PENDING, then SUCCEEDED from dispatchChanged, no request in between', async () => {
    await setFaults(gateway, 'TECHEA', { forceStatus: 503, forceCount: 2 });
    const answered = page.waitForResponse((response) => response.url() === link.url && (response.request().postDataJSON()).operationName === 'ReportLeadEvent');
    await page.selectOption('#report-event select', 'LOAN_PAID');
    await page.click('#report-event button');
    const answer = (await (await answered).json());
    const dispatch = answer.data.reportLeadEvent.dispatch;
    expect(dispatch).toMatchObject({ provider: 'TECHEA', state: 'PENDING', attempts: 1, lastError: { errorCode: 'UNAVAILABLE', httpStatus: 503 } });
    const sentBefore = requests.length;

    await dispatchRow(page, dispatch.id, 'SUCCEEDED');
    expect(await rowOf(page, dispatch.id)).toEqual({
      state: 'SUCCEEDED',
      attempts: '3',
      errorCode: null,
      cells: ['TECHEA: event LOAN_PAID', 'SUCCEEDED', '3', 'answered PENDING, PENDING → SUCCEEDED', ''],
    });
    // The end came over the socket; the page asked the gateway nothing after the answer.
    expect(requests.slice(sentBefore)).toEqual([]);
    await frames.waitFor(
      (f) => f.direction === 'received' && f.message.type === 'next' && (f.message.payload as any)?.data?.dispatchChanged?.dispatch?.id === dispatch.id,
    );
    // The record's change came too, and the stage it brought was written to the cache, so the view shows it.
    await page.waitForSelector('#lead-state #stage:text-is("LOAN_PAID")');
    expect(await page.textContent('#techea')).toMatch(/: LOAN_PAID$/);
    expect((await pageLog(page)).at(-1)).toMatchObject({ provider: 'TECHEA', from: 'LOAN_ISSUED', to: 'LOAN_PAID' });
  });

  it("shows a refused dispatch as FAILED with the provider's own message", async () => {
    await setFaults(gateway, 'TECALIS', { forceStatus: 422, forceCount: 1 });
    const answered = page.waitForResponse((response) => response.url() === link.url && (response.request().postDataJSON()).operationName === 'UpdateVerificationStatus');
    await page.selectOption('#update-verification select', 'KO');
    await page.click('#update-verification button');
    const dispatch = ((await (await answered).json())).data.updateVerificationStatus.dispatch;
    expect(dispatch).toMatchObject({ provider: 'TECALIS', state: 'FAILED', attempts: 1 });

    // The answer said FAILED; the stream's PENDING → FAILED follows, with the same error.
    await page.waitForSelector(`#dispatches tr[data-dispatch-id="${dispatch.id}"] td:text-is("answered FAILED, PENDING → FAILED")`);
    expect(await rowOf(page, dispatch.id)).toEqual({
      state: 'FAILED',
      attempts: '1',
      errorCode: 'REJECTED',
      // Tecalis's sandbox answers an injected 422 with Laravel's words, as Tecalis does.
      cells: ['Tecalis: verification KO', 'FAILED', '1', 'answered FAILED, PENDING → FAILED', 'REJECTED (422): The given data was invalid.'],
    });
    expect(dispatch.lastError).toEqual({ __typename: 'ProviderError', code: 'REJECTED', errorCode: 'REJECTED', httpStatus: 422, message: 'The given data was invalid.' });
    expect(await page.textContent('#verification')).toMatch(/: OK$/);
  });

  it('keeps an exact live log through a cut socket and a gateway restart: the page shows statusChanges from its head, no gap, no duplicate', { timeout: 180_000 }, async () => {
    const lead = (
      await queryData<{ lead: { techeaLeadId: string; verification: { authUuid: string } } }>(api, `query ($id: ID!) { lead(id: $id) { techeaLeadId verification { authUuid } } }`, {
        id: leadId,
      })
    ).lead;
    const lastBeforeCut = (await pageLog(page)).at(-1)!.id;

    // 1. The network drops: the page's socket is cut and it cannot reconnect for a while,
    // during which someone else changes the lead through the gateway.
    await link.cut();
    await page.waitForSelector('#connection[data-state^="closed"]', { state: 'attached' });
    const elsewhere = await queryData<any>(
      api,
      `mutation ($input: UpdateVerificationStatusInput!) { updateVerificationStatus(input: $input) { dispatch { id state } } }`,
      { input: { authUuid: lead.verification.authUuid, state: 'KO' } },
    );
    expect(elsewhere.updateVerificationStatus.dispatch.state).toBe('SUCCEEDED');
    const missed = await changesAfter(lastBeforeCut);
    expect(missed.map((c) => [c.provider, c.from, c.to])).toEqual([['TECALIS', 'OK', 'KO']]);
    await link.restore();
    await logHolds(page, missed.at(-1)!.id);
    await dispatchRow(page, elsewhere.updateVerificationStatus.dispatch.id, 'SUCCEEDED');

    // 2. The gateway restarts (SIGTERM: it closes the socket with 1001). While it is down,
    // changes still commit (another instance of the fleet: here written straight to the log).
    const lastBeforeStop = (await pageLog(page)).at(-1)!.id;
    // The state holds for the first retry's wait (at least 250 ms), then the page tries again.
    const closedForRestart = page.waitForSelector('#connection[data-state="closed 1001"]', { state: 'attached' });
    await stopGateway();
    await closedForRestart;
    const whileDown = await appendChanges(db, [
      change(leadId, Provider.TECHEA, lead.techeaLeadId, 'WHILE_DOWN_1', 'LOAN_PAID'),
      change(leadId, Provider.TECHEA, lead.techeaLeadId, 'WHILE_DOWN_2', 'WHILE_DOWN_1'),
    ]);
    gateway = await startGateway();
    api = { url: gateway.url, token: key };
    // And one through the restarted gateway, perhaps before the page is back.
    const afterRestart = await queryData<any>(api, `mutation ($input: ReportLeadEventInput!) { reportLeadEvent(input: $input) { dispatch { id state } } }`, {
      input: { leadId, event: 'LOAN_DEFAULTED' },
    });
    expect(afterRestart.reportLeadEvent.dispatch.state).toBe('SUCCEEDED');
    await page.waitForSelector('#connection[data-state="live"]', { state: 'attached', timeout: 60_000 });
    await logHolds(page, whileDown.at(-1)!);
    await dispatchRow(page, afterRestart.reportLeadEvent.dispatch.id, 'SUCCEEDED');

    // 3. The page goes on working against the new process: two more mutations, each followed to its end.
    const ended: string[] = [];
    for (const [form, value, operationName, field] of [
      ['#update-application', 'CANCELED', 'UpdateApplication', 'updateApplication'],
      ['#upsert-loan', 'PAID_IN_FULL', 'UpsertLoan', 'upsertLoan'],
    ] as const) {
      const answered = page.waitForResponse((response) => response.url() === link.url && (response.request().postDataJSON()).operationName === operationName);
      await page.selectOption(`${form} select`, value);
      await page.click(`${form} button`);
      const dispatch = ((await (await answered).json())).data[field].dispatch;
      await dispatchRow(page, dispatch.id, 'SUCCEEDED');
      ended.push(dispatch.id);
    }

    // The log the page shows is the lead's log from the page's head: every change once, in order.
    const expected = await changesAfter(start);
    await logHolds(page, expected.at(-1)!.id);
    const shown = await pageLog(page);
    expect(shown).toEqual(expected);
    expect(new Set(shown.map((c) => c.id)).size).toBe(shown.length);
    expect(shown.every((c, i) => i === 0 || BigInt(c.id) > BigInt(shown[i - 1]!.id))).toBe(true);
    // Each time the socket came back, the live log resumed right after the last change it had
    // shown: not from its head again (duplicates), and not from "now" (a gap).
    const resumedFrom = frames.frames
      .filter((f) => f.direction === 'sent' && f.message.type === 'subscribe' && (f.message.payload as any).operationName === 'LeadLive')
      .map((f) => (f.message.payload as any).variables.after);
    expect(resumedFrom).toEqual([start, lastBeforeCut, lastBeforeStop]);
    expect(shown.map((c) => [c.provider, c.from, c.to])).toEqual([
      ['TECHEA', 'LOAN_ISSUED', 'LOAN_PAID'],
      ['TECALIS', 'OK', 'KO'],
      ['TECHEA', 'LOAN_PAID', 'WHILE_DOWN_1'],
      ['TECHEA', 'WHILE_DOWN_1', 'WHILE_DOWN_2'],
      ['TECHEA', expect.any(String), 'LOAN_DEFAULTED'],
      ['LEAD_BANK', 'APPROVED', 'CANCELED'],
      ['DECISION_CLOUD', 'CURRENT', 'PAID_IN_FULL'],
    ]);

    // Every dispatch the page followed stands where the gateway says it does, and the stage the
    // events wrote to the cache is the lead's.
    const rows = await page.$$eval('#dispatches tr[data-dispatch-id]', (items) => items.map((row) => [row.getAttribute('data-dispatch-id')!, row.getAttribute('data-state')!]));
    expect(rows).toHaveLength(6);
    for (const [id, state] of rows) {
      expect((await queryData<any>(api, `query ($id: ID!) { dispatch(id: $id) { state } }`, { id })).dispatch.state).toBe(state);
    }
    const { lead: now } = await queryData<any>(api, `query ($id: ID!) { lead(id: $id) { stage } }`, { id: leadId });
    expect(await page.textContent('#stage')).toBe(now.stage);
  });

  /** The lead's log after `after`, as `statusChanges` answers it. */
  async function changesAfter(after: string): Promise<LoggedChange[]> {
    const { statusChanges } = await queryData<{ statusChanges: LoggedChange[] }>(
      api,
      `query ($leadId: ID, $after: ID) { statusChanges(first: 100, leadId: $leadId, after: $after) { id provider from to } }`,
      { leadId, after },
    );
    return statusChanges;
  }
});
