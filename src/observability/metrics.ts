import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { type BreakerState } from '../dispatch/circuit-breaker.js';
import { DispatchState } from '../domain/vocabulary.js';
import { type Logger } from '../logger.js';
import { PROVIDER_ERROR_CODES, type ProviderErrorCode, type ProviderId } from '../providers/index.js';
import { type DispatchAttemptOutcome, type DispatchObserver, type ProviderRequestOutcome, type WebSocketObserver } from './observers.js';

/** Seconds: from a cached read (a few ms) to a provider call at its timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];
const ATTEMPT_OUTCOMES: readonly DispatchAttemptOutcome[] = ['succeeded', 'refused', 'retry', 'exhausted', 'gateway_error', 'held'];

/**
 * Close codes that become labels as they are: RFC 6455's, and those the gateway and
 * graphql-ws send (the README's table). A client may close with any code from 3000 to
 * 4999; those others are counted as `other`, so a client cannot mint series.
 */
const KNOWN_CLOSE_CODES: ReadonlySet<number> = new Set([
  ...Array.from({ length: 16 }, (_, i) => 1000 + i),
  4400, 4401, 4403, 4406, 4408, 4409, 4410, 4419, 4429, 4499, 4500, 4504,
]);
/** The codes whose series start at 0: the gateway's own closes, the usual client ones, and the upgrades it refuses (HTTP 403, 429). */
const CLOSE_CODES_AT_START = [1000, 1001, 1006, 1009, 1013, 4400, 4401, 4403, 4408, 4409, 4410, 4419, 4429, 4500, 403, 429];

/** The providers the metrics label series with (a `ProviderRegistry`). */
export interface ProviderLabels {
  readonly ids: readonly ProviderId[];
  idOfClient(clientName: string): ProviderId | undefined;
}

/** What GraphQL operations are labelled with. */
export interface GraphQLOperationLabels {
  /** `http` (Apollo Server) or `ws` (graphql-ws). */
  readonly transport: 'http' | 'ws';
  /** The operation's root fields (see root-fields.ts); undefined when the document did not resolve to an operation. */
  readonly rootFields: string | undefined;
  /** `query`, `mutation` or `subscription`; undefined when it did not resolve. */
  readonly type: string | undefined;
  /** `success`; `error`: executed, with errors; `rejected`: never executed (parse, validation, limits). */
  readonly outcome: 'success' | 'error' | 'rejected';
}

/** What is read when `/metrics` is scraped rather than counted as it happens. */
export interface ScrapeSources {
  readonly db: DataSource;
  /** The outbox's depth and the age of its oldest pending dispatch. */
  readonly outbox: { depth(): Promise<{ pending: number; oldestPendingSeconds: number | null }> };
  readonly breakers: { breakerStates(): Record<ProviderId, BreakerState> };
  readonly changes: { readonly listening: boolean; readonly subscriberCount: number; readonly delivered: number };
  readonly logger: Logger;
}

/**
 * One gateway instance's metrics, in a registry of its own (several gateways can run
 * in one process, as in the tests). Counters move as things happen (GraphQL
 * operations, provider calls, dispatch attempts and settlements, WebSocket ends); gauges
 * of state (pending dispatches, open subscriptions, breakers, the LISTEN connection) are
 * read at scrape time, but for open WebSockets, counted as they open and close. No label
 * carries an id, a URL or a secret.
 */
export class GatewayMetrics implements DispatchObserver, WebSocketObserver {
  readonly registry = new Registry();
  /** Every provider's id, in order: each one's series start at 0. */
  private readonly providerIds: readonly ProviderId[];
  /** The HTTP client names its provider in lower case; metrics use the provider's id (the name the API uses). */
  private readonly idOfClient: (clientName: string) => ProviderId | undefined;
  private sources: ScrapeSources | undefined;
  private depthRead: Promise<{ pending: number; oldestPendingSeconds: number | null } | undefined> | undefined;

  private readonly graphqlOperations = new Counter({
    name: 'leadgraph_graphql_operations_total',
    help: 'GraphQL operations, by root fields, type, outcome (success, error, rejected) and transport (http, ws); a subscription is counted when it starts.',
    labelNames: ['root_fields', 'type', 'outcome', 'transport'] as const,
    registers: [this.registry],
  });

