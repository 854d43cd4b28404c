import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createDataSource } from '../../src/db/data-source.js';
import { freePort } from '../../src/db/embedded-postgres.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedLead } from '../support/fixtures.js';
import { TEST_METRICS_TOKEN } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { killLeftoverGateways } from '../support/process.js';
import { type ProcessFleet, startProcessFleet } from '../support/process-fleet.js';
import { scrape } from '../support/prometheus-scrape.js';
import { lastChangeId } from '../support/status-log.js';
import { subscribeToStatusChanges } from '../support/status-subscription.js';

const NGINX = '/usr/sbin/nginx';
const REPO = new URL('../..', import.meta.url).pathname;
/** Debian's nginx runs this test; on a workstation without it the test is skipped, in CI (`CI` set) it fails. */
const skip = !existsSync(NGINX) && !process.env.CI;

/**
 * deploy/nginx.conf, the balancer compose.yaml runs, as shipped: only its upstream
 * (compose's `gateway` replicas) and its port are replaced, to front gateway processes
 * started here.
 */
async function startNginx(dir: string, upstreams: readonly string[]): Promise<{ url: string; process: ChildProcess }> {
  const shipped = await readFile(path.join(REPO, 'deploy/nginx.conf'), 'utf8');
  const port = await freePort();
  expect(shipped).toContain('    server gateway:4000;\n');
  expect(shipped).toContain('    listen 80;\n');
  const site = shipped
    .replace('    server gateway:4000;\n', upstreams.map((address) => `    server ${address};\n`).join(''))
    .replace('    listen 80;\n', `    listen 127.0.0.1:${port};\n`);
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  await writeFile(
    path.join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events {}',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${temp(name)}`),
      site,
      '}',
    ].join('\n'),
  );
  execFileSync(NGINX, ['-t', '-q', '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')]);
  const child = spawn(NGINX, ['-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  // Listening once a connection is accepted (each refusal is an answer, not a timer).
  for (let attempt = 0; ; attempt++) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) break;
    if (attempt > 2_000 || child.exitCode !== null) throw new Error(`nginx did not start: ${await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')}`);
  }
  return { url: `http://127.0.0.1:${port}/graphql`, process: child };
}

describe.skipIf(skip)('two gateway processes behind deploy/nginx.conf', () => {
  let dir: string;
  let database: TestDatabase;
  let db: DataSource;
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let fleet: ProcessFleet;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'leadgraph-nginx-'));
    database = await createTestDatabase();
    sandboxes = await startLiveSandboxes();
    fleet = await startProcessFleet(2, {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'info',
      DEMO_DATA: 'off',
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_SECOND: '100000',
      ...sandboxes.env,
    });
    nginx = await startNginx(dir, fleet.urls.map((url) => new URL(url).host));
    db = await createDataSource({ url: database.url, poolSize: 2 }).initialize();
    token = (await new ApiKeyService(db).create(DEFAULT_TENANT, 'operator', { createdBy: 'nginx test' })).key;
  }, 120_000);
  afterAll(async () => {
    nginx?.process.kill('SIGQUIT');
    await fleet?.stop();
    await killLeftoverGateways();
    await sandboxes?.stop();
    await db?.destroy();
    await database?.drop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const operations = async (url: string) => {
    const metrics = await scrape(url, TEST_METRICS_TOKEN);
    const name = 'leadgraph_graphql_operations_total';
    return metrics.series(name).reduce((sum, labels) => sum + (metrics.value(name, labels) ?? 0), 0);
  };

  it('spreads requests over both instances', async () => {
    const before = await Promise.all(fleet.urls.map(operations));
    for (let i = 0; i < 20; i++) expect((await postGraphQL({ url: nginx.url, token }, `{ leads(first: 1) { totalCount } }`)).status).toBe(200);
    const after = await Promise.all(fleet.urls.map(operations));
    const served = after.map((count, i) => count - before[i]!);
    expect(served.reduce((a, b) => a + b)).toBe(20);
    for (const count of served) expect(count).toBeGreaterThan(0);
  });

  it('passes WebSocket upgrades through: a subscription through the balancer sees a mutation made through it', async () => {
    const techeaLeadId = sandboxes.techea.behavior.addLead();
    const { leadId } = await seedLead(db, { techeaLeadId });
    const subscription = subscribeToStatusChanges({ url: nginx.url, token }, { after: await lastChangeId(db), leadId, providers: ['TECHEA'] });
    try {
      const data = await queryData<{ reportLeadEvent: { dispatch: { state: string } } }>({ url: nginx.url, token }, `mutation ($i: ReportLeadEventInput!) {
        reportLeadEvent(input: $i) { dispatch { state } }
      }`, { i: { leadId, event: 'REGISTRATION' } });
      expect(data.reportLeadEvent.dispatch.state).toBe('SUCCEEDED');
      expect(await subscription.untilCount(1)).toEqual([expect.objectContaining({ leadId, provider: 'TECHEA', entityId: techeaLeadId })]);
    } finally {
      await subscription.close();
    }
  });

  it('keeps /metrics off the balancer (each instance is scraped on its own), and serves /readyz', async () => {
    const metrics = await fetch(new URL('/metrics', nginx.url), { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
    expect(metrics.status).toBe(404);
    await metrics.arrayBuffer();
    const ready = await fetch(new URL('/readyz', nginx.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });
});
