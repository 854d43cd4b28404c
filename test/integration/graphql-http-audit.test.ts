import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, startTestGateway } from '../support/gateway.js';

describe('the GraphQL-over-HTTP spec audits (graphql-http serverAudits) against the real server', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  // `url` is read when each audit runs, after beforeAll has started the gateway. Every
  // request carries an admin key: the audits are about the protocol, not authentication.
  const audits = serverAudits({
    url: () => gateway.url,
    fetchFn: (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${gateway.api.token}`);
      return fetch(input, { ...init, headers });
    },
  });

  it.each(audits.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    // "warn" and "notice" are recommendations the spec allows a server to decline
    // (e.g. CSRF prevention refusing plain GETs); "error" is a broken requirement.
    expect(result.status === 'error' ? result.reason : 'no error').toBe('no error');
  });
});
