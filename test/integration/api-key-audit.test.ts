import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { queryData } from '../support/graphql-client.js';
import { captureLogs, type CapturedLogs } from '../support/log-capture.js';

const CREATE = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id role expiresAt createdBy } } }`;

describe('API keys created through the API', () => {
  let gateway: TestGateway;
  let logs: CapturedLogs;
  let adminKeyId: string;

  beforeAll(async () => {
    logs = captureLogs('info');
    gateway = await startTestGateway({ logger: logs.logger });
    const [row] = await gateway.db.query<Array<{ id: string }>>(`SELECT id FROM api_key WHERE tenant_id = 'default' AND role = 'admin'`);
    adminKeyId = row!.id;
  });
  afterAll(() => gateway.stop());

  it('record and log who created them; an API-key admin may create keys that never expire', async () => {
    const { createApiKey } = await queryData<{ createApiKey: { apiKey: { id: string; expiresAt: string | null; createdBy: string } } }>(
      gateway.api,
      CREATE,
      { input: { role: 'ADMIN', label: 'ci' } },
    );
    expect(createApiKey.apiKey).toMatchObject({ expiresAt: null, createdBy: `api-key:${adminKeyId}` });
    expect(logs.entries().filter((entry) => entry.msg === 'API key created')).toEqual([
      expect.objectContaining({ keyId: createApiKey.apiKey.id, role: 'admin', tenant: 'default', expiresAt: null, createdBy: `api-key:${adminKeyId}` }),
    ]);
    const listed = await queryData<{ apiKeys: Array<{ id: string; createdBy: string }> }>(gateway.api, `{ apiKeys { id createdBy } }`);
    expect(listed.apiKeys.find((key) => key.id === createApiKey.apiKey.id)?.createdBy).toBe(`api-key:${adminKeyId}`);
  });

  it('refuses an expiry in the past before creating anything', async () => {
    const before = await gateway.db.query(`SELECT count(*)::int AS n FROM api_key`);
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
      body: JSON.stringify({ query: CREATE, variables: { input: { role: 'VIEWER', expiresAt: '2020-01-01T00:00:00Z' } } }),
    });
    const body = (await response.json()) as { errors: unknown[] };
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'input.expiresAt: expected a time in the future, but got "2020-01-01T00:00:00.000Z"',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.expiresAt' },
      }),
    ]);
    expect(await gateway.db.query(`SELECT count(*)::int AS n FROM api_key`)).toEqual(before);
  });
});