  private readonly graphqlDuration = new Histogram({
    name: 'leadgraph_graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL operation to its response (over WebSocket, to its result), by root fields, type, outcome and transport; subscriptions over WebSocket are not timed.',
    labelNames: ['root_fields', 'type', 'outcome', 'transport'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly providerRequests = new Histogram({
    name: 'leadgraph_provider_request_duration_seconds',
    help: 'HTTP calls to providers and their latency, by provider and outcome (status class, timeout, unreachable).',
    labelNames: ['provider', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly providerErrors = new Counter({
    name: 'leadgraph_provider_errors_total',
    help: 'Provider calls that ended in an error, by provider and neutral error code.',
    labelNames: ['provider', 'code'] as const,
    registers: [this.registry],
  });

  private readonly providerAnswersUnread = new Counter({
    name: 'leadgraph_provider_answer_unread_total',
    help: 'Parts of successful provider answers the gateway could not read (the call still succeeded), by provider and field.',
    labelNames: ['provider', 'field'] as const,
    registers: [this.registry],
  });

  private readonly dispatchAttempts = new Counter({
    name: 'leadgraph_dispatch_attempts_total',
    help: 'Dispatch attempts made by this instance, by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly dispatchesSettled = new Counter({
    name: 'leadgraph_dispatches_settled_total',
    help: 'Dispatches this instance moved from PENDING to SUCCEEDED or FAILED, by provider and state.',
    labelNames: ['provider', 'state'] as const,
    registers: [this.registry],
  });

  private readonly websocketConnections = new Gauge({
    name: 'leadgraph_websocket_connections',
    help: 'WebSockets open on this instance, whether or not their connection_init has succeeded yet.',
    registers: [this.registry],
  });

  private readonly websocketCloses = new Counter({
    name: 'leadgraph_websocket_closes_total',
    help: "WebSockets ended on this instance, by close code (the gateway's when it closed, else the client's; 1006: dropped without a close frame; other: a client code the gateway does not use), and upgrades it refused, by HTTP status (403, 429).",
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor(options: { readonly providers: ProviderLabels; readonly processMetrics?: boolean }) {
    this.providerIds = options.providers.ids;
    this.idOfClient = (name) => options.providers.idOfClient(name);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    // Every known series starts at 0, so a rate is defined from the first scrape on.
    for (const provider of this.providerIds) {
      for (const state of [DispatchState.SUCCEEDED, DispatchState.FAILED]) this.dispatchesSettled.inc({ provider, state }, 0);
      for (const outcome of ATTEMPT_OUTCOMES) this.dispatchAttempts.inc({ provider, outcome }, 0);
      for (const code of PROVIDER_ERROR_CODES) this.providerErrors.inc({ provider, code }, 0);
    }
    for (const code of CLOSE_CODES_AT_START) this.websocketCloses.inc({ code: String(code) }, 0);

    const pending: Gauge<'provider'> = new Gauge({
      name: 'leadgraph_dispatches_pending',
      help: 'Dispatches PENDING in the outbox (all instances), by provider; read at scrape.',
      labelNames: ['provider'] as const,
      registers: [this.registry],
      collect: async () => {
        pending.reset();
        const sources = this.sources;
        if (sources === undefined) return;
        try {
          const rows = await sources.db.query<Array<{ provider: ProviderId; n: number }>>(
            `SELECT provider, count(*)::int AS n FROM dispatch WHERE state = 'PENDING' GROUP BY provider`,
          );
          for (const provider of this.providerIds) pending.set({ provider }, rows.find((row) => row.provider === provider)?.n ?? 0);
        } catch (error) {
          sources.logger.debug({ err: error }, 'metrics: could not read the pending dispatches');
          for (const provider of this.providerIds) pending.set({ provider }, Number.NaN);
        }
      },
    });

    const depth: Gauge = new Gauge({
      name: 'leadgraph_outbox_depth',
      help: 'Dispatches PENDING in the outbox (all instances and providers); read at scrape.',
      registers: [this.registry],
      collect: async () => {
        const read = await this.readDepth();
        depth.set(read?.pending ?? Number.NaN);
      },
    });
    const oldest: Gauge = new Gauge({
      name: 'leadgraph_outbox_oldest_pending_age_seconds',
      help: 'How long the oldest PENDING dispatch has waited since it was recorded (0 when none is pending); read at scrape.',
      registers: [this.registry],
      collect: async () => {
        const read = await this.readDepth();
        oldest.set(read === undefined ? Number.NaN : (read.oldestPendingSeconds ?? 0));
      },
    });

    const breakers: Gauge<'provider' | 'state'> = new Gauge({
      name: 'leadgraph_provider_breaker_state',
      help: "Each provider's circuit breaker, shared by every instance, as this instance last read it: 1 for its current state (closed, open, half-open), 0 for the others.",
      labelNames: ['provider', 'state'] as const,
      registers: [this.registry],
      collect: () => {
        const states = this.sources?.breakers.breakerStates();
        if (states === undefined) return;
        for (const provider of this.providerIds) {
          for (const state of BREAKER_STATES) breakers.set({ provider, state }, states[provider] === state ? 1 : 0);
        }
      },
    });

    const listening: Gauge = new Gauge({
      name: 'leadgraph_listen_connection_up',
      help: 'Whether the LISTEN connection of the status-change feed is up (1) or not (0).',
      registers: [this.registry],
      collect: () => {
        if (this.sources !== undefined) listening.set(this.sources.changes.listening ? 1 : 0);
      },
    });

    const subscriptions: Gauge = new Gauge({
      name: 'leadgraph_subscriptions_open',
      help: 'Status-change subscriptions open on this instance.',
      registers: [this.registry],
      collect: () => {
        if (this.sources !== undefined) subscriptions.set(this.sources.changes.subscriberCount);
      },
    });

    const delivered: Counter = new Counter({
      name: 'leadgraph_subscription_events_delivered_total',
      help: 'Status changes handed to subscribers on this instance.',
      registers: [this.registry],
      collect: () => {
        if (this.sources === undefined) return;
        // The hub keeps the count; the counter mirrors it.
        delivered.reset();
        delivered.inc(this.sources.changes.delivered);
      },
    });
  }

  /**
   * The outbox's depth, read once per scrape for both gauges that show it (a scrape
   * collects every metric at once); undefined when the database cannot say.
   */
  private readDepth(): Promise<{ pending: number; oldestPendingSeconds: number | null } | undefined> {
    const sources = this.sources;
    if (sources === undefined) return Promise.resolve(undefined);
    if (this.depthRead === undefined) {
      const read = sources.outbox.depth().catch((error: unknown) => {
        sources.logger.debug({ err: error }, 'metrics: could not read the outbox depth');
        return undefined;
      });
      this.depthRead = read;
      void read.finally(() => {
        if (this.depthRead === read) this.depthRead = undefined;
      });
    }
    return this.depthRead;
  }

  /** The parts read at scrape time (wired once they exist). */
  readAtScrape(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** The Prometheus text format of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** One operation; `seconds` undefined for one not timed (a subscription over WebSocket). */
  graphqlOperation(labels: GraphQLOperationLabels, seconds: number | undefined): void {
    const values = { root_fields: labels.rootFields ?? '(unknown)', type: labels.type ?? 'unknown', outcome: labels.outcome, transport: labels.transport };
    this.graphqlOperations.inc(values);
    if (seconds !== undefined) this.graphqlDuration.observe(values, seconds);
  }

  websocketOpened(): void {
    this.websocketConnections.inc();
  }

  websocketClosed(code: number): void {
    this.websocketConnections.dec();
    this.websocketCloses.inc({ code: KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other' });
  }

  websocketRefused(status: 403 | 429): void {
    this.websocketCloses.inc({ code: String(status) });
  }

  providerRequest(provider: string, outcome: ProviderRequestOutcome, seconds: number): void {
    this.providerRequests.observe({ provider: this.idOfClient(provider) ?? provider, outcome }, seconds);
  }

  providerError(provider: string, code: ProviderErrorCode): void {
    this.providerErrors.inc({ provider: this.idOfClient(provider) ?? provider, code });
  }

  providerAnswerUnread(provider: string, field: string): void {
    this.providerAnswersUnread.inc({ provider: this.idOfClient(provider) ?? provider, field });
  }

  dispatchAttempt(provider: ProviderId, outcome: DispatchAttemptOutcome): void {
    this.dispatchAttempts.inc({ provider, outcome });
  }

  dispatchSettled(provider: ProviderId, state: DispatchState.SUCCEEDED | DispatchState.FAILED): void {
    this.dispatchesSettled.inc({ provider, state });
  }
}
