/**
 * Where a mutation's time goes: runs a gateway in this process, sends a few
 * `reportLeadEvent` and `updateApplication` mutations one at a time, and prints the
 * statements of the last of each with their offsets from the request's start (when
 * each was sent, and when its answer came back), and which pool sent it: every query
 * of every `pg` client of the process is seen, TypeORM's and the rate-limit store's.
 *
 *   npx tsx bench/dispatch/trace-statements.ts [--env NAME=VALUE ...]
 *
 * The dispatch benchmark says how much the gateway adds; this says what it is made of.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startGateway } from '../../src/app.js';
import { BoundedClient } from '../../src/db/bounded-client.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createBenchDatabase, openBenchServer } from '../lib/bench-database.js';
import { generateDataSet } from '../lib/data-generator.js';
import { createBenchKey } from '../lib/gateway.js';
import { startBenchSandboxes } from '../lib/sandboxes.js';

/** Mutations of each kind, one at a time; the statements of the last are printed, the median and the CPU taken over all but the first 20 (warm-up). */
const ROUNDS = 220;
const WARMUP = 20;

interface TracedStatement {
  readonly at: number;
  done: number;
  readonly pool: string;
  readonly sql: string;
  /** The poller's own statements (claims, breaker refreshes, outbox depth), on its own timer: no mutation's. */
  readonly poller: boolean;
}

const POLLER_STATEMENTS = /^\s*(UPDATE dispatch SET locked_until|SELECT count\(\*\) AS pending)|LEFT JOIN provider_breaker b ON true/;

/** Every query any `pg` client of this process sends, as it is sent, and when it is answered. */
class StatementTrace {
  readonly statements: TracedStatement[] = [];

  /** Wraps `query` of pg's client and of the gateway's bounded client (which keeps pg's original). */
  install(): void {
    for (const prototype of [pg.Client.prototype, BoundedClient.prototype]) this.wrap(prototype);
  }

  private wrap(prototype: { query: (...args: unknown[]) => unknown }): void {
    const statements = this.statements;
    const original = prototype.query;
    prototype.query = function (this: { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
      const entry: TracedStatement = {
        at: performance.now(),
        done: Number.NaN,
        pool: this.connectionParameters?.application_name === 'leadgraph-rate-limits' ? 'limits' : 'main',
        sql: text.replace(/\s+/g, ' ').slice(0, 100),
        poller: POLLER_STATEMENTS.test(text),
      };
      // A statement a wrapped client sends through the inner one is seen once.
      if (statements.at(-1)?.sql !== entry.sql || statements.at(-1)?.at !== entry.at) statements.push(entry);
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...results: unknown[]) => {
          entry.done = performance.now();
          return (callback as (...results: unknown[]) => unknown)(...results);
        };
      }
      const result = original.apply(this, args);
      if (result instanceof Promise) void result.then(() => (entry.done = performance.now()), () => (entry.done = performance.now()));
      return result;
    };
  }
}

const MUTATIONS = {
  reportLeadEvent: {
    query: 'mutation R($input: ReportLeadEventInput!) { reportLeadEvent(input: $input) { outcome lead { id stage } dispatch { state attempts } } }',
    input: (ids: { leadIds: readonly string[] }, n: number) => ({ leadId: ids.leadIds[n], event: 'LOAN_ISSUED' }),
  },
  updateApplication: {
    query: 'mutation U($input: UpdateApplicationInput!) { updateApplication(input: $input) { application { id productName } dispatch { state attempts } } }',
    input: (ids: { applicationIds: readonly string[] }, n: number) => ({ applicationId: ids.applicationIds[n], productName: `Everyday Credit ${n}` }),
  },
} as const;

const { values: flags } = parseArgs({ options: { env: { type: 'string', multiple: true, default: [] } }, strict: true });
const extraEnv = Object.fromEntries(flags.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

const server = await openBenchServer();
const database = await createBenchDatabase(server);
const data = await generateDataSet(database.url, ROUNDS);
const sandboxes = await startBenchSandboxes(database.url).catch(async (error: unknown) => {
  await database.drop();
  await server.stop();
  throw error;
});
try {
  const key = await createBenchKey(database.url);
  const trace = new StatementTrace();
  trace.install();
  const config = loadConfig({
    DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'off', RATE_LIMIT_PER_SECOND: '100000', ...sandboxes.env, ...extraEnv,
  });
  const gateway = await startGateway(config, createLogger('warn'), {});
  try {
    for (const [name, mutation] of Object.entries(MUTATIONS)) {
      const totals: number[] = [];
      let cpu = process.cpuUsage();
      for (let n = 0; n < ROUNDS; n++) {
        if (n === WARMUP) cpu = process.cpuUsage();
        trace.statements.length = 0;
        const started = performance.now();
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: mutation.query, variables: { input: mutation.input(data, n) } }),
        });
        const body = await response.text();
        if (!body.includes('"SUCCEEDED"')) throw new Error(`${name} did not succeed: ${body}`);
        if (n >= WARMUP) totals.push(performance.now() - started);
        if (n === ROUNDS - 1) {
          // The poller's statements (claims, breaker refreshes) run on their own timer: not this mutation's.
          const own = trace.statements.filter((s) => !s.poller);
          const byPool = (pool: string) => own.filter((s) => s.pool === pool).length;
          console.log(`\n${name}: ${own.length} statements (${byPool('main')} on the gateway's pool, ${byPool('limits')} on the rate-limit store's); ms from the request's start, sent → answered`);
          for (const { at, done, pool, sql } of own) {
            console.log(`${(at - started).toFixed(2).padStart(7)} → ${(done - started).toFixed(2).padStart(6)}  ${pool.padEnd(6)} ${sql}`);
          }
        }
      }
      const used = process.cpuUsage(cpu);
      totals.sort((a, b) => a - b);
      console.log(
        `${name}: median ${totals[Math.floor(totals.length / 2)]?.toFixed(2)} ms over ${totals.length} mutations, one at a time; ` +
          `CPU of this process (gateway and client) ${((used.user + used.system) / 1000 / totals.length).toFixed(2)} ms per mutation`,
      );
    }
  } finally {
    await gateway.close();
  }
} finally {
  await sandboxes.stop();
  await database.drop();
  await server.stop();
}
