import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, DEVELOPMENT_ORIGINS, loadConfig } from '../../src/config.js';
import { SAMPLE_SANDBOX_RECORDS } from '../../src/providers/sandbox/sandbox-records.js';

describe('configuration', () => {
  it('has defaults that start a gateway on a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', logLevel: 'info', databaseUrl: undefined });
    expect(config.dataDir).toBe(defaultDataDir());
  });

  it('bounds every wait for the database by default, and reads the bounds', () => {
    expect(loadConfig({}).dbTimeouts).toEqual({ connectTimeoutMs: 5_000, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 10_000 });
    const config = loadConfig({ DB_CONNECT_TIMEOUT_MS: '500', DB_STATEMENT_TIMEOUT_MS: '1500', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '2500' });
    expect(config.dbTimeouts).toEqual({ connectTimeoutMs: 500, statementTimeoutMs: 1_500, idleInTransactionTimeoutMs: 2_500 });
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0' })).toThrow('DB_STATEMENT_TIMEOUT_MS: expected a whole number above 0, but got "0"');
  });

  it('leases a dispatch for 4 × PROVIDER_TIMEOUT_MS + 5000 unless DISPATCH_LEASE_MS says otherwise (the README states the same)', () => {
    expect(loadConfig({}).dispatch.leaseMs).toBe(45_000);
    expect(loadConfig({ PROVIDER_TIMEOUT_MS: '2000' }).dispatch.leaseMs).toBe(13_000);
    expect(loadConfig({ PROVIDER_TIMEOUT_MS: '2000', DISPATCH_LEASE_MS: '7000' }).dispatch.leaseMs).toBe(7_000);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('| `DISPATCH_LEASE_MS` | `4 × PROVIDER_TIMEOUT_MS + 5000` (45 s) |');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app:s3cret@db:5432/leadgraph',
      LEADGRAPH_DATA_DIR: 'var/pg',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'debug' });
    expect(config.databaseUrl?.reveal()).toBe('postgres://app:s3cret@db:5432/leadgraph');
    expect(config.dataDir).toBe(path.resolve('var/pg'));
  });

  it.each([
    ['PORT', 'eighty', 'PORT: expected a port number from 0 to 65535, but got "eighty"'],
    ['PORT', '70000', 'PORT: expected a port number from 0 to 65535, but got "70000"'],
    ['PORT', '-1', 'PORT: expected a port number from 0 to 65535, but got "-1"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, but got "loud"'],
    ['DATABASE_URL', 'mysql://x@y/z', 'DATABASE_URL: expected a postgres:// or postgresql:// URL, but got a mysql:// URL'],
    ['LEADGRAPH_EMBEDDED_PG_PORT', '1.5', 'LEADGRAPH_EMBEDDED_PG_PORT: expected a port number from 0 to 65535, but got "1.5"'],
    ['RATE_LIMIT_STORE', 'redis', 'RATE_LIMIT_STORE: expected one of postgres, memory, but got "redis"'],
  ])('stops on a bad %s with one line naming it', (variable, value, message) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('counts the rate limits in the shared database by default, in memory when RATE_LIMIT_STORE=memory', () => {
    expect(loadConfig({}).limits.rateLimitStore).toBe('postgres');
    expect(loadConfig({ RATE_LIMIT_STORE: 'memory' }).limits.rateLimitStore).toBe('memory');
  });

  it('never echoes a database URL, which usually carries a password', () => {
    const attempt = () => loadConfig({ DATABASE_URL: 'not a url but s3cret' });
    expect(attempt).toThrow('DATABASE_URL: expected a postgres:// or postgresql:// URL, but got a value that is not a URL');
    expect(attempt).not.toThrow(/s3cret/);
  });

  it('keeps secrets out of strings, JSON and inspection', async () => {
    const { inspect } = await import('node:util');
    const config = loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db/leadgraph' });
    expect(JSON.stringify(config)).not.toContain('s3cret');
    expect(inspect(config)).not.toContain('s3cret');
    expect(`${String(config.databaseUrl)}`).toBe('[redacted]');
  });
});

