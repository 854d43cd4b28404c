import { EventEmitter, once } from 'node:events';
import { type Gateway, startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startTestGateway, TEST_METRICS_TOKEN, type TestGateway, TEST_CONNECTIONS_KEY } from './gateway.js';
import { type Target } from './graphql-client.js';

/** The JSON lines one instance logged, and a way to wait for the next that matches. */
export class LogLines {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly events = new EventEmitter();

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
    this.events.emit('line');
  }

  /** Resolves with the first line from index `from` on for which `match` holds, now or when it is written. */
  async until(match: (line: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found !== undefined) return found;
      await once(this.events, 'line');
    }
  }
}

/** One gateway instance of a fleet, with what it logged (at info level). */
export interface FleetInstance {
  readonly gateway: Gateway;
  readonly logs: LogLines;
  /** This instance's /graphql with `token`. */
  readonly at: (token: string) => Target;
}

/** Several gateway instances on one database, as behind a load balancer. */
export interface Fleet {
  /** The first instance: it made the database and holds a key per role (its `api`, `as(role)` work on every instance). */
  readonly first: TestGateway;
  readonly instances: readonly FleetInstance[];
  readonly databaseUrl: string;
  /** Closes every instance, then drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts `count` instances on one fresh database, all with the same `env` (limits,
 * breaker settings, live providers), one after another: the first applies the
 * migrations, the others find them applied.
 */
export async function startFleet(count: number, env: Record<string, string> = {}): Promise<Fleet> {
  const firstLogs = new LogLines();
  const first = await startTestGateway({ env, logger: createLogger('info', { write: (line: string) => firstLogs.write(line) }) });
  const databaseUrl = (first.db.options as { url: string }).url;
  const instances: FleetInstance[] = [instance(first, firstLogs)];
  try {
    for (let i = 1; i < count; i++) {
      const logs = new LogLines();
      const config = loadConfig({
        CONNECTIONS_KEY: TEST_CONNECTIONS_KEY,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        // As the test gateways: generous limits unless the test sets its own.
        RATE_LIMIT_PER_SECOND: '100000',
        SUBSCRIPTION_STARTS_PER_MINUTE: '100000',
        AUTH_FAILURES_PER_MINUTE: '100000',
        DEMO_DATA: 'off',
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        ...env,
      });
      const gateway = await startGateway(config, createLogger('info', { write: (line: string) => logs.write(line) }));
      instances.push(instance(gateway, logs));
    }
  } catch (error) {
    for (const { gateway } of instances.slice(1)) await gateway.close();
    await first.stop();
    throw error;
  }
  return {
    first,
    instances,
    databaseUrl,
    async stop() {
      for (const { gateway } of instances.slice(1)) await gateway.close();
      await first.stop();
    },
  };
}

function instance(gateway: Gateway, logs: LogLines): FleetInstance {
  return { gateway, logs, at: (token) => ({ url: gateway.url, token }) };
}

/** `reportLeadEvent` answering its dispatch, as the fleet's breaker tests send it. */
export const REPORT_LEAD_EVENT_DISPATCH = `mutation ($i: ReportLeadEventInput!) {
  reportLeadEvent(input: $i) { dispatch { id state attempts lastError { code } } }
}`;

/** The dispatch {@link REPORT_LEAD_EVENT_DISPATCH} answers. */
export interface FleetDispatchView {
  readonly id: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastError: { readonly code: string } | null;
}
