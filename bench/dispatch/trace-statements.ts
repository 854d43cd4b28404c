/**
 * Where a mutation's time goes: runs a gateway in this process with a SQL logger, sends
 * a few `reportLeadEvent` and `updateApplication` mutations one at a time, and prints the
 * statements of the last of each with their offsets from the request's start.
 *
 *   npx tsx bench/dispatch/trace-statements.ts
 *
 * The dispatch benchmark says how much the gateway adds; this says what it is made of.
 */
import { type Logger as TypeOrmLogger } from 'typeorm';
import { startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createBenchDatabase, openBenchServer } from '../lib/bench-database.js';
import { generateDataSet } from '../lib/data-generator.js';
import { createBenchKey } from '../lib/gateway.js';
import { startBenchSandboxes } from '../lib/sandboxes.js';

const ROUNDS = 20;

class StatementTrace implements TypeOrmLogger {
  readonly statements: Array<{ at: number; sql: string }> = [];
  logQuery(query: string): void {
    this.statements.push({ at: performance.now(), sql: query.replace(/\s+/g, ' ').slice(0, 110) });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
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

const server = await openBenchServer();
const database = await createBenchDatabase(server);
const data = await generateDataSet(database.url, 100);
const sandboxes = await startBenchSandboxes(database.url).catch(async (error: unknown) => {
  await database.drop();
  await server.stop();
  throw error;
});
try {
  const key = await createBenchKey(database.url);
  const trace = new StatementTrace();
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'off', RATE_LIMIT_PER_SECOND: '100000', ...sandboxes.env });
  const gateway = await startGateway(config, createLogger('warn'), { sqlLogger: trace });
  try {
    for (const [name, mutation] of Object.entries(MUTATIONS)) {
      const totals: number[] = [];
      for (let n = 0; n < ROUNDS; n++) {
        trace.statements.length = 0;
        const started = performance.now();
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: mutation.query, variables: { input: mutation.input(data, n) } }),
        });
        const body = await response.text();
        if (!body.includes('"SUCCEEDED"')) throw new Error(`${name} did not succeed: ${body}`);
        totals.push(performance.now() - started);
        if (n === ROUNDS - 1) {
          console.log(`\n${name}: ${trace.statements.length} statements (ms from the request's start)`);
          for (const { at, sql } of trace.statements) console.log(`${(at - started).toFixed(2).padStart(7)}  ${sql}`);
        }
      }
      totals.sort((a, b) => a - b);
      console.log(`${name}: median ${totals[Math.floor(ROUNDS / 2)]?.toFixed(2)} ms over ${ROUNDS} mutations, one at a time`);
    }
  } finally {
    await gateway.close();
  }
} finally {
  await sandboxes.stop();
  await database.drop();
  await server.stop();
}