describe('provider configuration', () => {
  it('uses every sandbox when no base URL is set', () => {
    const { providers } = loadConfig({});
    expect(providers).toMatchObject({ timeoutMs: 10_000, techea: undefined, leadBank: undefined, tecalis: undefined, decisionCloud: undefined });
  });

  it('makes a provider live when its base URL is set, with its credentials', () => {
    const { providers } = loadConfig({
      TECHEA_BASE_URL: 'https://acme.techea.eu/api/v1',
      TECHEA_API_KEY: 'adv-key',
      LEADBANK_BASE_URL: 'https://api.sandbox.lead.bank',
      LEADBANK_CLIENT_ID: 'client',
      LEADBANK_CLIENT_SECRET: 'lb-secret',
      LEADBANK_SCOPE: 'applications',
      PROVIDER_TIMEOUT_MS: '2500',
    });
    expect(providers.timeoutMs).toBe(2500);
    expect(providers.techea?.baseUrl.href).toBe('https://acme.techea.eu/api/v1');
    expect(providers.techea?.apiKey.reveal()).toBe('adv-key');
    expect(providers.leadBank).toMatchObject({ clientId: 'client', scope: 'applications' });
    expect(providers.tecalis).toBeUndefined();
    expect(JSON.stringify(providers)).not.toMatch(/adv-key|lb-secret/);
  });

  it.each([
    [{ TECHEA_BASE_URL: 'https://acme.techea.eu/api/v1' }, 'TECHEA_API_KEY: expected a value, because TECHEA_BASE_URL is set, but got nothing'],
    [{ LEADBANK_BASE_URL: 'https://api.lead.bank', LEADBANK_CLIENT_ID: 'c' }, 'LEADBANK_CLIENT_SECRET: expected a value, because LEADBANK_BASE_URL is set, but got nothing'],
    [{ DECISIONCLOUD_BASE_URL: 'https://api.decisioncloud.me', DECISIONCLOUD_CLIENT_SECRET: 's' }, 'DECISIONCLOUD_CLIENT_ID: expected a value, because DECISIONCLOUD_BASE_URL is set, but got nothing'],
    [{ TECALIS_API_KEY: 'k' }, 'TECALIS_BASE_URL: expected a URL, because TECALIS_API_KEY is set (unset TECALIS_API_KEY to use the built-in sandbox), but got nothing'],
    [{ TECALIS_BASE_URL: 'ftp://tecalis', TECALIS_API_KEY: 'k' }, 'TECALIS_BASE_URL: expected an http:// or https:// URL, but got "ftp://tecalis"'],
    [{ NODE_ENV: 'production' }, 'TECHEA_BASE_URL: expected the live provider URL in production (sandboxes are for development), but got nothing'],
  ])('stops on %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('sandbox records', () => {
  it('are the well-known samples by default', () => {
    expect(loadConfig({}).providers.sandboxRecords).toEqual(SAMPLE_SANDBOX_RECORDS);
  });

  it('are replaced per provider by a SANDBOX_* list (empty: none), ids checked and UUIDs lower-cased', () => {
    const records = loadConfig({
      SANDBOX_LEADBANK_APPLICATIONS: ' application_a1 , application_b2',
      SANDBOX_TECALIS_PROCESSES: 'AAAAAAAA-0000-4000-8000-000000000001',
      SANDBOX_TECHEA_LEADS: '',
    }).providers.sandboxRecords;
    expect(records).toEqual({
      ...SAMPLE_SANDBOX_RECORDS,
      leadBankApplicationIds: ['application_a1', 'application_b2'],
      tecalisAuthUuids: ['aaaaaaaa-0000-4000-8000-000000000001'],
      techeaLeadIds: [],
    });
  });

  it.each([
    ['SANDBOX_LEADBANK_APPLICATIONS', 'application_ok,app-1', 'SANDBOX_LEADBANK_APPLICATIONS: expected a comma-separated list of ids matching ^application_\\w+$, but got "app-1"'],
    ['SANDBOX_TECALIS_PROCESSES', 'not-a-uuid', 'SANDBOX_TECALIS_PROCESSES: expected a comma-separated list of UUIDs, but got "not-a-uuid"'],
    ['SANDBOX_DECISIONCLOUD_CUSTOMERS', `c1,${'x'.repeat(256)}`, /^SANDBOX_DECISIONCLOUD_CUSTOMERS: expected a comma-separated list of ids of 1 to 255 characters/],
  ])('refuse a bad id in %s with one line', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('refuse the retired WEBHOOK_TENANT', () => {
    expect(() => loadConfig({ WEBHOOK_TENANT: 'default' })).toThrow(
      'WEBHOOK_TENANT: expected it unset (a webhook about a record no tenant holds is kept until a tenant adopts the record), but got a value',
    );
  });
});

describe('CORS_ORIGINS', () => {
  it('allows the local development servers by default, none in production, exactly the listed origins when set', () => {
    expect(loadConfig({}).corsOrigins).toEqual(DEVELOPMENT_ORIGINS);
    const production = { NODE_ENV: 'production', TECHEA_BASE_URL: 'https://t.techea.eu/api/v1', TECHEA_API_KEY: 'k', LEADBANK_BASE_URL: 'https://api.lead.bank', LEADBANK_CLIENT_ID: 'c', LEADBANK_CLIENT_SECRET: 's', TECALIS_BASE_URL: 'https://tecalis.example', TECALIS_API_KEY: 'k', DECISIONCLOUD_BASE_URL: 'https://api.decisioncloud.me', DECISIONCLOUD_CLIENT_ID: 'c', DECISIONCLOUD_CLIENT_SECRET: 's' };
    expect(loadConfig(production).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' https://app.example.com , http://localhost:8080' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:8080']);
    expect(loadConfig({ CORS_ORIGINS: '' }).corsOrigins).toEqual([]);
  });

  it.each(['*', 'https://app.example.com/', 'app.example.com', 'ftp://files.example.com', 'https://app.example.com/path'])('refuses %j with one line', (value) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/^CORS_ORIGINS: expected a comma-separated list of exact origins/);
  });
});

describe('PUBLIC_URL', () => {
  it('is unset by default (the gateway then issues callback URLs on its own address), and read as a base URL, a path allowed', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://gateway.example.com' }).publicUrl?.href).toBe('https://gateway.example.com/');
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/leadgraph/' }).publicUrl?.href).toBe('https://example.com/leadgraph/');
  });

  it.each(['gateway.example.com', 'ftp://gateway.example.com', 'https://gateway.example.com/?a=1', 'https://gateway.example.com/#x'])('refuses %j with one line', (value) => {
    expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(/^PUBLIC_URL: expected an http:\/\/ or https:\/\/ base URL without credentials, query or fragment/);
  });

  it('never echoes credentials put in it', () => {
    const attempt = () => loadConfig({ PUBLIC_URL: 'https://user:s3cret@gateway.example.com' });
    expect(attempt).toThrow('PUBLIC_URL: expected an http:// or https:// base URL without credentials, query or fragment, e.g. https://gateway.example.com, but got a URL with credentials');
    expect(attempt).not.toThrow(/s3cret/);
  });
});
