import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbacksCommand } from '../../src/cli/callbacks-command.js';
import { loadConfig } from '../../src/config.js';
import { VerificationStatus } from '../../src/domain/vocabulary.js';
import { createLogger } from '../../src/logger.js';
import { TECALIS, TECALIS_TOKEN_FIELD } from '../../src/providers/tecalis/index.js';
import { type TecalisSandbox } from '../../src/providers/tecalis/sandbox.js';
import { findCallbackGrant } from '../../src/services/callback-tokens.js';
import { seedLead } from '../support/fixtures.js';
import { OTHER_TENANT, startTestGateway, type TestGateway } from '../support/gateway.js';
import { postGraphQL, queryData, type Target } from '../support/graphql-client.js';
import { captureLogs, type CapturedLogs } from '../support/log-capture.js';
import { lastChangeId } from '../support/status-log.js';
import { subscribeToStatusChanges } from '../support/status-subscription.js';

/**
 * Issue #18, finding 1: Tecalis callbacks could be forged and replayed. Tecalis signs
 * nothing, so each process gets a callback URL of its own, carrying a token bound to it
 * and to the tenant holding it (`issueVerificationCallback`), and a callback is applied
 * only through that URL, about that process, and only forward. Real HTTP, a real
 * PostgreSQL, the built-in Tecalis sandbox calling back as Tecalis does.
 */

const ISSUE = `mutation ($id: ID!) { issueVerificationCallback(authUuid: $id) { authUuid callbackUrl callbackKoUrl } }`;
const NOT_AUTHORIZED = { status: 401, body: { error: 'not authorized' } };

interface Issued {
  readonly authUuid: string;
  readonly callbackUrl: string;
  readonly callbackKoUrl: string;
}

/** The gateway and its Tecalis sandbox, with what every test here needs. */
function harness(env: Record<string, string> = {}) {
  const h = { logs: captureLogs('debug') } as {
    gateway: TestGateway;
    /** Everything the gateway logged. */
    logs: CapturedLogs;
    tecalis: TecalisSandbox;
    issue(target: Target, authUuid: string): Promise<Issued>;
    send(url: string | URL, body: unknown): Promise<{ status: number; body: unknown }>;
    /** A process at Tecalis, held by the default tenant (linked to a lead, status as given), and its callback URL. */
    heldProcess(status?: VerificationStatus): Promise<{ authUuid: string; leadId: string; url: string }>;
    /** A callback about `authUuid` as Tecalis sends it: its process now, with `data` changed as given. */
    callbackBody(authUuid: string, data?: Record<string, unknown>, metadata?: unknown): { data: Record<string, unknown>; metadata: unknown };
    stored(authUuid: string): Promise<Array<{ tenant_id: string; status: string; name: string | null; updated_at: Date | null }>>;
  };
  beforeAll(async () => {
    h.gateway = await startTestGateway({ env, logger: h.logs.logger });
    h.tecalis = h.gateway.providers.sandboxes.TECALIS!.behavior as TecalisSandbox;
  });
  afterAll(() => h.gateway.stop());

  h.issue = async (target, authUuid) => (await queryData<{ issueVerificationCallback: Issued }>(target, ISSUE, { id: authUuid })).issueVerificationCallback;
  h.send = (url, body) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: await response.json() }));
  h.heldProcess = async (status = VerificationStatus.PENDING) => {
    const authUuid = h.tecalis.addProcess({ name: 'Held At Tecalis' });
    // Stored as Tecalis last said it, a minute ago: what the sandbox sends now is newer.
    const { leadId } = await seedLead(h.gateway.db, { verification: { status, authUuid, updatedAt: new Date(Date.now() - 60_000) } });
    const { callbackUrl } = await h.issue(h.gateway.as('operator'), authUuid);
    return { authUuid, leadId, url: callbackUrl };
  };
  h.callbackBody = (authUuid, data = {}, metadata = null) => ({ data: { ...h.tecalis.processOf(authUuid)!.data, ...data }, metadata });
  h.stored = (authUuid) =>
    h.gateway.db.query(`SELECT tenant_id, status, name, updated_at FROM verification WHERE auth_uuid = $1`, [authUuid]);
  return h;
}

/** A Tecalis instant, `seconds` from now. */
const wireInstant = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString().replace('Z', '000Z');

