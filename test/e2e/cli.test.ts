import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, queryData } from '../support/graphql-client.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';

/** Whether the PostgreSQL named in a data directory's postmaster.pid is running. */
function postmasterRunning(dataDir: string): boolean {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('the gateway as a user starts it (no DATABASE_URL, nothing installed)', () => {
  let home: string;
  let dataDir: string;
  let env: Record<string, string>;
  /** The development admin key printed by the first start. */
  let adminKey: string;
  const as = (url: string, token = adminKey) => ({ url, token });

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-e2e-'));
    await fs.chmod(home, 0o755); // as root, the embedded PostgreSQL runs as `postgres` and must reach it
    dataDir = path.join(home, 'pg');
    env = { LEADGRAPH_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', DEMO_DATA: 'off' };
  });
  afterAll(async () => {
    await killLeftoverGateways();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('`npm start` starts an embedded PostgreSQL, prints the URL, serves, and stops cleanly on SIGTERM', async () => {
    const gateway = runGateway('npm', ['start', '--silent'], env);
    const url = await gateway.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(gateway.output()).toContain('initialising the embedded PostgreSQL data directory');
    // With no provider configured, each one is a built-in sandbox, and the log says so per provider.
    for (const [provider, variable] of [['TECHEA', 'TECHEA_BASE_URL'], ['LEAD_BANK', 'LEADBANK_BASE_URL'], ['TECALIS', 'TECALIS_BASE_URL'], ['DECISION_CLOUD', 'DECISIONCLOUD_BASE_URL']]) {
      expect(gateway.output()).toMatch(new RegExp(`"msg":"${provider}: built-in sandbox at http://127\\.0\\.0\\.1:\\d+/ \\(${variable} is not set\\)"`));
    }
    const printed = /Development admin key \(tenant "default"\), shown only this once:\n\s+(lgk_[\w-]{43})\n/.exec(gateway.output());
    expect(printed, 'the banner shows a development admin key').not.toBeNull();
    adminKey = printed![1]!;
    // Printed for the person at the terminal, never written to a log line.
    const logLines = gateway.output().split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.join('\n')).not.toContain(adminKey);
    expect((await postGraphQL(url, '{ leads { totalCount } }')).status).toBe(401);

    const created = await queryData<{ createLead: { id: string; stage: string } }>(
      as(url),
      `mutation { createLead(input: { advertiserRef: "E2E-1" }) { id stage } }`,
    );
    expect(created.createLead.stage).toBe('NEW');
    expect(postmasterRunning(dataDir)).toBe(true);

    // A supervisor stops `npm start` by signalling npm; the gateway must get it and stop cleanly.
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    expect(gateway.output()).toContain('"msg":"stopped"');
    expect(postmasterRunning(dataDir)).toBe(false);
    expect(gateway.output()).not.toMatch(/"level":(50|60)/); // no error or fatal log line
  });

  it('reuses the data directory on the next start', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await gateway.ready;
    expect(gateway.output()).not.toContain('initialising');
    expect(gateway.output()).not.toContain('Development admin key'); // keys exist now: none is made
    const data = await queryData<{ leads: { edges: Array<{ node: { advertiserRef: string } }> } }>(
      as(url),
      `{ leads { edges { node { advertiserRef } } } }`,
    );
    expect(data.leads.edges.map((e) => e.node.advertiserRef)).toEqual(['E2E-1']);
    gateway.child.kill('SIGINT');
    expect(await gateway.exited).toBe(0);
  });

  it('recovers, with a clear message, from a PostgreSQL left running by a killed gateway', async () => {
    const killed = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    await killed.ready;
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(postmasterRunning(dataDir)).toBe(true); // the orphan

    const next = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await next.ready;
    expect(next.output()).toContain('left running by an earlier gateway that did not shut down cleanly');
    const response = await postGraphQL(as(url), `{ leads { totalCount } }`);
    expect(response.data).toEqual({ leads: { totalCount: 1 } });
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('`leadgraph keys` creates, lists and revokes keys while the gateway runs on the same embedded database', async () => {
    // A gateway trusts a successful key check for WS_CREDENTIAL_CHECK_SECONDS: a key revoked
    // by the CLI (which no gateway hears of) stops working within that bound.
    const boundSeconds = 1;
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], { ...env, WS_CREDENTIAL_CHECK_SECONDS: String(boundSeconds) });
    const url = await gateway.ready;

    const create = runGateway('node', ['bin/leadgraph.js', 'keys', 'create', '--tenant', 'acme', '--role', 'viewer', '--label', 'dashboard'], env);
    expect(await create.exited).toBe(0);
    const stdout = create.output().split('\n').filter((line) => line.startsWith('lgk_'));
    expect(stdout).toHaveLength(1); // the key, alone on its line
    const viewerKey = stdout[0]!;
    expect(create.output().replace(viewerKey, '')).not.toContain('lgk_'); // and nowhere else

    // The new key works at once, in its own tenant: it sees none of the default tenant's leads.
    expect(await queryData(as(url, viewerKey), '{ leads { totalCount } }')).toEqual({ leads: { totalCount: 0 } });

    const list = runGateway('node', ['bin/leadgraph.js', 'keys', 'list', '--tenant', 'acme'], env);
    expect(await list.exited).toBe(0);
    const row = list.output().split('\n').find((line) => line.includes('dashboard'))!;
    expect(row.split(/ {2}/)).toEqual([row.slice(0, 36), 'acme', 'viewer', expect.stringMatching(/^lgk_\S+…$/), 'active', 'dashboard']);
    expect(list.output()).not.toContain(viewerKey);

    const revoke = runGateway('node', ['bin/leadgraph.js', 'keys', 'revoke', row.slice(0, 36)], env);
    expect(await revoke.exited).toBe(0);
    const revokedAt = performance.now();
    // Asked again as soon as each answer comes (a wait on the condition, not a sleep), until refused.
    while ((await postGraphQL(as(url, viewerKey), '{ leads { totalCount } }')).status !== 401) {
      expect(performance.now() - revokedAt, 'refused within WS_CREDENTIAL_CHECK_SECONDS').toBeLessThan(boundSeconds * 1000 + 1_000);
    }
    expect((await postGraphQL(as(url, viewerKey), '{ leads { totalCount } }')).status).toBe(401);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('refuses a second gateway on a data directory that a running one owns, without harming it', async () => {
    const first = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await first.ready;
    const second = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(/leadgraph: Another leadgraph \(pid \d+\) is already running on /);
    expect((await postGraphQL(as(url), '{ leads { totalCount } }')).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it.each([
    [['keys', 'create', '--tenant', 'acme'], 'keys create needs --role viewer|operator|admin'],
    [['keys', 'create', '--tenant', 'Not A Tenant', '--role', 'viewer'], '--tenant: expected a tenant id'],
    [['keys', 'revoke', 'abc'], 'id: expected a UUID, but got "abc"'],
    [['keys', 'rotate'], 'unknown keys action "rotate"'],
  ])('answers `leadgraph %s` with a usage error', async (args, message) => {
    const command = runGateway('node', ['bin/leadgraph.js', ...args], env);
    expect(await command.exited).toBe(2);
    expect(command.output()).toContain(message);
  });

  it('`leadgraph sandbox` runs the four sandboxes standalone and prints how to point a gateway at them', async () => {
    const sandbox = runGateway('node', ['bin/leadgraph.js', 'sandbox', '--port', '0'], { ...env, SANDBOX_LEADBANK_APPLICATIONS: 'application_mine1,application_mine2' });
    // The settings are complete once the line printed after them has arrived (output comes in chunks).
    await new Promise<void>((resolve) => {
      const check = () => /\n {2}Decision Cloud customers: [^\n]*\n/.test(sandbox.output()) && resolve();
      sandbox.child.stdout!.on('data', check);
      check();
    });
    // The sample records, but where a SANDBOX_* variable says otherwise.
    expect(sandbox.output()).toContain('  TECHEA leads: 7ec4ea00-0000-4000-8000-000000000001, 7ec4ea00-0000-4000-8000-000000000002');
    expect(sandbox.output()).toContain('  Lead Bank applications: application_mine1, application_mine2\n');
    const lines = sandbox.output().split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    const settings = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(Object.keys(settings).sort()).toEqual([
      'DECISIONCLOUD_BASE_URL', 'DECISIONCLOUD_CLIENT_ID', 'DECISIONCLOUD_CLIENT_SECRET', 'LEADBANK_BASE_URL', 'LEADBANK_CLIENT_ID',
      'LEADBANK_CLIENT_SECRET', 'TECALIS_API_KEY', 'TECALIS_BASE_URL', 'TECHEA_API_KEY', 'TECHEA_BASE_URL',
    ]);
    for (const variable of ['TECHEA_BASE_URL', 'LEADBANK_BASE_URL', 'TECALIS_BASE_URL', 'DECISIONCLOUD_BASE_URL']) {
      const control = await fetch(new URL('/__sandbox', settings[variable]));
      expect(control.status).toBe(200);
    }
    // A gateway pointed at them treats them as live providers.
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], { ...env, LEADGRAPH_DATA_DIR: path.join(home, 'against-sandboxes'), ...settings });
    await gateway.ready;
    expect(gateway.output()).toContain(`"msg":"TECHEA: live at ${settings.TECHEA_BASE_URL}"`);
    expect(gateway.output()).not.toContain(settings.TECHEA_API_KEY);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
  });

  it('`leadgraph sandbox` takes the credentials a gateway is given, so one statement of them serves both (a fleet\'s compose file)', async () => {
    const given = {
      TECHEA_API_KEY: 'adv_given-by-the-deployment',
      LEADBANK_CLIENT_ID: 'client_given',
      LEADBANK_CLIENT_SECRET: 'secret_given-by-the-deployment',
      TECALIS_API_KEY: '1f0e6a44-5f4b-4d0e-9a52-2c9a3c1f6b10',
      DECISIONCLOUD_CLIENT_ID: 'dc_given',
      DECISIONCLOUD_CLIENT_SECRET: 'given-by-the-deployment',
    };
    const sandbox = runGateway('node', ['bin/leadgraph.js', 'sandbox', '--port', '0', '--host', '0.0.0.0'], { ...env, ...given });
    await sandbox.untilOutput(/^ {2}Decision Cloud customers: /m);
    const settings = Object.fromEntries(
      sandbox.output().split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(settings).toMatchObject(given);
    // Listening on every interface: reachable at 127.0.0.1, as a container's neighbours reach it by name.
    const techea = new URL(settings.TECHEA_BASE_URL!);
    techea.hostname = '127.0.0.1';
    const status = await fetch(new URL(`${techea.pathname}/lead/7ec4ea00-0000-4000-8000-000000000001/status`, techea), {
      method: 'PATCH',
      headers: { apikey: given.TECHEA_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'registration' }),
    });
    expect(status.status).toBe(200);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
  });

  it('`leadgraph sandbox --host` takes an address to listen on, and says so otherwise', async () => {
    const sandbox = runGateway('node', ['bin/leadgraph.js', 'sandbox', '--host', 'sandbox.example'], env);
    expect(await sandbox.exited).toBe(2);
    expect(sandbox.output()).toContain('--host needs an IP address to listen on (0.0.0.0 for every interface), not "sandbox.example"');
  });

  it('`leadgraph migrate` applies migrations to a fresh embedded database and exits', async () => {
    const fresh = runGateway('node', ['bin/leadgraph.js', 'migrate'], { ...env, LEADGRAPH_DATA_DIR: path.join(home, 'fresh') });
    expect(await fresh.exited).toBe(0);
    expect(fresh.output()).toContain('TenantsAndApiKeys0000000000002');
    expect(postmasterRunning(path.join(home, 'fresh'))).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'leadgraph: PORT: expected a port number from 0 to 65535, but got "eighty"'],
    [{ LOG_LEVEL: 'chatty' }, 'leadgraph: LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, but got "chatty"'],
  ])('refuses to start on %o with one clear line', async (bad, line) => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], { ...env, ...bad });
    expect(await gateway.exited).toBe(2);
    expect(gateway.output().trim()).toBe(line);
  });

  it('answers an unknown command with the usage', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'serve'], env);
    expect(await gateway.exited).toBe(2);
    expect(gateway.output()).toContain('unknown command "serve"');
    expect(gateway.output()).toContain('Usage: leadgraph <command>');
  });
});
