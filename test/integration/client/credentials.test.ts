import { SignJWT } from 'jose';
import { GatewayCloseCode, type ResumableClient } from 'leadgraph/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { Provider } from '../../../src/domain/vocabulary.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import { collect } from '../../client/support/collector.js';
import { ConnectionWatch } from '../../client/support/connection-watch.js';
import { gatewayClient, loggedIds, statusChangedOf, untilDelivered } from './support.js';

const SECRET = 'client-credentials-test-secret-0123456789';

describe('leadgraph/client and the credential', () => {
  let gateway: TestGateway;
  const clients: ResumableClient[] = [];
  const track = (client: ResumableClient) => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // No clock skew: a socket closes at its JWT's `exp` itself.
    gateway = await startTestGateway({ env: { AUTH_JWT_SECRET: SECRET, AUTH_JWT_CLOCK_SKEW_SECONDS: '0' } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => gateway?.stop());

  it(`surfaces ${GatewayCloseCode.Unauthenticated} for a refused credential as a final error, without retrying`, async () => {
    const { leadId } = await seedLead(gateway.db);
    const watch = new ConnectionWatch();
    let connections = 0;
    const target = { url: gateway.url, token: 'lgk_not-a-key' };
    const client = track(gatewayClient(target, watch, { connectionParams: () => ({ authorization: `Bearer ${target.token}`, attempt: ++connections }) }));
    const events = collect(client, statusChangedOf(leadId, '0'));
    const error = await events.failed;

    expect(error).toMatchObject({ kind: 'closed', closeCode: GatewayCloseCode.Unauthenticated });
    expect(error.message).toMatch(/^the connection closed with 4401 \(UNAUTHENTICATED: /);
    expect(connections).toBe(1);
    expect(watch.connected).toBe(0);
    expect(events.subscription.closed).toBe(true);
  });

  it('surfaces a key revoked while streaming as a final error, after delivering what came before', async () => {
    const { leadId } = await seedLead(gateway.db);
    const start = await lastChangeId(gateway.db);
    const { id, key } = await gateway.createKey(DEFAULT_TENANT, 'viewer');
    const watch = new ConnectionWatch();
    const client = track(gatewayClient({ url: gateway.url, token: key }, watch));
    const events = collect(client, statusChangedOf(leadId, start));
    const before = await appendChanges(gateway.db, [change(leadId, Provider.TECALIS, 'before-revocation')]);
    await events.untilId(before[0]!);

    await queryData(gateway.api, `mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id });
    const error = await events.failed;

    expect(error).toMatchObject({ kind: 'closed', closeCode: GatewayCloseCode.Unauthenticated });
    expect(events.ids()).toEqual(before);
    expect(watch.connected).toBe(1);
  });

  it(`reconnects after ${GatewayCloseCode.TokenExpired} with a fresh token from connectionParams and resumes from the last id`, async () => {
    const { leadId } = await seedLead(gateway.db);
    const start = await lastChangeId(gateway.db);
    const watch = new ConnectionWatch();
    const issued: number[] = [];
    // Each connection asks for a token that expires 1-2 s later: the first expires while streaming.
    const freshToken = async () => {
      const exp = Math.floor(Date.now() / 1000) + 2;
      issued.push(exp);
      const token = await new SignJWT({ tenant: DEFAULT_TENANT, role: 'viewer' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('client-test')
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(SECRET));
      return { authorization: `Bearer ${token}` };
    };
    const client = track(gatewayClient({ url: gateway.url }, watch, { connectionParams: freshToken }));
    const events = collect(client, statusChangedOf(leadId, start));
    const log = { target: gateway.api, leadId, after: start };
    const before = await appendChanges(gateway.db, [change(leadId, Provider.TECALIS, 'before-expiry')]);
    await untilDelivered(events, before[0]!, log);

    await watch.untilClosedWith(GatewayCloseCode.TokenExpired);
    const during = await appendChanges(gateway.db, [change(leadId, Provider.TECALIS, 'while-reconnecting')]);
    await watch.untilConnected(2);
    const after = await appendChanges(gateway.db, [change(leadId, Provider.TECALIS, 'after-reconnect')]);
    await untilDelivered(events, after[0]!, log);

    expect(events.ids()).toEqual(await loggedIds(gateway.api, leadId, start));
    expect(events.ids()).toEqual([...before, ...during, ...after]);
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(events.error).toBeUndefined();
  });
});
