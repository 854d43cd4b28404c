import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { type DataSource } from 'typeorm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { createResumableClient, type ResumableClient } from '../../src/client/index.js';
import { createDataSource, READ_TIMEOUT_GRACE_MS } from '../../src/db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { createLogger } from '../../src/logger.js';
import { knownApplications } from '../support/dispatch-fixtures.js';
import { postGraphQL } from '../support/graphql-client.js';
import { startLiveSandboxes } from '../support/live-sandboxes.js';
import { killLeftoverGateways } from '../support/process.js';
import { type ProcessFleet, startProcessFleet } from '../support/process-fleet.js';

/**
 * The postmaster of the server on `dataDir` and every process it started. Each child is
 * a process group of its own (PostgreSQL makes it one), so one signal to the
 * postmaster's group would stop the postmaster alone: a hang is every process stopped.
 */
async function serverProcesses(dataDir: string): Promise<number[]> {
  const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: the command may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster) children.push(Number(entry));
  }
  // The postmaster first, so it starts no process while its children are being stopped.
  return [postmaster, ...children];
}

/** The bounds the gateways run with: short, so the test is short. */
const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 1_000;
/** Lead Bank's answer takes this long, so mutations are in flight when a fault begins. */
const PROVIDER_LATENCY_MS = 300;
/** Request work on a shared two-core machine running two gateways, a database and the load. */
const SLACK_MS = 1_500;
/** One bounded wait for the database, plus the request's own work. */
const QUERY_BOUND_MS = Math.max(CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS + READ_TIMEOUT_GRACE_MS) + SLACK_MS;
/** The provider's answer, then two bounded waits for the database (the breaker's report, the result applied). */
const MUTATION_BOUND_MS = PROVIDER_LATENCY_MS + 2 * (STATEMENT_TIMEOUT_MS + READ_TIMEOUT_GRACE_MS) + SLACK_MS;
/** `/readyz` answers within its one-second deadline, plus the request's own work. */
const READYZ_BOUND_MS = 1_000 + 500;
/** Ready again this soon after the database is back (the LISTEN reconnect's cap, a connect, a probe). */
const READY_AGAIN_MS = 2_000;

const LEADS = `{ leads(first: 1) { totalCount } }`;
const UPDATE_APPLICATION = `mutation ($i: UpdateApplicationInput!) {
  updateApplication(input: $i) { dispatch { id state idempotencyKey } }
}`;
const DISPATCH_CHANGED = `subscription ($after: ID) { dispatchChanged(after: $after) { id entityId to } }`;

/** One answer the load got, timed on the test's clock. */
interface Answer {
  readonly kind: 'query' | 'mutation' | 'readyz';
  readonly instance: number;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly status: number;
  readonly code: string | undefined;
  readonly retryAfter: string | null;
  /** A mutation's application and the dispatch it was answered with, if any. */
  readonly applicationId?: string;
  readonly dispatch?: { readonly id: string; readonly state: string; readonly idempotencyKey: string };
}

interface DispatchEvent {
  readonly dispatchChanged: { readonly id: string; readonly entityId: string; readonly to: string };
}

/**
 * The database failing under a steady mix of traffic, as an operator would see it: two
 * gateway processes on a PostgreSQL server of this test's own, which is first hung
 * (SIGSTOP to its whole process group: the postmaster and every backend) and resumed,
 * then stopped (fast shutdown) and started again on the same port, while queries,
 * mutations, readiness probes and a resumable subscription keep going at both.
 */
