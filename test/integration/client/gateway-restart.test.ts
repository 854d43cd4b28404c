import { GatewayCloseCode } from 'leadgraph/client';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../../src/app.js';
import { ApiKeyService } from '../../../src/auth/api-keys.js';
import { loadConfig } from '../../../src/config.js';
import { createDataSource } from '../../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { createLogger } from '../../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { seedLead } from '../../support/fixtures.js';
import { lastChangeId } from '../../support/status-log.js';
import { strictlyIncreasing } from '../../support/status-subscription.js';
import { collect } from '../../client/support/collector.js';
import { ConnectionWatch } from '../../client/support/connection-watch.js';
import { within } from '../../client/support/waiters.js';
import { gatewayClient, loggedIds, startSteadyWriter, statusChangedOf, untilDelivered } from './support.js';

/** A gateway on `databaseUrl` listening on `port` (0: a free one), as `leadgraph start` would run it. */
function startOn(databaseUrl: string, port: number): Promise<Gateway> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'off',
    SUBSCRIPTION_STARTS_PER_MINUTE: '100000',
    AUTH_FAILURES_PER_MINUTE: '100000',
  });
  return startGateway(config, createLogger('silent'));
}

describe('leadgraph/client across a gateway restart', () => {
  let database: TestDatabase;
  /** The test's own connection: it writes changes while no gateway runs. */
  let db: DataSource;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const gateway of gateways.splice(0)) await gateway.close().catch(() => undefined);
    if (db?.isInitialized) await db.destroy();
    await database?.drop();
  });

  it('resumes on the same URL from the last id after the gateway closes with 1001 and a new one starts on the same port and database', async () => {
    const before = await startOn(database.url, 0);
    gateways.push(before);
    db = createDataSource({ url: database.url, poolSize: 2 });
    await db.initialize();
    const { key } = await new ApiKeyService(db).create(DEFAULT_TENANT, 'viewer', { createdBy: 'test' });
    const target = { url: before.url, token: key };
    const { leadId } = await seedLead(db);
    const start = await lastChangeId(db);

    const watch = new ConnectionWatch();
    const client = gatewayClient(target, watch);
    const events = collect(client, statusChangedOf(leadId, start));
    const writer = startSteadyWriter(() => db, leadId, 'restart');
    try {
      await events.untilCount(5);

      // The gateway stops: it closes the socket with 1001. The writer goes on meanwhile,
      // and the client retries against a port where nothing listens.
      await before.close();
      gateways.splice(gateways.indexOf(before), 1);
      await watch.untilClosedWith(GatewayCloseCode.GoingAway);
      const closesWhileUp = watch.closeCodes.length;
      await within(10_000, watch.untilCloses(closesWhileUp + 2), () => `the client did not retry while the gateway was down: ${watch.closeCodes.join(', ')}`);
      const writtenWhileDown = writer.written.length;

      const after = await startOn(database.url, before.port);
      gateways.push(after);
      expect(after.url).toBe(before.url);
      await watch.untilConnected(2);
      const delivered = events.events.length;
      await events.untilCount(delivered + 5);
      const written = await writer.stop();
      await untilDelivered(events, written.at(-1)!, { target, leadId, after: start });

      const logged = await loggedIds(target, leadId, start);
      expect(events.ids()).toEqual(logged);
      expect(strictlyIncreasing(events.ids())).toBe(true);
      expect(events.subscription.duplicatesDropped).toBe(0);
      expect(events.error).toBeUndefined();
      // Changes committed while no gateway ran were replayed, not lost.
      expect(written.length).toBeGreaterThan(writtenWhileDown);
      expect(watch.closeCodes[0]).toBe(GatewayCloseCode.GoingAway);
    } finally {
      await writer.stop();
      await client.dispose();
    }
  });
});
