import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/keys-command.js';
import { sandboxCommand } from '../../../src/cli/sandbox-command.js';
import { createLogger } from '../../../src/logger.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { updateApplication } from '../../support/dispatch-fixtures.js';
import { secondInstanceEnv, startTestGateway, type TestGateway } from '../../support/gateway.js';

const TENANT = 'lender-dev';

/** Issue #22: in development, `leadgraph sandbox --connect <tenant>` gives a tenant sandbox accounts of its own. */
describe('leadgraph sandbox --connect', () => {
  let gateway: TestGateway;
  let stop: () => void;
  let command: Promise<number>;
  let printed = '';

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { DISPATCH_POLL_MS: '50' } });
    const out = new PassThrough();
    const started = new Promise<void>((resolve) =>
      out.on('data', (chunk: Buffer) => {
        printed += chunk.toString('utf8');
        if (printed.includes('Seeded records')) resolve();
      }),
    );
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    // As a developer runs it beside `npm start`: the gateway's database and key, made-up accounts.
    command = sandboxCommand(['--port', '0', '--connect', TENANT], createLogger('silent'), out, { env: secondInstanceEnv(gateway), stopped });
    await Promise.race([started, command.then(() => expect.fail(`the command ended early:\n${printed}`))]);
  });
  afterAll(async () => {
    stop?.();
    await command;
    await gateway?.stop();
  });

  it("connects the tenant to its own sandboxes: its calls reach them, not the gateway's built-in ones", async () => {
    const listed = (await gateway.connections.list(TENANT)).map((c) => `${c.provider} ${c.version}`);
    expect(listed).toEqual(['DECISION_CLOUD 1', 'LEAD_BANK 1', 'TECALIS 1', 'TECHEA 1']);
    const leadBankUrl = /^ {2}LEAD_BANK {2}(\S+) {2}version 1$/m.exec(printed)?.[1];
    expect(leadBankUrl).toBeDefined();
    // Its own credentials, never printed as a gateway's settings.
    expect(printed).not.toContain('LEADBANK_CLIENT_SECRET=');

    // First contact with a record of the tenant's own sandbox, then the dispatch, to it alone.
    const token = (await gateway.createKey(TENANT, 'admin')).key;
    expect(await updateApplication({ url: gateway.url, token }, 'application_sample1')).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    const own = (await (await fetch(new URL('/__sandbox', leadBankUrl))).json()) as { state: { applied: number; tokensIssued: number } };
    expect(own.state).toMatchObject({ applied: 1, tokensIssued: 1 });
    expect((gateway.providers.sandboxes.LEAD_BANK!.behavior as LeadBankSandbox).appliedUpdates('application_sample1')).toBe(0);
  });

  it('refuses the default tenant, whose accounts are the gateway’s own settings, and a gateway without CONNECTIONS_KEY', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      sandboxCommand(['--port', '0', ...args], createLogger('silent'), new PassThrough(), { env, stopped: Promise.resolve() });
    await expect(run(['--connect', 'default'], secondInstanceEnv(gateway))).rejects.toThrow(
      new UsageError(`--connect: expected a tenant other than "default", whose accounts are the gateway's own provider settings (its environment), but got "default"`),
    );
    await expect(run(['--connect', TENANT], secondInstanceEnv(gateway, { CONNECTIONS_KEY: '' }))).rejects.toThrow('--connect needs CONNECTIONS_KEY');
    await expect(run(['--connect', 'Not A Tenant'], secondInstanceEnv(gateway))).rejects.toBeInstanceOf(UsageError);
    // Nothing was rotated by the refusals.
    expect((await gateway.connections.list(TENANT)).every((c) => c.version === 1)).toBe(true);
  });
});
