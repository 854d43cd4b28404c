import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../../support/gateway.js';
import { captureLogs, type LogEntry } from '../../support/log-capture.js';
import { REPORT_LEAD_EVENT } from '../mutations/mutation-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids: from the x-request-id header to the logs of the request, its dispatch and its provider calls', () => {
  const logs = captureLogs('debug');
  let gateway: TestGateway;
  let techea: TecheaSandbox;

  beforeAll(async () => {
    gateway = await startTestGateway({
      logger: logs.logger,
      // Quick retries; the first attempt is always awaited by the mutation.
      env: { DISPATCH_BACKOFF_BASE_MS: '10', DISPATCH_BACKOFF_MAX_MS: '50', DISPATCH_POLL_MS: '20', DISPATCH_WAIT_MS: '20000' },
    });
    techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
  });
  afterAll(() => gateway.stop());

  /** Posts reportLeadEvent for a new TECHEA lead, with the given x-request-id header (or none). */
  async function reportEvent(requestId: string | undefined) {
    const lead = await seedLead(gateway.db, { techeaLeadId: techea.addLead() });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${gateway.api.token}`,
        ...(requestId !== undefined && { 'x-request-id': requestId }),
      },
      body: JSON.stringify({ query: REPORT_LEAD_EVENT, variables: { input: { leadId: lead.leadId, event: 'REGISTRATION' } } }),
    });
    const body = (await response.json()) as { data: { reportLeadEvent: { dispatch: { id: string; state: string } } } };
    return { header: response.headers.get('x-request-id'), dispatch: body.data.reportLeadEvent.dispatch };
  }

  const withId = (requestId: string) => logs.entries().filter((entry) => entry.requestId === requestId);

  /**
   * The access log line is written once the response is sent, which the client may
   * see first: waits for it (re-checking after each turn of the event loop, bounded).
   */
  async function requestLogged(requestId: string): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (withId(requestId).some((entry) => entry.msg === 'http request')) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`no access log line for request ${requestId}`);
  }
  const messages = (entries: LogEntry[]) => entries.map((entry) => entry.msg);

  it('answers the id it was given, and logs it on the request, the dispatch and the provider call; the row keeps it', async () => {
    const requestId = `obs-${randomUUID()}`;
    const { header, dispatch } = await reportEvent(requestId);
    expect(header).toBe(requestId);
    expect(dispatch.state).toBe('SUCCEEDED');

    await requestLogged(requestId);
    const lines = withId(requestId);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'http request', method: 'POST', path: '/graphql', status: 200 }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'dispatch succeeded', dispatchId: dispatch.id, provider: 'TECHEA' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'provider call', provider: 'techea', status: 200 }));
    // Every line of the dispatch carries it: none of its lines was written without it.
    expect(logs.entries().filter((entry) => entry.dispatchId === dispatch.id && entry.requestId !== requestId)).toEqual([]);

    const [row] = await gateway.db.query<Array<{ request_id: string }>>(`SELECT request_id FROM dispatch WHERE id = $1`, [dispatch.id]);
    expect(row!.request_id).toBe(requestId);
    // The credential never reaches the logs.
    expect(logs.lines.join('\n')).not.toContain(gateway.api.token!);
  });

  it('logs it on retries the poller makes later, from the id stored on the dispatch', async () => {
    const requestId = `obs-retry-${randomUUID()}`;
    gateway.providers.sandboxes.TECHEA!.setFaults({ forceStatus: 503, forceCount: 1 });
    const { header, dispatch } = await reportEvent(requestId);
    expect(header).toBe(requestId);
    // The first attempt (inside the request) failed; the retry is the poller's, after the response.
    expect(dispatch.state).toBe('PENDING');
    const settled = await gateway.dispatcher.settled(DEFAULT_TENANT, dispatch.id);
    expect(settled).toMatchObject({ state: 'SUCCEEDED', attempts: 2, requestId });

    const ofDispatch = withId(requestId).filter((entry) => entry.dispatchId === dispatch.id);
    expect(messages(ofDispatch)).toEqual(['dispatch will be retried', 'dispatch succeeded']);
    expect(ofDispatch[1]).toMatchObject({ attempts: 2 });
    const providerCalls = withId(requestId).filter((entry) => entry.msg === 'provider call');
    expect(providerCalls.map((entry) => entry.status)).toEqual([503, 200]);
  });

  it('replaces an unsafe or missing id with a generated one, and logs that one', async () => {
    for (const unsafe of ['has spaces', 'quote"d', 'x'.repeat(65), 'new\\nline', undefined]) {
      const { header, dispatch } = await reportEvent(unsafe);
      expect(header).toMatch(UUID);
      await requestLogged(header!);
      expect(logs.lines.join('\n')).not.toContain(unsafe ?? 'no such value');
      expect(withId(header!)).toContainEqual(expect.objectContaining({ msg: 'dispatch succeeded', dispatchId: dispatch.id }));
    }
  });

  it('gives every route an id: probes, unknown routes, and refusals before authentication', async () => {
    for (const [path, status] of [['/healthz', 200], ['/readyz', 200], ['/nowhere', 404], ['/metrics', 401]] as const) {
      const requestId = `obs-route-${randomUUID()}`;
      const response = await fetch(new URL(path, gateway.url), { headers: { 'x-request-id': requestId } });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      await requestLogged(requestId);
      expect(withId(requestId)).toContainEqual(expect.objectContaining({ msg: 'http request', path, status }));
    }
  });
});