describe('Tecalis callbacks through per-process URLs', () => {
  const h = harness();

  describe('issuing a callback URL', () => {
    it('answers a URL on the gateway’s address carrying 256 random bits, of which only the SHA-256 is stored', async () => {
      const { authUuid } = await h.heldProcess();
      const issued = await h.issue(h.gateway.as('operator'), authUuid);
      const origin = new URL(h.gateway.url).origin;
      expect(issued.authUuid).toBe(authUuid);
      expect(issued.callbackUrl).toMatch(new RegExp(`^${origin}/webhooks/tecalis/[A-Za-z0-9_-]{43}$`));
      expect(issued.callbackKoUrl).toBe(issued.callbackUrl);
      const token = issued.callbackUrl.split('/').at(-1)!;
      const rows = await h.gateway.db.query(`SELECT * FROM verification_callback WHERE auth_uuid = $1`, [authUuid]);
      // heldProcess issued one, then this one: both stay valid (Tecalis may hold either).
      expect(rows).toHaveLength(2);
      expect(rows.map((row: { token_hash: string }) => row.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0]).toMatchObject({ tenant_id: 'default', auth_uuid: authUuid });
    });

    it('adopts a process no tenant holds for the caller’s tenant, unconfirmed, and hands the URL to the built-in sandbox', async () => {
      const authUuid = h.tecalis.addProcess();
      const issued = await h.issue(h.gateway.as('operator'), authUuid.toUpperCase());
      expect(issued.authUuid).toBe(authUuid);
      const read = await queryData<any>(h.gateway.api, `query ($id: ID!) { verification(authUuid: $id) { status syncedAt lead { id } } }`, { id: authUuid });
      expect(read.verification).toEqual({ status: 'PENDING', syncedAt: null, lead: null });
      // As whoever creates the process gives Tecalis its callback URLs.
      expect(h.tecalis.processOf(authUuid)).toMatchObject({ callback: issued.callbackUrl, callbackKo: issued.callbackKoUrl });
    });

    it("refuses an id that is not a UUID, naming the field, and issues nothing; another tenant's process of the same id is its own", async () => {
      const { authUuid } = await h.heldProcess();
      const before = await h.gateway.db.query(`SELECT count(*)::int AS n FROM verification_callback`);
      const malformed = await postGraphQL(h.gateway.as('operator'), ISSUE, { id: 'not-a-uuid' });
      expect(malformed.errors?.[0]).toMatchObject({ message: 'authUuid: expected a UUID, but got "not-a-uuid"', extensions: { code: 'BAD_USER_INPUT', field: 'authUuid' } });
      expect(await h.gateway.db.query(`SELECT count(*)::int AS n FROM verification_callback`)).toEqual(before);
      // Issue #22: the same auth_uuid in the other tenant's own Tecalis account is the other tenant's process.
      const theirs = await postGraphQL<any>(h.gateway.other, ISSUE, { id: authUuid });
      expect(theirs.errors).toBeUndefined();
      const token = new URL(theirs.data.issueVerificationCallback.callbackUrl).pathname.split('/').pop()!;
      expect(await findCallbackGrant(h.gateway.db, token)).toEqual({ tenantId: OTHER_TENANT, authUuid });
      expect((await h.stored(authUuid)).map((row) => row.tenant_id).sort()).toEqual(['default', OTHER_TENANT]);
    });

    it('issues from the shell too (`leadgraph callbacks issue`), printing only the URL, which then works', async () => {
      const { authUuid } = await h.heldProcess();
      let printed = '';
      const out = new Writable({ write: (chunk, _encoding, done) => void ((printed += String(chunk)), done()) });
      const config = loadConfig({ DATABASE_URL: (h.gateway.db.options as { url: string }).url, PUBLIC_URL: new URL(h.gateway.url).origin, LOG_LEVEL: 'silent' });
      expect(await callbacksCommand(['issue', '--tenant', 'default', authUuid], config, createLogger('silent'), out)).toBe(0);
      expect(printed).toMatch(new RegExp(`^${new URL(h.gateway.url).origin}/webhooks/tecalis/[A-Za-z0-9_-]{43}\\n$`));
      expect(await h.send(printed.trim(), h.callbackBody(authUuid, { status: 'OK' }))).toEqual({ status: 200, body: { status: 'applied' } });
      // A tenant with no Tecalis account of its own is refused as the mutation refuses it.
      expect(await callbacksCommand(['issue', '--tenant', 'lender-c', authUuid], config, createLogger('silent'), out)).toBe(1);
    });
  });

  it('applies a change made at Tecalis, called back by the sandbox on the URL it was given, and a subscriber sees it', async () => {
    const { authUuid, leadId, url } = await h.heldProcess();
    const live = subscribeToStatusChanges(h.gateway.api, { after: await lastChangeId(h.gateway.db), leadId });
    try {
      const sent = once(h.tecalis.events, 'callback-sent');
      // An agent at Tecalis rejects the selfie: KO goes to `callback_ko`, which is the same URL.
      const change = await fetch(new URL(`/__sandbox/processes/${authUuid}`, h.gateway.providers.sandboxes.TECALIS!.baseUrl), {
        method: 'POST',
        body: JSON.stringify({ status: 'KO', reasons: 'selfie does not match' }),
      });
      expect(change.status).toBe(200);
      expect((await sent)[0]).toEqual({ authUuid, status: 'KO', url, answer: 200 });
      const [changed] = await live.untilCount(1);
      expect(changed).toMatchObject({ provider: 'TECALIS', entityId: authUuid, from: 'PENDING', to: 'KO' });
      const read = await queryData<any>(h.gateway.api, `query ($id: ID!) { lead(id: $id) { stage verification { status statusReasons name } } }`, { id: leadId });
      expect(read.lead).toEqual({ stage: 'VERIFICATION_FAILED', verification: { status: 'KO', statusReasons: 'selfie does not match', name: 'Held At Tecalis' } });
    } finally {
      await live.close();
    }
  });

  describe('forged callbacks are refused and change nothing', () => {
    const forged = (authUuid: string) => h.callbackBody(authUuid, { status: 'OK', name: 'Chosen By A Forger', updated_at: wireInstant(60) });

    it.each([
      ['through the retired shared route', 'retired'],
      ['through a URL whose token is malformed', 'malformed'],
      ['through a URL never issued', 'never issued'],
      ["through the URL of another process of the same tenant", 'other process'],
      ["through the URL of another tenant's process", 'other tenant'],
    ] as const)('%s', async (_what, route) => {
      const target = await h.heldProcess();
      const url = {
        retired: () => new URL('/webhooks/tecalis', h.gateway.url).href,
        malformed: () => new URL('/webhooks/tecalis/not-a-token', h.gateway.url).href,
        'never issued': () => new URL(`/webhooks/tecalis/${randomBytes(32).toString('base64url')}`, h.gateway.url).href,
        'other process': async () => (await h.heldProcess()).url,
        'other tenant': async () => (await h.issue(h.gateway.other, h.tecalis.addProcess())).callbackUrl,
      }[route];
      const before = { stored: await h.stored(target.authUuid), change: await lastChangeId(h.gateway.db) };
      const answer = await h.send(await url(), forged(target.authUuid));
      if (route === 'retired') {
        expect(answer.status).toBe(410);
        expect(answer.body).toEqual({ error: expect.stringContaining('/webhooks/tecalis/<token>') });
      } else {
        expect(answer).toEqual(NOT_AUTHORIZED);
      }
      expect(await h.stored(target.authUuid)).toEqual(before.stored);
      expect(await lastChangeId(h.gateway.db)).toBe(before.change);
    });

    it('checks the token before reading the body: a broken body through a wrong URL is 401, not 400', async () => {
      expect(await h.send(new URL(`/webhooks/tecalis/${randomBytes(32).toString('base64url')}`, h.gateway.url), '{"data": ')).toEqual(NOT_AUTHORIZED);
    });

    it('never creates a record from a callback: a process no tenant holds leaves no trace, whatever the route', async () => {
      const unknown = h.tecalis.addProcess({ name: 'Nobody Holds Me', status: 'OK' });
      const { url } = await h.heldProcess();
      expect((await h.send(new URL('/webhooks/tecalis', h.gateway.url), forged(unknown))).status).toBe(410);
      expect(await h.send(url, forged(unknown))).toEqual(NOT_AUTHORIZED);
      expect(await h.stored(unknown)).toEqual([]);
      expect(await h.gateway.db.query(`SELECT * FROM unclaimed_webhook WHERE record_id = $1`, [unknown])).toEqual([]);
      for (const caller of [h.gateway.api, h.gateway.other]) {
        expect((await queryData<any>(caller, `query ($id: ID!) { verification(authUuid: $id) { status } }`, { id: unknown })).verification).toBeNull();
      }
    });
  });

  describe('only forward', () => {
    it('ignores a callback older than the stored state (200 stale): the 2020 one that rewrote a name', async () => {
      const { authUuid, url } = await h.heldProcess();
      const before = { stored: await h.stored(authUuid), change: await lastChangeId(h.gateway.db) };
      const old = h.callbackBody(authUuid, { name: 'Rewritten In 2020', updated_at: '2020-01-01T00:00:00.000000Z' });
      expect(await h.send(url, old)).toEqual({ status: 200, body: { status: 'stale' } });
      expect(await h.stored(authUuid)).toEqual(before.stored);
      expect(await lastChangeId(h.gateway.db)).toBe(before.change);
    });

    it('ignores a callback without a readable updated_at once the process has one: it cannot be placed', async () => {
      const { authUuid, url } = await h.heldProcess();
      const before = await h.stored(authUuid);
      expect(await h.send(url, h.callbackBody(authUuid, { name: 'Undated', updated_at: null }))).toEqual({ status: 200, body: { status: 'stale' } });
      expect(await h.stored(authUuid)).toEqual(before);
    });

    it('never moves a finished process back to PENDING, even with a newer updated_at (200 finished)', async () => {
      const { authUuid, url } = await h.heldProcess(VerificationStatus.OK);
      const before = await h.stored(authUuid);
      expect(before[0]!.status).toBe('OK');
      const back = h.callbackBody(authUuid, { status: 'PENDING', name: 'Rewritten', updated_at: wireInstant(60) });
      expect(await h.send(url, back)).toEqual({ status: 200, body: { status: 'finished' } });
      expect(await h.stored(authUuid)).toEqual(before);
    });

    it('applies a later final state over a finished one: an agent turning KO into OK', async () => {
      const { authUuid, url } = await h.heldProcess(VerificationStatus.KO);
      expect(await h.send(url, h.callbackBody(authUuid, { status: 'OK', updated_at: wireInstant(60) }))).toEqual({ status: 200, body: { status: 'applied' } });
      expect((await h.stored(authUuid))[0]!.status).toBe('OK');
    });

    it('answers an exact replay as a duplicate that changes nothing, even after a later callback', async () => {
      const { authUuid, url } = await h.heldProcess();
      const raw = JSON.stringify(h.callbackBody(authUuid, { status: 'OK', updated_at: wireInstant(60) }));
      expect(await h.send(url, raw)).toEqual({ status: 200, body: { status: 'applied' } });
      const after = { stored: await h.stored(authUuid), change: await lastChangeId(h.gateway.db) };
      expect(await h.send(url, raw)).toEqual({ status: 200, body: { status: 'duplicate' } });
      expect(await h.stored(authUuid)).toEqual(after.stored);
      expect(await lastChangeId(h.gateway.db)).toBe(after.change);
      // Tecalis retries for a while: a replay after a newer callback is still just a duplicate.
      expect(await h.send(url, h.callbackBody(authUuid, { status: 'KO', updated_at: wireInstant(120) }))).toEqual({ status: 200, body: { status: 'applied' } });
      expect(await h.send(url, raw)).toEqual({ status: 200, body: { status: 'duplicate' } });
      expect((await h.stored(authUuid))[0]!.status).toBe('KO');
    });
  });

  it('never writes a callback URL’s token to the log, and logs why a callback was refused', async () => {
    const { authUuid, url } = await h.heldProcess();
    const token = url.split('/').at(-1)!;
    expect(await h.send(url, h.callbackBody(authUuid, { status: 'OK', updated_at: wireInstant(60) }))).toEqual({ status: 200, body: { status: 'applied' } });
    expect(await h.send(url, h.callbackBody(h.tecalis.addProcess()))).toEqual(NOT_AUTHORIZED);
    const entries = h.logs.entries();
    expect(h.logs.lines.join('\n')).not.toContain(token);
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'http request', method: 'POST', path: '/webhooks/tecalis/[redacted]', status: 200 }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'Tecalis callback URL issued', authUuid }));
    expect(entries).toContainEqual(
      expect.objectContaining({ msg: 'callback refused', authUuid, reason: expect.stringMatching(/^the callback is about another process/) }),
    );
  });

  it("applies Tecalis's own in-progress status as PENDING, keeping its word, and reads what it can of the rest", async () => {
    const { authUuid, url } = await h.heldProcess();
    const data = { ...h.callbackBody(authUuid).data, status: 'IN_PROGRESS', company: 42, name: 'In Progress' } as Record<string, unknown>;
    delete data.cleaned;
    expect(await h.send(url, { data, metadata: null })).toEqual({ status: 200, body: { status: 'applied' } });
    const read = await queryData<any>(h.gateway.api, `query ($id: ID!) { verification(authUuid: $id) { status providerStatus name company } }`, { id: authUuid });
    // company 42 cannot be stored as text: the stored value stands.
    expect(read.verification).toEqual({ status: 'PENDING', providerStatus: 'IN_PROGRESS', name: 'In Progress', company: 'Tecalis' });
  });

  it('answers a body that is not JSON, or not a Tecalis process, with 400 once the URL is valid', async () => {
    const { url } = await h.heldProcess();
    expect((await h.send(url, '{"data": ')).status).toBe(400);
    expect((await h.send(url, { data: {} })).status).toBe(400);
  });
});

