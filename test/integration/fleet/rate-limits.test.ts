import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { seedLead } from '../../support/fixtures.js';
import { type Fleet, startFleet } from '../../support/fleet.js';
import { postGraphQL, type Target } from '../../support/graphql-client.js';
import { connectRawSubscriber } from '../../support/raw-graphql-ws.js';
import { appendChanges, change } from '../../support/status-log.js';

const QUERY = `{ leads(first: 1) { totalCount } }`;

/** Statuses of `perInstance` requests sent at once to each of `targets`, in the order of `targets`. */
async function burst(targets: readonly Target[], perInstance: number): Promise<number[][]> {
  return Promise.all(targets.map((target) => Promise.all(Array.from({ length: perInstance }, async () => (await postGraphQL(target, QUERY)).status))));
}

const count = (statuses: readonly number[], status: number) => statuses.filter((s) => s === status).length;

/**
 * Runs `scenario` with a fresh key until one run, from its first request to its last
 * answer, takes under a second. A fresh key's window of the per-second rate opens at
 * its first request, so only such a run is known to have fallen in one window, and
 * only its counts say what a window allows. A machine too busy for five such runs in a
 * row fails the test, saying so, rather than passing or failing it on timing.
 */
async function inOneWindow<T>(fleet: Fleet, scenario: (key: string) => Promise<T>): Promise<T> {
  for (let run = 1; run <= 5; run++) {
    const { key } = await fleet.first.createKey('default', 'viewer');
    const started = performance.now();
    const result = await scenario(key);
    if (performance.now() - started < 1_000) return result;
  }
  throw new Error('five runs in a row took a second or more: the machine is too busy to test a rate per second');
}

describe('rate limits held by a fleet of three instances on one database', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(3, { RATE_LIMIT_PER_SECOND: '20', SUBSCRIPTION_STARTS_PER_MINUTE: '3' });
    // Every instance has served a request (its rate-limit connections are open), so the
    // bursts below fit well inside one second.
    for (const { at } of fleet.instances) expect((await postGraphQL(at(fleet.first.api.token!), QUERY)).status).toBe(200);
  });
  afterAll(() => fleet?.stop());

  it('60 requests of one key, 20 at each instance at once: 20 answered in all, 40 refused 429, wherever they landed', async () => {
    const statuses = await inOneWindow(fleet, (key) => burst(fleet.instances.map(({ at }) => at(key)), 20));

    const all = statuses.flat();
    expect(count(all, 200), `answered per instance: ${statuses.map((s) => count(s, 200)).join(', ')}`).toBe(20);
    expect(count(all, 429)).toBe(40);
  });

  it('one key over its rate at one instance is refused at the others too, and other keys are spared', async () => {
    const [a, b, c] = fleet.instances;
    const { atA, atB } = await inOneWindow(fleet, async (key) => {
      const [atA] = await burst([a!.at(key)], 25);
      return { atA: atA!, atB: await postGraphQL(b!.at(key), QUERY) };
    });
    expect(count(atA, 200)).toBe(20);
    expect(atB.status).toBe(429);
    expect(atB.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(atB.headers?.get('retry-after')).toBe('1');
    expect((await postGraphQL(c!.at(fleet.first.api.token!), QUERY)).status).toBe(200);
  });

  it('subscription starts: three a minute for one key, whichever instances its sockets are on', async () => {
    const lead = await seedLead(fleet.first.db);
    const [changeId] = await appendChanges(fleet.first.db, [change(lead.leadId, Provider.TECHEA, 'lead-1')]);
    const { key } = await fleet.first.createKey('default', 'viewer');
    const sockets = await Promise.all(fleet.instances.map(({ at }) => connectRawSubscriber(at(key))));
    try {
      const subscription = `subscription { statusChanged(after: "0") { id } }`;
      for (const socket of sockets) expect(await socket.run(subscription)).toEqual({ data: { statusChanged: { id: changeId } } });
      // The fourth, on any instance, is over the key's budget.
      expect(await sockets[0]!.run(subscription)).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } }],
      });
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });
});

describe('the authentication-failure budget of an address, held by a fleet of three', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(3, { AUTH_FAILURES_PER_MINUTE: '3' });
  });
  afterAll(() => fleet?.stop());

  it('three failures spread over the instances use it up: every instance then refuses the address, a right key included', async () => {
    // Every instance has checked the right key: it is remembered there, so its requests read
    // the address's failures and count themselves in one statement (shared-rate-counter.ts).
    for (const { at } of fleet.instances) expect((await postGraphQL(at(fleet.first.api.token!), QUERY)).status).toBe(200);
    const requestsCounted = async () =>
      (await fleet.first.db.query<Array<{ points: number }>>(`SELECT points FROM rate_limit WHERE key LIKE 'requests:%'`)).map((r) => r.points);
    const countedBefore = await requestsCounted();

    const wrong = 'lgk_' + 'y'.repeat(43);
    const statuses = [];
    for (const { at } of fleet.instances) statuses.push((await postGraphQL(at(wrong), QUERY)).status);
    expect(statuses).toEqual([401, 401, 401]);

    for (const { at } of fleet.instances) {
      const right = await postGraphQL(at(fleet.first.api.token!), QUERY);
      expect(right.status).toBe(429);
      expect(right.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      // The wait is the failure window's (a minute), not the request rate's (a second).
      expect(Number(right.headers?.get('retry-after'))).toBeGreaterThan(1);
    }
    // Refused before it was counted: the key's request budget did not move.
    expect(await requestsCounted()).toEqual(countedBefore);
  });
});

describe('while the shared store cannot be reached (its table is gone)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(2, { RATE_LIMIT_PER_SECOND: '5' });
    for (const { at } of fleet.instances) expect((await postGraphQL(at(fleet.first.api.token!), QUERY)).status).toBe(200);
  });
  afterAll(() => fleet?.stop());

  it('fails open to per-instance limits: no request fails for it, each instance still holds the rate, and the fleet-wide limit is back with the table', async () => {
    const db = fleet.first.db;
    const marks = fleet.instances.map(({ logs }) => logs.lines.length);
    await db.query(`ALTER TABLE rate_limit RENAME TO rate_limit_away`);
    try {
      const statuses = await inOneWindow(fleet, (key) => burst(fleet.instances.map(({ at }) => at(key)), 8));
      // Each instance counts on its own: 5 there, 5 here; the rest 429, nothing else.
      expect(statuses.map((s) => count(s, 200))).toEqual([5, 5]);
      expect(statuses.map((s) => count(s, 429))).toEqual([3, 3]);
      // And says so.
      for (const [i, { logs }] of fleet.instances.entries()) {
        const warning = await logs.until((line) => line.budget === 'requests', marks[i]);
        expect(warning).toMatchObject({ level: 40, msg: expect.stringMatching(/^the rate-limit store did not answer/) });
      }
    } finally {
      await db.query(`ALTER TABLE rate_limit_away RENAME TO rate_limit`);
    }

    const statuses = await inOneWindow(fleet, (key) => burst(fleet.instances.map(({ at }) => at(key)), 8));
    expect(count(statuses.flat(), 200)).toBe(5);
  });
});
