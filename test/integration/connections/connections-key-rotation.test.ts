import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../../src/app.js';
import { connectionsCommand } from '../../../src/cli/connections-command.js';
import { loadConfig } from '../../../src/config.js';
import { Secret } from '../../../src/config-env.js';
import { ConnectionStore } from '../../../src/connections/connection-store.js';
import { SealedBox, UnsealError } from '../../../src/connections/sealed-box.js';
import { createLogger } from '../../../src/logger.js';
import { type LeadBankSandbox } from '../../../src/providers/leadbank/index.js';
import { knownApplications, updateApplication } from '../../support/dispatch-fixtures.js';
import { OTHER_TENANT, secondInstanceEnv, startTestGateway, TEST_CONNECTIONS_KEY, type TestGateway } from '../../support/gateway.js';
import { captureLogs } from '../../support/log-capture.js';

/** The key replacing the test gateways' own (`TEST_CONNECTIONS_KEY`, what the connections are sealed with at start). */
const NEW_KEY = randomBytes(32).toString('hex');

/** Issue #22: `CONNECTIONS_KEY` is replaced without a moment in which stored connections do not open. */
describe('replacing CONNECTIONS_KEY', () => {
  let gateway: TestGateway;
  const instances: Array<{ close(): Promise<void> }> = [];

  const sealedRows = async () =>
    gateway.db.query<Array<{ tenant_id: string; provider: string; sealed: Buffer; version: number }>>(
      `SELECT tenant_id, provider, sealed, version FROM provider_connection ORDER BY tenant_id, provider`,
    );
  const cli = async (env: Record<string, string>, args: string[]) => {
    const logs = captureLogs('info');
    const config = loadConfig({ DATABASE_URL: (gateway.db.options as { url: string }).url, LOG_LEVEL: 'silent', ...env });
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const code = await connectionsCommand(args, config, logs.logger, out);
    return { code, printed, logs: logs.lines.join('\n') };
  };
  const storeWith = (key: string) => new ConnectionStore(gateway.db, gateway.providers.registry, new SealedBox(new Secret(key)));

  beforeAll(async () => {
    // OTHER_TENANT's four connections are sealed with TEST_CONNECTIONS_KEY at start.
    gateway = await startTestGateway({ env: { DISPATCH_POLL_MS: '50' } });
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await gateway?.stop();
  });

  it('refuses to start, and rekey changes nothing, when a stored connection opens with none of the keys given', async () => {
    const before = await sealedRows();
    expect(before.map((row) => row.provider)).toEqual(['DECISION_CLOUD', 'LEAD_BANK', 'TECALIS', 'TECHEA']);

    // The key replaced, the old one forgotten: the start names what does not open, and never a key.
    const config = loadConfig(secondInstanceEnv(gateway, { CONNECTIONS_KEY: NEW_KEY }));
    const refused = startGateway(config, createLogger('silent'));
    await expect(refused).rejects.toThrow(`4 stored connections do not open with CONNECTIONS_KEY or CONNECTIONS_KEY_PREVIOUS: ${OTHER_TENANT}/DECISION_CLOUD`);
    await expect(refused).rejects.not.toThrow(NEW_KEY);

    const rekey = await cli({ CONNECTIONS_KEY: NEW_KEY }, ['rekey']);
    expect(rekey.code).toBe(1);
    expect(rekey.logs).toContain(`${OTHER_TENANT}/LEAD_BANK`);
    expect(rekey.logs).toContain('nothing was changed');
    expect(await sealedRows()).toEqual(before);
  });

  it('opens with the previous key meanwhile, reseals every connection with the new one, and then needs the old key no more', async () => {
    const before = await sealedRows();
    const rollover = { CONNECTIONS_KEY: NEW_KEY, CONNECTIONS_KEY_PREVIOUS: TEST_CONNECTIONS_KEY };

    // During the rollover an instance with both keys starts and sends with the connections as they are.
    const during = await startGateway(loadConfig(secondInstanceEnv(gateway, rollover)), createLogger('silent'));
    instances.push(during);
    const leadBank = gateway.otherAccounts.LEAD_BANK!.behavior as LeadBankSandbox;
    const [first] = await knownApplications(gateway.db, leadBank, 1, OTHER_TENANT);
    expect(await updateApplication({ url: during.url, token: gateway.other.token }, first!)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });

    const rekey = await cli(rollover, ['rekey']);
    expect(rekey).toMatchObject({ code: 0, printed: 'resealed 4, already sealed with CONNECTIONS_KEY 0\n' });
    const after = await sealedRows();
    for (const [i, row] of after.entries()) {
      expect(row.sealed.equals(before[i]!.sealed)).toBe(false);
      // The same account: a rekey is no rotation.
      expect(row.version).toBe(before[i]!.version);
    }
    const { clientSecret } = gateway.otherAccounts.LEAD_BANK!.connection as { clientSecret: string };
    expect((await storeWith(NEW_KEY).open(OTHER_TENANT, 'LEAD_BANK'))?.variables).toMatchObject({ LEADBANK_CLIENT_SECRET: clientSecret });
    await expect(storeWith(TEST_CONNECTIONS_KEY).open(OTHER_TENANT, 'LEAD_BANK')).rejects.toBeInstanceOf(UnsealError);
    expect(await cli(rollover, ['rekey'])).toMatchObject({ code: 0, printed: 'resealed 0, already sealed with CONNECTIONS_KEY 4\n' });

    // With the new key alone an instance starts and sends with the tenant's own account.
    const afterwards = await startGateway(loadConfig(secondInstanceEnv(gateway, { CONNECTIONS_KEY: NEW_KEY })), createLogger('silent'));
    instances.push(afterwards);
    const [second] = await knownApplications(gateway.db, leadBank, 1, OTHER_TENANT);
    expect(await updateApplication({ url: afterwards.url, token: gateway.other.token }, second!)).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
    expect(leadBank.appliedUpdates(first!)).toBe(1);
    expect(leadBank.appliedUpdates(second!)).toBe(1);
  });

  it('checks the keys it is given: a previous key needs a new one, and a malformed key is named, never echoed', async () => {
    expect(() => loadConfig({ CONNECTIONS_KEY_PREVIOUS: TEST_CONNECTIONS_KEY })).toThrow('CONNECTIONS_KEY: expected the new key, beside CONNECTIONS_KEY_PREVIOUS');
    const malformed = 'not-a-key-but-a-secret-anyway';
    expect(() => loadConfig({ CONNECTIONS_KEY: NEW_KEY, CONNECTIONS_KEY_PREVIOUS: `${TEST_CONNECTIONS_KEY},${malformed}` })).toThrow(
      `CONNECTIONS_KEY_PREVIOUS: expected 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32), but got ${malformed.length} characters`,
    );
    expect(await cli({}, ['rekey']).catch((error: Error) => error.message)).toContain('connections rekey needs CONNECTIONS_KEY');
  });
});