describe('Tecalis callbacks with TECALIS_WEBHOOK_TOKEN, a second factor in the metadata', () => {
  const SECOND_FACTOR = 'tecalis-second-factor-for-tests';
  const h = harness({ TECALIS_WEBHOOK_TOKEN: SECOND_FACTOR });

  it.each([
    ['no metadata', null],
    ['no token in the metadata', { lead: 'x' }],
    ['another token', { leadgraph_token: 'not-the-second-factor-at-all' }],
  ])('refuses a callback through a valid URL with %s, and changes nothing', async (_what, metadata) => {
    const { authUuid, url } = await h.heldProcess();
    const before = await h.stored(authUuid);
    expect(await h.send(url, h.callbackBody(authUuid, { status: 'OK', updated_at: wireInstant(60) }, metadata))).toEqual(NOT_AUTHORIZED);
    expect(await h.stored(authUuid)).toEqual(before);
  });

  it('applies one that carries it; the sandbox, given it with the URL, sends it', async () => {
    const { authUuid, url } = await h.heldProcess();
    expect(h.tecalis.processOf(authUuid)!.metadata).toEqual({ leadgraph_token: SECOND_FACTOR });
    const sent = once(h.tecalis.events, 'callback-sent');
    const change = await fetch(new URL(`/__sandbox/processes/${authUuid}`, h.gateway.providers.sandboxes.TECALIS!.baseUrl), {
      method: 'POST',
      body: JSON.stringify({ status: 'OK' }),
    });
    expect(change.status).toBe(200);
    expect((await sent)[0]).toEqual({ authUuid, status: 'OK', url, answer: 200 });
    expect((await h.stored(authUuid))[0]!.status).toBe('OK');
  });
});