describe('the database hung, then stopped, under a steady mix of queries, mutations and a subscription (two gateway processes)', () => {
  let dir: string;
  let server: EmbeddedDatabase;
  let direct: DataSource;
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let fleet: ProcessFleet;
  let token: string;
  let client: ResumableClient;
  const logger = createLogger('silent');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'leadgraph-faults-'));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the data directory
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 0, logger });
    sandboxes = await startLiveSandboxes();
    sandboxes.leadBank.server.setFaults({ latencyMs: PROVIDER_LATENCY_MS });
    fleet = await startProcessFleet(2, {
      DATABASE_URL: server.url,
      LOG_LEVEL: 'info',
      DEMO_DATA: 'off',
      RATE_LIMIT_PER_SECOND: '100000',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DISPATCH_POLL_MS: '50',
      ...sandboxes.env,
    });
    direct = await createDataSource({ url: server.url, poolSize: 2 }).initialize();
    token = (await new ApiKeyService(direct).create(DEFAULT_TENANT, 'operator', { createdBy: 'fault test' })).key;
  }, 120_000);
  /** The server's processes this test stopped, to be continued whatever happens. */
  let stopped: number[] = [];
  /** Whether the load goes on; a failed test stops it before the fleet is stopped. */
  let running = false;
  const resume = () => {
    for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
  };

  afterAll(async () => {
    running = false;
    resume();
    await client?.dispose();
    await fleet?.stop();
    await killLeftoverGateways();
    await sandboxes?.stop();
    await direct?.destroy();
    await server?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const origin = (instance: number) => new URL(fleet.urls[instance]!);

  it('answers within its bounds and honestly throughout, tracks readiness, applies every accepted dispatch exactly once, and streams without gap or duplicate', { timeout: 120_000 }, async () => {
    const applications = await knownApplications(direct, sandboxes.leadBank.behavior, 400);
    const [head] = await direct.query<[{ id: string }]>(`SELECT coalesce(max(id), 0)::text AS id FROM status_change`);

    // The subscriber: resumable, on instance 0, retrying quickly (the outages here are short).
    const events: Array<DispatchEvent['dispatchChanged']> = [];
    const wsUrl = origin(0);
    wsUrl.protocol = 'ws:';
    client = createResumableClient({
      url: wsUrl.href,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryWait: () => pause(100),
    });
    const eventArrived = new EventTarget();
    const subscription = client.subscribe<DispatchEvent>(
      { query: DISPATCH_CHANGED, after: head.id },
      {
        next: ({ data }) => {
          events.push(data.dispatchChanged);
          eventArrived.dispatchEvent(new Event('event'));
        },
        error: (error) => {
          throw error;
        },
      },
    );

    // The load: at each instance, queries one after another, mutations one after another
    // (each to an application of its own, with a key of its own), and readiness probes.
    const answers: Answer[] = [];
    const answerArrived = new EventTarget();
    const record = (answer: Answer) => {
      answers.push(answer);
      answerArrived.dispatchEvent(new Event('answer'));
    };
    running = true;
    let nextApplication = 0;
    const loops: Array<Promise<void>> = [];
    for (const instance of [0, 1]) {
      loops.push(
        (async () => {
          while (running) {
            const sentAt = performance.now();
            const response = await postGraphQL({ url: fleet.urls[instance]!, token }, LEADS);
            record({ kind: 'query', instance, sentAt, doneAt: performance.now(), status: response.status, code: response.errors?.[0]?.extensions?.code, retryAfter: response.headers?.get('retry-after') ?? null });
            await pause(20); // pacing, so the load is steady rather than as fast as the machine goes
          }
        })(),
        (async () => {
          while (running) {
            const applicationId = applications[nextApplication++];
            if (applicationId === undefined) throw new Error('the load used every application made for it: make more');
            const sentAt = performance.now();
            const response = await postGraphQL<{ updateApplication: { dispatch: NonNullable<Answer['dispatch']> } }>({ url: fleet.urls[instance]!, token }, UPDATE_APPLICATION, {
              i: { applicationId, productName: `under load ${applicationId}`, idempotencyKey: `load-${applicationId}` },
            });
            record({
              kind: 'mutation', instance, sentAt, doneAt: performance.now(), status: response.status,
              code: response.errors?.[0]?.extensions?.code, retryAfter: response.headers?.get('retry-after') ?? null,
              applicationId, ...(response.data?.updateApplication?.dispatch !== undefined && { dispatch: response.data.updateApplication.dispatch }),
            });
          }
        })(),
        (async () => {
          while (running) {
            const sentAt = performance.now();
            const response = await fetch(new URL('/readyz', origin(instance)));
            await response.arrayBuffer();
            record({ kind: 'readyz', instance, sentAt, doneAt: performance.now(), status: response.status, code: undefined, retryAfter: response.headers.get('retry-after') });
            await pause(50);
          }
        })(),
      );
    }

    /** Resolves once an answer sent after `since` satisfies `match` at each instance. */
    const atBoth = (since: number, match: (answer: Answer) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          const seen = [0, 1].every((instance) => answers.some((a) => a.instance === instance && a.sentAt >= since && match(a)));
          if (!seen) return;
          answerArrived.removeEventListener('answer', check);
          resolve();
        };
        answerArrived.addEventListener('answer', check);
        check();
      });
    const unavailable = (kind: Answer['kind']) => (a: Answer) => a.kind === kind && a.status === 503;
    const ok = (kind: Answer['kind']) => (a: Answer) => a.kind === kind && a.status === 200;

    /**
     * A fault that begins while a mutation's call is at Lead Bank (held there until the fault
     * has begun, so its result meets the fault: answered PENDING when the database is hung),
     * held until both instances have answered a query, a probe and a mutation with 503, then
     * ended. On the events, not on the load's timing: a faster gateway answers 503 sooner
     * and would otherwise end a fault before any mutation had met it.
     */
    async function fault(begin: () => Promise<void>, end: () => Promise<void>) {
      const held = sandboxes.leadBank.server.holdNext();
      await held.reached;
      const began = performance.now();
      const beginning = begin();
      held.release();
      await beginning;
      await atBoth(began, unavailable('query'));
      await atBoth(began, unavailable('readyz'));
      await atBoth(began, unavailable('mutation'));
      await end();
      const ended = performance.now();
      await atBoth(ended, ok('readyz'));
      await atBoth(ended, ok('query'));
      await atBoth(ended, (a) => a.kind === 'mutation' && a.dispatch?.state === 'SUCCEEDED');
      return { began, ended };
    }

    // Steady state first: everything answered at both.
    const start = performance.now();
    await Promise.all([atBoth(start, ok('query')), atBoth(start, ok('readyz')), atBoth(start, (a) => a.kind === 'mutation' && a.dispatch?.state === 'SUCCEEDED')]);

    const hung = await fault(
      async () => {
        stopped = await serverProcesses(server.dataDir);
        for (const pid of stopped) process.kill(pid, 'SIGSTOP');
      },
      () => Promise.resolve(resume()),
    );
    const port = server.port;
    const down = await fault(
      () => server.stop(),
      async () => {
        server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, logger });
      },
    );
    running = false;
    await Promise.all(loops);
    const faults = [hung, down];
    const during = (a: Answer) => faults.some(({ began, ended }) => a.doneAt >= began && a.sentAt <= ended + READY_AGAIN_MS);

    // Every answer within its bound, honest: 200, or 503 with Retry-After and SERVICE_UNAVAILABLE during a fault.
    const bound = { query: QUERY_BOUND_MS, mutation: MUTATION_BOUND_MS, readyz: READYZ_BOUND_MS };
    const late = answers.filter((a) => a.doneAt - a.sentAt > bound[a.kind]);
    expect(late.map((a) => `${a.kind} at ${a.instance}: ${Math.round(a.doneAt - a.sentAt)} ms`)).toEqual([]);
    for (const answer of answers) {
      if (answer.status === 200) continue;
      expect(answer, 'only a fault may refuse, and only with 503').toMatchObject({ status: 503 });
      expect(during(answer), `a 503 outside the faults: ${JSON.stringify(answer)}`).toBe(true);
      if (answer.kind !== 'readyz') expect(answer).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: '2' });
    }
    expect(answers.filter((a) => a.status === 503 && a.kind === 'mutation').length, 'mutations refused during the faults').toBeGreaterThan(0);

    // Readiness tracked each fault: ready again at each instance within two seconds of the database's return.
    for (const { ended } of faults) {
      for (const instance of [0, 1]) {
        const readyAgain = answers.find((a) => a.kind === 'readyz' && a.instance === instance && a.sentAt >= ended && a.status === 200)!;
        expect(readyAgain.doneAt - ended).toBeLessThan(READY_AGAIN_MS);
      }
    }

    // A mutation whose dispatch was written answered with it, PENDING when its result could not be applied yet.
    const mutations = answers.filter((a) => a.kind === 'mutation');
    for (const answer of mutations.filter((a) => a.status === 200)) {
      expect(answer.dispatch).toMatchObject({ idempotencyKey: `load-${answer.applicationId}`, state: expect.stringMatching(/^(SUCCEEDED|PENDING)$/) });
    }
    const pendingAnswers = mutations.filter((a) => a.dispatch?.state === 'PENDING');
    expect(pendingAnswers.length, 'in-flight mutations answered with their PENDING dispatch').toBeGreaterThan(0);

    // Every dispatch written (answered or not) ends SUCCEEDED, its update applied at Lead Bank exactly once;
    // a mutation refused before its dispatch was written sent nothing.
    const written = await direct.query<Array<{ id: string; application_id: string }>>(
      `SELECT d.id::text, substring(d.idempotency_key from 6) AS application_id FROM dispatch d WHERE d.idempotency_key LIKE 'load-%'`,
    );
    const writtenIds = new Set(written.map((d) => d.id));
    for (const answer of mutations.filter((a) => a.dispatch !== undefined)) expect(writtenIds.has(answer.dispatch!.id)).toBe(true);
    await new Promise<void>((resolve) => {
      const check = () => {
        const ended = new Set(events.filter((e) => e.to === 'SUCCEEDED').map((e) => e.entityId));
        if (!written.every((d) => ended.has(d.application_id))) return;
        eventArrived.removeEventListener('event', check);
        resolve();
      };
      eventArrived.addEventListener('event', check);
      check();
    });
    const leadBank = sandboxes.leadBank.behavior;
    const writtenApplications = new Set(written.map((d) => d.application_id));
    for (const applicationId of mutations.map((a) => a.applicationId!)) {
      expect(leadBank.appliedUpdates(applicationId), applicationId).toBe(writtenApplications.has(applicationId) ? 1 : 0);
    }
    const [states] = await direct.query<[{ succeeded: number; other: number }]>(
      `SELECT count(*) FILTER (WHERE state = 'SUCCEEDED')::int AS succeeded, count(*) FILTER (WHERE state <> 'SUCCEEDED')::int AS other
         FROM dispatch WHERE idempotency_key LIKE 'load-%'`,
    );
    expect(states).toEqual({ succeeded: written.length, other: 0 });

    // The stream: every DISPATCH change in the log after the head, exactly once, in order, across both faults.
    const logged = await direct.query<Array<{ id: string }>>(
      `SELECT s.id::text AS id FROM status_change s WHERE s.kind = 'DISPATCH' AND s.id > $1 ORDER BY s.id`,
      [head.id],
    );
    expect(events.map((e) => e.id)).toEqual(logged.map((row) => row.id).slice(0, events.length));
    expect(events.length).toBe(logged.length);
    expect(subscription.duplicatesDropped, 'events the gateway sent twice').toBe(0);
  });
});
