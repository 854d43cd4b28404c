import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../../src/db/data-source.js';
import { DEFAULT_TENANT } from '../../../src/domain/roles.js';
import { LeadEvent, Provider, VerificationStatus } from '../../../src/domain/vocabulary.js';
import { RecordWriter } from '../../../src/services/record-writer.js';
import { seedLead, verificationRecord } from '../../support/fixtures.js';
import { OTHER_TENANT, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { queryData } from '../../support/graphql-client.js';
import { appendChanges, change, lastChangeId, PROVIDERS } from '../../support/status-log.js';
import { idsOf, type StreamedChange, strictlyIncreasing, subscribeToStatusChanges } from '../../support/status-subscription.js';

const WRITERS = 20;
const CHANGES = 2_000;
const PER_WRITER = CHANGES / WRITERS;
/** Several changes per transaction, as a provider callback touching a few records writes them. */
const PER_TRANSACTION = 4;
/** Each writer spreads its changes over a few leads of its own. */
const LEADS_PER_WRITER = 3;
/** The subscriber disconnects after about this many changes and resumes with `after`. */
const RESUME_EVERY = 300;

/**
 * Twenty writers, each running transactions of a few changes through RecordWriter, the
 * way the dispatcher and the callbacks do. Resolves with every id written. The entity id
 * names writer, transaction and position, so a change can be traced back to its write.
 */
async function runWriters(writerDb: DataSource, leads: readonly string[], tag: string, onCommit: () => void = () => undefined): Promise<string[]> {
  const perWriter = await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      const ids: string[] = [];
      for (let transaction = 0; transaction < PER_WRITER / PER_TRANSACTION; transaction++) {
        await writerDb.transaction(async (manager) => {
          const records = new RecordWriter(manager, DEFAULT_TENANT);
          for (let k = 0; k < PER_TRANSACTION; k++) {
            const appended = await records.appendStatusChange({
              leadId: leads[writer * LEADS_PER_WRITER + ((transaction + k) % LEADS_PER_WRITER)]!,
              provider: PROVIDERS[k % PROVIDERS.length]!,
              entityId: `${tag}-w${writer}-t${transaction}-k${k}`,
              from: null,
              to: `S${k}`,
            });
            ids.push(appended.id);
          }
        });
        onCommit();
      }
      return ids;
    }),
  );
  return perWriter.flat();
}