describe("Tecalis callbacks of a tenant's own connection (issue #22)", () => {
  const h = harness();
  const SECOND_FACTOR = 'other-tenant-second-factor-0123456789';

  it("are issued on its connection's URL, checked with its second factor, and applied to its process only", async () => {
    const account = h.gateway.otherAccounts.TECALIS!;
    await h.gateway.connections.set(OTHER_TENANT, 'TECALIS', {
      ...TECALIS.settings.env(account.connection as Parameters<typeof TECALIS.settings.env>[0]),
      TECALIS_WEBHOOK_TOKEN: SECOND_FACTOR,
    });
    const theirs = account.behavior as TecalisSandbox;
    // One process id in both accounts: the default tenant's and the other tenant's.
    const authUuid = h.tecalis.addProcess();
    theirs.addProcess({ authUuid });
    const ours = await h.issue(h.gateway.as('operator'), authUuid);
    const issued = await h.issue(h.gateway.other, authUuid);
    expect(issued.callbackUrl).toMatch(new RegExp(`/webhooks/tecalis/connections/${OTHER_TENANT}/[A-Za-z0-9_-]{43}$`));
    const body = (metadata: unknown) => ({ data: { ...theirs.processOf(authUuid)!.data, status: 'OK' }, metadata });

    // Without its connection's second factor: refused as every forgery is.
    expect(await h.send(issued.callbackUrl, body(null))).toEqual(NOT_AUTHORIZED);
    // The default tenant's URL token under the other tenant's connection: refused.
    const ourToken = new URL(ours.callbackUrl).pathname.split('/').pop()!;
    expect(await h.send(new URL(`/webhooks/tecalis/connections/${OTHER_TENANT}/${ourToken}`, h.gateway.url), body({ [TECALIS_TOKEN_FIELD]: SECOND_FACTOR }))).toEqual(NOT_AUTHORIZED);

    expect(await h.send(issued.callbackUrl, body({ [TECALIS_TOKEN_FIELD]: SECOND_FACTOR }))).toEqual({ status: 200, body: { status: 'applied' } });
    const stored = await h.stored(authUuid);
    expect(stored.find((row) => row.tenant_id === OTHER_TENANT)?.status).toBe('OK');
    expect(stored.find((row) => row.tenant_id === 'default')?.status).toBe('PENDING');
  });
});
