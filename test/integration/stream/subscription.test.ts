import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type TecheaSandbox } from '../../../src/providers/techea/sandbox.js';
import { seedLead } from '../../support/fixtures.js';
import { OTHER_TENANT, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData, type Target } from '../../support/graphql-client.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';
import {
  idsOf,
  STATUS_CHANGE_FIELDS,
  type StatusChangedArgs,
  type StatusSubscription,
  strictlyIncreasing,
  subscribeToStatusChanges,
  untilLive,
} from '../../support/status-subscription.js';

const REPORT_LEAD_EVENT = `mutation ($input: ReportLeadEventInput!) {
  reportLeadEvent(input: $input) { outcome dispatch { state } lead { id lastEvent } }
}`;
const STATUS_CHANGES = `query ($after: ID, $leadId: ID, $first: Int) {
  statusChanges(after: $after, leadId: $leadId, first: $first) { ${STATUS_CHANGE_FIELDS} }
}`;

describe('the statusChanged subscription over graphql-ws', () => {
  let gateway: TestGateway;
  /** Subscriptions a test opened; closed after it, whatever happened. */
  const open: StatusSubscription[] = [];
  const subscribe = (target: Target, args: StatusChangedArgs = {}) => {
    const subscription = subscribeToStatusChanges(target, args);
    open.push(subscription);
    return subscription;
  };
  /** What `statusChanges` says the log holds after an id: what a subscriber must receive. */
  const logAfter = async (after: string, target: Target = gateway.api) =>
    (await queryData<{ statusChanges: any[] }>(target, STATUS_CHANGES, { after, first: 1000 })).statusChanges;

  beforeAll(async () => {
    gateway = await startTestGateway({
      // The first dispatch attempt is awaited, so the mutation answers with TECHEA's outcome.
      env: { DISPATCH_WAIT_MS: '20000', PROVIDER_TIMEOUT_MS: '10000' },
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscription) => subscription.close()));
  });
  afterAll(() => gateway?.stop());

  it('delivers the status change a reportLeadEvent mutation commits, as statusChanges reads it', async () => {
    const techea = gateway.providers.sandboxes.TECHEA!.behavior as TecheaSandbox;
    const lead = await seedLead(gateway.db, { techeaLeadId: techea.addLead() });
    // With `after` the subscription replays whatever it missed: no race with its registration.
    const last = await lastChangeId(gateway.db);
    const subscriber = subscribe(gateway.api, { after: last });

    const answer = await queryData<{ reportLeadEvent: any }>(gateway.api, REPORT_LEAD_EVENT, {
      input: { leadId: lead.leadId, event: 'REGISTRATION' },
    });
    expect(answer.reportLeadEvent).toMatchObject({ outcome: 'RECEIVED', dispatch: { state: 'SUCCEEDED' } });

    const [received] = await subscriber.untilCount(1);
    expect(received).toMatchObject({ leadId: lead.leadId, provider: 'TECHEA', entityId: lead.techeaLeadId, from: null, to: 'REGISTRATION' });
    expect(subscriber.changes).toEqual(await logAfter(last));
  });

  it('delivers live changes to a subscription without `after` once it is registered', async () => {
    const lead = await seedLead(gateway.db);
    const subscriber = subscribe(gateway.api);
    const clock = subscribe(gateway.api, { after: await lastChangeId(gateway.db) });
    const probes = await untilLive(subscriber, clock, async () => (await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'probe')]))[0]!);

    const [real] = await appendChanges(gateway.db, [change(lead.leadId, Provider.TECALIS, 'after-registration', 'OK', 'PENDING')]);
    await subscriber.untilId(real!);
    // Only probes (the first one it saw onwards) and the real change, once each, in order.
    const ids = idsOf(subscriber.changes);
    expect(ids.at(-1)).toBe(real);
    expect(ids.slice(0, -1).every((id) => probes.includes(id))).toBe(true);
    expect(strictlyIncreasing(ids)).toBe(true);
    expect(subscriber.changes.at(-1)).toMatchObject({ leadId: lead.leadId, provider: 'TECALIS', entityId: 'after-registration', from: 'PENDING', to: 'OK' });
  });

  describe('filters', () => {
    it('sends a lead filter only that lead, a providers filter only those providers, and both together only what matches both', async () => {
      const one = await seedLead(gateway.db);
      const two = await seedLead(gateway.db);
      const last = await lastChangeId(gateway.db);
      // Every provider on both leads, twice: once before the subscriptions start (replayed
      // from the log) and once after they have caught up (live), so both paths filter.
      const mix = (round: string) =>
        [one.leadId, two.leadId].flatMap((leadId) =>
          [Provider.TECHEA, Provider.LEAD_BANK, Provider.TECALIS, Provider.DECISION_CLOUD].map((provider) => change(leadId, provider, `${round}-${provider}`)),
        );
      await appendChanges(gateway.db, mix('replayed'));

      const everything = subscribe(gateway.api, { after: last });
      const byLead = subscribe(gateway.api, { after: last, leadId: one.leadId });
      // The lead filter is a UUID: any case must name the same lead.
      const byLeadUpperCase = subscribe(gateway.api, { after: last, leadId: one.leadId.toUpperCase() });
      const byProviders = subscribe(gateway.api, { after: last, providers: ['TECALIS', 'LEAD_BANK'] });
      const byBoth = subscribe(gateway.api, { after: last, leadId: one.leadId, providers: ['TECHEA', 'TECALIS', 'TECHEA'] });
      const all = [everything, byLead, byLeadUpperCase, byProviders, byBoth];
      await Promise.all(all.map((subscription) => subscription.until((changes) => changes.some((c) => c.entityId === 'replayed-TECALIS' && c.leadId === one.leadId))));

      await appendChanges(gateway.db, mix('live'));
      // The last change written matches every filter: each subscriber has had every change
      // before it by the time it arrives (the stream is in id order), wanted or not.
      const [end] = await appendChanges(gateway.db, [change(one.leadId, Provider.TECALIS, 'end')]);
      await Promise.all(all.map((subscription) => subscription.untilId(end!)));

      const log = await logAfter(last);
      expect(everything.changes).toEqual(log);
      expect(byLead.changes).toEqual(log.filter((c) => c.leadId === one.leadId));
      expect(byLeadUpperCase.changes).toEqual(byLead.changes);
      expect(byProviders.changes).toEqual(log.filter((c) => c.provider === 'TECALIS' || c.provider === 'LEAD_BANK'));
      expect(byBoth.changes).toEqual(log.filter((c) => c.leadId === one.leadId && (c.provider === 'TECHEA' || c.provider === 'TECALIS')));
      expect(byBoth.changes.map((c) => c.entityId)).toEqual(['replayed-TECHEA', 'replayed-TECALIS', 'live-TECHEA', 'live-TECALIS', 'end']);
    });
  });

  describe('`after`', () => {
    it('replays exactly the changes after that id, then continues live with no gap and no duplicate', async () => {
      const lead = await seedLead(gateway.db);
      const before = await appendChanges(
        gateway.db,
        ['c1', 'c2', 'c3', 'c4', 'c5'].map((name) => change(lead.leadId, Provider.DECISION_CLOUD, name)),
      );
      const subscriber = subscribe(gateway.api, { after: before[1]! });

      expect(idsOf(await subscriber.untilCount(3))).toEqual(before.slice(2));
      // One transaction of two changes, then one of one.
      const live = [
        ...(await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'c6'), change(lead.leadId, Provider.TECALIS, 'c7')])),
        ...(await appendChanges(gateway.db, [change(lead.leadId, Provider.LEAD_BANK, 'c8')])),
      ];
      await subscriber.untilId(live.at(-1)!);

      expect(idsOf(subscriber.changes)).toEqual([...before.slice(2), ...live]);
      expect(subscriber.changes.map((c) => c.entityId)).toEqual(['c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    });

    it('replays the whole log with after "0", and nothing old with an id beyond the newest', async () => {
      const lead = await seedLead(gateway.db);
      await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'old')]);
      const fromStart = subscribe(gateway.api, { after: '0' });
      const beyond = subscribe(gateway.api, { after: '9223372036854775807' });
      const everything = await logAfter('0');
      await fromStart.untilCount(everything.length);
      expect(fromStart.changes).toEqual(everything);

      // An `after` past the newest id is a bookmark from the future: nothing is replayed, and
      // nothing live either, since every new id is below it.
      const [fresh] = await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'new')]);
      await fromStart.untilId(fresh!);
      expect(beyond.changes).toEqual([]);
    });
  });

  describe('tenants', () => {
    it("never shows one tenant's changes to another tenant's subscriber, replayed or live", async () => {
      const ours = await seedLead(gateway.db);
      const theirs = await seedLead(gateway.db, {}, OTHER_TENANT);
      await appendChanges(gateway.db, [change(ours.leadId, Provider.TECHEA, 'ours-before')]);
      const [theirFirst] = await appendChanges(gateway.db, [change(theirs.leadId, Provider.TECHEA, 'theirs-1')], OTHER_TENANT);

      // From the start of the log: our changes come before and after theirs.
      const other = subscribe(gateway.other, { after: '0' });
      // Even naming our lead: the filter narrows the caller's own log, it does not widen it.
      const otherOnOurLead = subscribe(gateway.other, { after: '0', leadId: ours.leadId });
      await other.untilId(theirFirst!);

      await appendChanges(gateway.db, [change(ours.leadId, Provider.TECHEA, 'ours-live-1'), change(ours.leadId, Provider.LEAD_BANK, 'ours-live-2')]);
      const [theirSecond] = await appendChanges(gateway.db, [change(theirs.leadId, Provider.TECALIS, 'theirs-2')], OTHER_TENANT);
      await other.untilId(theirSecond!);

      // Ids are global and in order: had any of ours leaked, it would have come before theirs-2.
      expect(other.changes.map((c) => c.entityId)).toEqual(['theirs-1', 'theirs-2']);
      expect(other.changes.every((c) => c.leadId === theirs.leadId)).toBe(true);
      expect(other.changes).toEqual(await logAfter('0', gateway.other));
      expect(otherOnOurLead.changes).toEqual([]);
    });
  });

  describe('who may subscribe, and how', () => {
    it('lets a viewer subscribe', async () => {
      const lead = await seedLead(gateway.db);
      const viewer = subscribe(gateway.as('viewer'), { after: await lastChangeId(gateway.db) });
      const [id] = await appendChanges(gateway.db, [change(lead.leadId, Provider.LEAD_BANK, 'for-the-viewer', 'APPROVED')]);
      await viewer.untilId(id!);
      expect(viewer.changes).toMatchObject([{ id, leadId: lead.leadId, provider: 'LEAD_BANK', to: 'APPROVED' }]);
    });

    it('refuses a subscription sent over HTTP with 400 BAD_REQUEST, without running it', async () => {
      const response = await postGraphQL(gateway.api, `subscription { statusChanged(after: "0") { id } }`);
      expect(response.status).toBe(400);
      expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) })]);
      expect(response.errors![0]!.message).toMatch(/WebSocket/);
      // Not executed: no data at all, not even a null.
      expect(response.data).toBeUndefined();
    });

    const malformed: Array<[string, StatusChangedArgs, string]> = [
      ['a word as `after`', { after: 'abc' }, 'after'],
      ['a negative `after`', { after: '-1' }, 'after'],
      ['a fraction as `after`', { after: '1.5' }, 'after'],
      ['an `after` beyond bigint', { after: '9223372036854775808' }, 'after'],
      ['an `after` with a leading zero', { after: '007' }, 'after'],
      ['a `leadId` that is not a UUID', { leadId: 'lead-1' }, 'leadId'],
      ['an empty `providers` list', { providers: [] }, 'providers'],
      ['a NUL character in `after`', { after: '1\u0000' }, 'after'],
    ];
    it.each(malformed)('answers %s with BAD_USER_INPUT naming the argument', async (_what, args, field) => {
      const subscriber = subscribe(gateway.api, args);
      const end = await subscriber.ended;
      expect(end.kind).toBe('errors');
      const errors = end.kind === 'errors' ? end.errors : [];
      expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) })]);
      expect(subscriber.changes).toEqual([]);
    });

    it('answers an unknown provider with BAD_USER_INPUT before the subscription starts', async () => {
      const subscriber = subscribe(gateway.api, { providers: ['ACME'] });
      const end = await subscriber.ended;
      expect(end).toMatchObject({ kind: 'errors', errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })] });
    });
  });
});