const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('the order of the status-change log under concurrent writers', () => {
  let gateway: TestGateway;
  /** The writers' own pool, one connection each, so they never wait for the gateway's. */
  let writerDb: DataSource;
  let leads: string[];

  beforeAll(async () => {
    gateway = await startTestGateway();
    writerDb = createDataSource({ url: (gateway.db.options as { url: string }).url, poolSize: WRITERS + 2 });
    await writerDb.initialize();
    leads = [];
    for (let i = 0; i < WRITERS * LEADS_PER_WRITER; i++) leads.push((await seedLead(gateway.db)).leadId);
  });
  afterAll(async () => {
    await writerDb?.destroy();
    await gateway?.stop();
  });

  it(
    'a subscriber that disconnects and resumes with `after` every few hundred changes receives all 2,000 exactly once, in id order',
    { timeout: 120_000 },
    async () => {
      const start = await lastChangeId(gateway.db);
      const received: StreamedChange[] = [];
      let resumes = 0;
      /** Closed by the gateway for falling too far behind: a documented reason to resume too. */
      let dropped = 0;
      const isEnd = (c: StreamedChange) => c.entityId === 'ordering-end';

      const subscriber = async () => {
        let cursor = start;
        for (;;) {
          const subscription = subscribeToStatusChanges(gateway.api, { after: cursor });
          const outcome = await Promise.race([
            subscription.until((changes) => changes.length >= RESUME_EVERY || changes.some(isEnd), `${RESUME_EVERY} changes or the end`).then(
              () => undefined,
              () => undefined, // ended first: `ended` says how
            ),
            subscription.ended,
          ]);
          // Whatever arrived up to now is kept; whatever the server sends after this moment
          // is never looked at, and comes again after the resume.
          const taken = subscription.changes.slice();
          await subscription.close();
          received.push(...taken);
          if (taken.length > 0) cursor = taken.at(-1)!.id;
          if (taken.some(isEnd)) return;
          if (outcome !== undefined) {
            if (outcome.kind === 'closed' && outcome.code === 4410) dropped++;
            else throw new Error(`the subscription ended unexpectedly: ${JSON.stringify(outcome)}`);
          }
          resumes++;
        }
      };
      const writers = async () => {
        const ids = await runWriters(writerDb, leads, 'ordering');
        // Written after every writer is done: once the subscriber has it, it has had every change before it.
        const [end] = await appendChanges(gateway.db, [change(leads[0]!, Provider.TECHEA, 'ordering-end')]);
        return { ids, end: end! };
      };

      const [{ ids: written, end }] = await Promise.all([writers(), subscriber()]);

      expect(written).toHaveLength(CHANGES);
      const expected = [...written].sort(byId);
      const ids = idsOf(received);
      expect(ids.at(-1)).toBe(end);
      // All 2,000, each once, in increasing id order (a duplicate or a gap shows up here).
      expect(ids.slice(0, -1)).toEqual(expected);
      expect(strictlyIncreasing(ids)).toBe(true);
      expect(new Set(received.map((c) => c.entityId)).size).toBe(CHANGES + 1);
      expect(resumes + dropped, 'disconnections and resumes').toBeGreaterThanOrEqual(Math.floor(CHANGES / RESUME_EVERY) - 1);
    },
  );

  it('a reader polling statusChanges(after:) during concurrent writes never finds an id below one it has already seen', { timeout: 120_000 }, async () => {
    const base = BigInt(await lastChangeId(gateway.db));
    const seen = new Set<string>();
    let highest = base;
    /** Ids that appeared below the highest id already seen: each one breaks the ordering rule. */
    const late: Array<{ id: string; highestSeenBefore: string }> = [];
    let polls = 0;

    /**
     * One read of the log from WINDOW ids below the highest seen. Rereading the whole log
     * each time would make every poll slower than the last; a change that became visible
     * late would have taken its id while other writers were in flight, so close below the
     * highest: with 20 writers of 4 changes per transaction, at most 80 ids in flight.
     * (One further below would never be seen at all, and fail the final comparison.)
     */
    const WINDOW = 100n;
    const POLL_EVERY_COMMITS = 3;
    const poll = async () => {
      polls++;
      const highestBefore = highest;
      let after = highest - WINDOW > base ? highest - WINDOW : base;
      for (;;) {
        const page = (
          await queryData<{ statusChanges: Array<{ id: string }> }>(gateway.api, `query ($after: ID) { statusChanges(after: $after, first: 1000) { id } }`, {
            after: String(after),
          })
        ).statusChanges;
        for (const { id } of page) {
          if (seen.has(id)) continue;
          if (BigInt(id) < highestBefore) late.push({ id, highestSeenBefore: String(highestBefore) });
          seen.add(id);
          if (BigInt(id) > highest) highest = BigInt(id);
        }
        if (page.length < 1000) return;
        after = BigInt(page.at(-1)!.id);
      }
    };

    // The reader polls as the writers progress (every few commits), not flat out: in this
    // one process a tight polling loop would starve the writers it is meant to watch.
    let commits = 0;
    let writing = true;
    let wake: () => void = () => undefined;
    const nextCommits = (count: number) => {
      const target = commits + count;
      return new Promise<void>((resolve) => {
        wake = () => {
          if (commits >= target || !writing) resolve();
        };
      });
    };
    const reader = async () => {
      while (writing) {
        const progressed = nextCommits(POLL_EVERY_COMMITS);
        await poll();
        await progressed;
      }
      await poll();
    };
    const written = runWriters(writerDb, leads, 'polling', () => {
      commits++;
      wake();
    }).finally(() => {
      writing = false;
      wake();
    });
    const [ids] = await Promise.all([written, reader()]);

    expect(late).toEqual([]);
    expect([...seen].sort(byId)).toEqual([...ids].sort(byId));
    expect(polls).toBeGreaterThan(1);
  });

  describe('the rule, one step at a time', () => {
    /** Resolves once `waiters` sessions wait for an advisory lock (the log's ordering lock). */
    async function untilWaitingForTheLogLock(db: DataSource, waiters = 1): Promise<void> {
      for (;;) {
        const [row] = await db.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        if (row!.n >= waiters) return;
      }
    }

    /** Returns once `waiters` transactions of this database wait for a lock of any kind. */
    async function untilBlocked(db: DataSource, waiters: number): Promise<void> {
      for (;;) {
        const [row] = await db.query<Array<{ n: number }>>(
          // A row-lock wait shows as a transactionid lock, whose `database` is null: match backends instead.
          `SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE NOT l.granted AND a.datname = current_database()`,
        );
        if (row!.n >= waiters) return;
      }
    }

    /** A transaction that appends one change and then stays open until `commit` is called. */
    function openAppend(db: DataSource, leadId: string, tenantId = DEFAULT_TENANT) {
      let commit: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (commit = resolve));
      let appended: (id: string) => void = () => undefined;
      const id = new Promise<string>((resolve) => (appended = resolve));
      const committed = db.transaction(async (manager) => {
        const entity = await new RecordWriter(manager, tenantId).appendStatusChange(change(leadId, Provider.TECHEA, 'held'));
        appended(entity.id);
        await released;
        return entity.id;
      });
      return { id, commit, committed };
    }

    it("holds a second writer of the same tenant back until the first commits, so the second's id is larger and visible later", async () => {
      const [a, b] = [leads[0]!, leads[1]!];
      const before = await lastChangeId(gateway.db);
      const first = openAppend(writerDb, a);
      const firstId = await first.id;

      let secondDone = false;
      const second = appendChanges(writerDb, [change(b, Provider.LEAD_BANK, 'second')]).then((ids) => {
        secondDone = true;
        return ids[0]!;
      });
      await untilWaitingForTheLogLock(gateway.db);
      expect(secondDone).toBe(false);
      // Nothing is visible yet: the first is uncommitted, the second has not even taken an id.
      expect(await lastChangeId(gateway.db)).toBe(before);

      first.commit();
      expect(await first.committed).toBe(firstId);
      const secondId = await second;
      expect(BigInt(secondId)).toBeGreaterThan(BigInt(firstId));
      const visible = await queryData<{ statusChanges: Array<{ id: string }> }>(gateway.api, `query ($after: ID) { statusChanges(after: $after) { id } }`, {
        after: before,
      });
      expect(idsOf(visible.statusChanges)).toEqual([firstId, secondId]);
    });

    it('does not hold back a writer of another tenant', async () => {
      const theirs = await seedLead(gateway.db, {}, OTHER_TENANT);
      const ours = openAppend(writerDb, leads[0]!);
      await ours.id;
      // Completes while our transaction still holds our tenant's lock.
      const [theirId] = await appendChanges(writerDb, [change(theirs.leadId, Provider.TECALIS, 'other tenant')], OTHER_TENANT);
      expect(await lastChangeId(gateway.db, OTHER_TENANT)).toBe(theirId);
      ours.commit();
      await ours.committed;
    });

    // Found as a bug, now fixed (every writer takes the lead's row lock before the log's
    // ordering lock): the ordering lock was taken in a different order from the lead's row
    // lock on the two kinds of write.
    // applyLeadEvent locks the lead row first (findOne … FOR UPDATE), then appends (advisory
    // lock). applyApplication / applyVerification / applyLoan append first (advisory lock),
    // then refreshLeadStage locks the lead row (SELECT … FOR UPDATE). Two such writes to ONE
    // lead at the same time can each hold what the other waits for: PostgreSQL detects the
    // deadlock after deadlock_timeout (1 s) and aborts one ("deadlock detected", 40P01).
    // Before the ordering lock both simply queued on the lead row. Reproduction, made
    // deterministic with a third writer G of the same tenant holding the ordering lock:
    // G appends and stays open; T2 = applyVerification (new status) of lead L queues for the
    // ordering lock; T1 = applyLeadEvent(L) locks L's row and queues behind T2; G commits:
    // T2 gets the ordering lock and waits for L's row, which T1 holds while it waits for
    // the ordering lock. Without G the same happens whenever T1 locks the lead between T2's
    // append and T2's stage refresh (e.g. reportLeadEvent's result and a Tecalis callback
    // for the same lead).
    it('lets a lead event and a verification update of the same lead commit side by side (no deadlock)', async () => {
      const lead = await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING } });
      const verification = verificationRecord({ authUuid: lead.authUuid!, status: VerificationStatus.OK });
      const other = openAppend(writerDb, leads[3]!);
      await other.id;

      // The verification's status moves (PENDING → OK), so a change is appended.
      const t2 = writerDb.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyVerification(verification));
      await untilWaitingForTheLogLock(gateway.db, 1);
      const t1 = writerDb.transaction((manager) => new RecordWriter(manager, DEFAULT_TENANT).applyLeadEvent(lead.leadId, LeadEvent.REGISTRATION));
      // T1 now queues too (on the lead's row, which T2 took before the ordering lock).
      await untilBlocked(gateway.db, 2);
      other.commit();
      await other.committed;

      const settled = await Promise.allSettled([t1, t2]);
      expect(settled.filter((result) => result.status === 'rejected')).toEqual([]);
    });

    it('(control) without the lock, a reader does find an id below one it has seen: the check above can fail', async () => {
      // Two plain inserts, as a log without the ordering lock would write them.
      const insert = (manager: { query: DataSource['query'] }, name: string) =>
        manager
          .query<Array<{ id: string }>>(
            `INSERT INTO status_change (tenant_id, lead_id, provider, entity_id, to_status) VALUES ($1, $2, 'TECHEA', $3, 'X') RETURNING id::text`,
            [DEFAULT_TENANT, leads[2], name],
          )
          .then((rows) => rows[0]!.id);
      let commitFirst: () => void = () => undefined;
      const firstHeld = new Promise<void>((resolve) => (commitFirst = resolve));
      let firstId: (id: string) => void = () => undefined;
      const firstTook = new Promise<string>((resolve) => (firstId = resolve));
      const first = writerDb.transaction(async (manager) => {
        firstId(await insert(manager, 'unlocked-1'));
        await firstHeld;
      });
      const smaller = await firstTook;
      const larger = await writerDb.transaction((manager) => insert(manager, 'unlocked-2'));

      expect(await lastChangeId(gateway.db)).toBe(larger);
      commitFirst();
      await first;
      // The reader saw `larger`, and now finds `smaller` below it.
      expect(BigInt(smaller)).toBeLessThan(BigInt(larger));
      expect(await gateway.db.query(`SELECT id::text FROM status_change WHERE id = $1`, [smaller])).toEqual([{ id: smaller }]);
    });
  });
});
