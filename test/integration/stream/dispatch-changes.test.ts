import { createLogger } from '../../../src/logger.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedLead } from '../../support/fixtures.js';
import { type TestGateway } from '../../support/gateway.js';
import { executeOverWebSocket } from '../../support/ws-client.js';
import { type Target, queryData } from '../../support/graphql-client.js';
import { REPORT_LEAD_EVENT, RETRY_DISPATCH, type Sandboxes, startMutationGateway, UPSERT_LOAN } from '../mutations/mutation-harness.js';

/** A subscription's events, collected; waits resolve on their arrival. */
interface Collected<T> {
  readonly events: T[];
  untilCount(count: number): Promise<T[]>;
  close(): Promise<void>;
}

function collect<T>(target: Target, query: string, variables: Record<string, unknown>, pick: (data: any) => T): Collected<T> {
  const client = createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${target.token}` },
    retryAttempts: 0,
  });
  const events: T[] = [];
  let waiters: Array<{ count: number; resolve: (events: T[]) => void; reject: (error: Error) => void }> = [];
  let failure: Error | undefined;
  client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors !== undefined) failure = new Error(JSON.stringify(result.errors));
        else events.push(pick(result.data));
        waiters = waiters.filter((waiter) => {
          if (failure !== undefined) waiter.reject(failure);
          else if (events.length >= waiter.count) waiter.resolve(events);
          else return true;
          return false;
        });
      },
      error: (error) => {
        failure = new Error(`the subscription ended: ${JSON.stringify(error)}`);
        for (const waiter of waiters) waiter.reject(failure);
        waiters = [];
      },
      complete: () => undefined,
    },
  );
  return {
    events,
    untilCount: (count) =>
      new Promise((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        if (events.length >= count) return resolve(events);
        waiters.push({ count, resolve, reject });
      }),
    close: async () => {
      await client.dispose();
    },
  };
}

const DISPATCH_CHANGED = `subscription ($after: ID, $leadId: ID) {
  dispatchChanged(after: $after, leadId: $leadId) {
    id leadId provider entityId customerId from to
    dispatch { id state attempts lastError { code errorCode httpStatus message } leadId }
    lead { id stage lastEvent }
    record { __typename ... on Lead { id lastEvent } ... on Loan { id customerId loanId loanStatus } }
  }
}`;

const STATUS_CHANGED_LINKED = `subscription ($after: ID, $leadId: ID) {
  statusChanged(after: $after, leadId: $leadId) {
    id provider entityId customerId from to
    dispatch { id state }
    lead { id stage lastEvent }
    record { __typename ... on Lead { id lastEvent } ... on Loan { id customerId loanId loanStatus } ... on Verification { id authUuid status } }
  }
}`;

describe('dispatches report their end, and status changes link to what they changed', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;
  const open: Array<Collected<unknown>> = [];
  const watch = <T>(query: string, variables: Record<string, unknown>, pick: (data: any) => T): Collected<T> => {
    const collected = collect(gateway.api, query, variables, pick);
    open.push(collected);
    return collected;
  };
  const head = async () => (await queryData<{ statusHead: string }>(gateway.api, `{ statusHead }`)).statusHead;
  const techeaLead = () => seedLead(gateway.db, { techeaLeadId: sandboxes.techea.behavior.addLead() });
  const report = async (leadId: string, event: string) =>
    (await queryData<{ reportLeadEvent: { dispatch: { id: string; state: string } } }>(gateway.api, REPORT_LEAD_EVENT, { input: { leadId, event } })).reportLeadEvent.dispatch;

  beforeAll(async () => {
    ({ gateway, sandboxes } = await startMutationGateway({ DISPATCH_WAIT_MS: '3000' }, createLogger('error')));
  });
  afterEach(async () => {
    for (const { server } of Object.values(sandboxes)) server.clearFaults();
    await Promise.all(open.splice(0).map((collected) => collected.close()));
  });
  afterAll(() => gateway.stop());

  it.each([
    ['a negative after', { after: '-5' }, 'after', 'after: expected a status change id (a non-negative integer), but got "-5"'],
    ['an after past bigint', { after: '9223372036854775808' }, 'after', 'after: expected a status change id (a non-negative integer), but got "9223372036854775808"'],
    ['a leadId that is no UUID', { leadId: 'lead-1' }, 'leadId', 'leadId: expected a UUID, but got "lead-1"'],
  ])('refuses dispatchChanged with %s as BAD_USER_INPUT naming the argument, before it starts', async (_what, variables, field, message) => {
    const answer = await executeOverWebSocket(gateway.url, gateway.api.token, `subscription ($after: ID, $leadId: ID) { dispatchChanged(after: $after, leadId: $leadId) { id } }`, variables);
    expect(answer).toMatchObject({ kind: 'result', result: { errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field } }] } });
  });

  it('statusHead is the newest id of the log, "0"-based, and the start of a gap-free subscription', async () => {
    const [{ max }] = await gateway.db.query<[{ max: string | null }]>(`SELECT max(id)::text AS max FROM status_change WHERE tenant_id = 'default'`);
    expect(await head()).toBe(max ?? '0');
  });

  it('a dispatch that fails twice then succeeds: one SUCCEEDED event after the record change it caused, no polling', async () => {
    const lead = await techeaLead();
    const after = await head();
    const dispatches = watch(DISPATCH_CHANGED, { after, leadId: lead.leadId }, (data) => data.dispatchChanged);
    const records = watch(STATUS_CHANGED_LINKED, { after, leadId: lead.leadId }, (data) => data.statusChanged);
    sandboxes.techea.server.setFaults({ forceStatus: 503, forceCount: 2 });

    const submitted = await report(lead.leadId, 'REGISTRATION');
    expect(submitted.state).toBe('PENDING');

    const [ended] = await dispatches.untilCount(1);
    expect(ended).toMatchObject({
      leadId: lead.leadId,
      provider: 'TECHEA',
      entityId: lead.techeaLeadId,
      customerId: null,
      from: 'PENDING',
      to: 'SUCCEEDED',
      dispatch: { id: submitted.id, state: 'SUCCEEDED', attempts: 3, lastError: null, leadId: lead.leadId },
      lead: { id: lead.leadId, lastEvent: 'REGISTRATION' },
      record: { __typename: 'Lead', id: lead.leadId, lastEvent: 'REGISTRATION' },
    });
    const [change] = await records.untilCount(1);
    expect(change).toMatchObject({
      provider: 'TECHEA',
      from: null,
      to: 'REGISTRATION',
      dispatch: { id: submitted.id, state: 'SUCCEEDED' },
      lead: { id: lead.leadId, lastEvent: 'REGISTRATION' },
      record: { __typename: 'Lead', id: lead.leadId },
    });
    // One id space: the record's change, then the dispatch's end.
    expect(BigInt((change as { id: string }).id)).toBeLessThan(BigInt((ended as { id: string }).id));
  });

  it('a refused dispatch: a FAILED event with the provider message and an enum code; retryDispatch shows it PENDING again, then its end', async () => {
    const lead = await techeaLead();
    const dispatches = watch(DISPATCH_CHANGED, { after: await head(), leadId: lead.leadId }, (data) => data.dispatchChanged);
    sandboxes.techea.server.setFaults({ forceStatus: 422, forceCount: 1 });

    const submitted = await report(lead.leadId, 'REGISTRATION');
    expect(submitted.state).toBe('FAILED');
    const [failed] = await dispatches.untilCount(1);
    expect(failed).toMatchObject({
      from: 'PENDING',
      to: 'FAILED',
      dispatch: { id: submitted.id, state: 'FAILED', lastError: { code: 'REJECTED', errorCode: 'REJECTED', httpStatus: 422, message: expect.any(String) } },
      lead: { id: lead.leadId, lastEvent: null },
    });

    await queryData(gateway.api, RETRY_DISPATCH, { id: submitted.id });
    const events = await dispatches.untilCount(3);
    expect(events.slice(1).map((event: any) => [event.from, event.to])).toEqual([
      ['FAILED', 'PENDING'],
      ['PENDING', 'SUCCEEDED'],
    ]);
  });

  it('each event of a subscription reads the lead as it is then, not as the first event found it', async () => {
    const lead = await techeaLead();
    const records = watch(STATUS_CHANGED_LINKED, { after: await head(), leadId: lead.leadId }, (data) => data.statusChanged);
    await report(lead.leadId, 'REGISTRATION');
    await records.untilCount(1);
    await report(lead.leadId, 'LOAN_ISSUED');
    const events = await records.untilCount(2);
    expect(events.map((event: any) => [event.to, event.lead.lastEvent])).toEqual([
      ['REGISTRATION', expect.any(String)],
      ['LOAN_ISSUED', 'LOAN_ISSUED'],
    ]);
  });

  it('a loan change names its customer and links to its loan, whose id a cache can use', async () => {
    const customerId = sandboxes.decisionCloud.behavior.addCustomer(`CUST-${Date.now()}`);
    const { createLead } = await queryData<{ createLead: { id: string } }>(gateway.api, `mutation ($c: ID) { createLead(input: { decisionCloudCustomerId: $c }) { id } }`, {
      c: customerId,
    });
    const records = watch(STATUS_CHANGED_LINKED, { after: await head(), leadId: createLead.id }, (data) => data.statusChanged);
    const input = { customerId, loanId: 'loan-7', leadId: createLead.id, decisionCloudLeadId: 7, loanStatus: 'ORIGINATED', loanAmountCents: 100_000, appliedAt: '2026-11-01T10:00:00Z' };
    await queryData(gateway.api, UPSERT_LOAN, { input });
    const [change] = await records.untilCount(1);
    expect(change).toMatchObject({
      provider: 'DECISION_CLOUD',
      entityId: 'loan-7',
      customerId,
      record: { __typename: 'Loan', id: `${customerId}:loan-7`, customerId, loanId: 'loan-7', loanStatus: 'ORIGINATED' },
    });
  });

  it('answers statusChanges with the same links, each kind of record read once for the page', async () => {
    const { statusChanges } = await queryData<{ statusChanges: Array<{ dispatch: { id: string } | null; record: { __typename: string } | null; lead: { id: string } }> }>(
      gateway.api,
      `{ statusChanges(first: 100) { id lead { id stage } dispatch { id state } record { __typename ... on Lead { id } ... on Loan { id } } } }`,
    );
    expect(statusChanges.length).toBeGreaterThan(3);
    expect(statusChanges.every((change) => change.lead.id !== undefined && change.record !== null)).toBe(true);
    expect(statusChanges.filter((change) => change.dispatch !== null).length).toBeGreaterThan(0);
  });
});
