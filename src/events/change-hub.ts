import pg from 'pg';
import { type DataSource } from 'typeorm';
import { type StatusChangeEntity } from '../db/entities/index.js';
import { type StatusChangeKind } from '../db/entities/status-change.entity.js';
import { type Provider } from '../domain/vocabulary.js';
import { type Logger } from '../logger.js';
import { StatusChangeStore } from './status-change-store.js';
import { STATUS_CHANGE_CHANNEL } from './status-change-log.js';
import { SubscriberQueue } from './subscriber-queue.js';

/** Changes the hub handed out: the same object may reach many subscribers. */
const broadcast = new WeakSet<object>();

/**
 * Whether `value` is a change the hub handed to its subscribers (the same object for
 * all of them), as opposed to a row one subscriber read for itself (a replay): only
 * the former is worth executing once for many (`http/shared-event-execution.ts`).
 */
export function isBroadcastChange(value: unknown): boolean {
  return typeof value === 'object' && value !== null && broadcast.has(value);
}

/** Which changes a subscriber wants. */
export interface ChangeFilter {
  readonly tenantId: string;
  /** Record changes (`statusChanged`) or dispatch changes (`dispatchChanged`). */
  readonly kind: StatusChangeKind;
  readonly leadId?: string;
  /** Only these providers (all when absent). */
  readonly providers?: readonly Provider[];
}

/** Settings of the hub. */
export interface ChangeHubOptions {
  /** Changes a subscriber may fall behind before it is dropped. */
  readonly subscriberBuffer: number;
  /** A read of every active tenant's log this often, in case a notification was lost. */
  readonly safetyPollMs: number;
  /** Bound on connecting the LISTEN connection, so a hung server cannot stall its reconnects. */
  readonly connectTimeoutMs?: number;
}

/**
 * The LISTEN connection's reconnect delays: doubling from the first to the cap. Short,
 * because `/readyz` is unready while the connection is down, so the cap is how long an
 * instance may stay out of rotation after its database is back; a failed attempt costs
 * one connection refused (or one connect timeout), nothing more.
 */
export const LISTEN_RECONNECT = { firstMs: 100, capMs: 1_000 } as const;

interface Subscriber {
  readonly filter: ChangeFilter;
  readonly queue: SubscriberQueue<StatusChangeEntity>;
}

/** One tenant's readers on this instance, and how far this instance has read its log. */
interface TenantFeed {
  cursor: string;
  readonly all: Set<Subscriber>;
  /** Subscribers of one lead, by lead: a change reaches only its lead's subscribers… */
  readonly byLead: Map<string, Set<Subscriber>>;
  /** …and those of every lead. No change is matched against all subscribers. */
  readonly anyLead: Set<Subscriber>;
  reading: Promise<void> | undefined;
  readAgain: boolean;
}

/**
 * This instance's view of the status-change log: one LISTEN connection, and for each
 * tenant with subscribers here, a cursor in its log. A notification (or the safety
 * poll, or a reconnect) makes the hub read the rows after the cursor once, in id
 * order, and hand each to the matching local subscribers. Notifications carry ids
 * only; rows are read from the log, which is the source of truth.
 */
export class StatusChangeHub {
  private readonly feeds = new Map<string, TenantFeed>();
  private readonly store: StatusChangeStore;
  private client: pg.Client | undefined;
  private stopped = false;
  private reconnectDelayMs: number = LISTEN_RECONNECT.firstMs;
  private safetyTimer: NodeJS.Timeout | undefined;
  /** Whether the LISTEN connection is up (for /readyz). */
  listening = false;
  /** Changes handed to subscribers (for metrics). */
  delivered = 0;

  constructor(
    db: DataSource,
    private readonly databaseUrl: string,
    private readonly options: ChangeHubOptions,
    private readonly logger: Logger,
  ) {
    this.store = new StatusChangeStore(db);
  }

  async start(): Promise<void> {
    await this.connect();
    this.safetyTimer = setInterval(() => {
      for (const tenantId of this.feeds.keys()) this.read(tenantId);
    }, this.options.safetyPollMs);
    this.safetyTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.safetyTimer);
    for (const feed of this.feeds.values()) for (const subscriber of feed.all) void subscriber.queue.return();
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  /** Open subscriptions on this instance (for metrics). */
  get subscriberCount(): number {
    let count = 0;
    for (const feed of this.feeds.values()) count += feed.all.size;
    return count;
  }

  /**
   * Registers a subscriber for live changes (those after this instance's cursor).
   * The caller replays older changes from the log itself and skips ids it already
   * has. `onOverflow` runs if it falls too far behind.
   */
  async subscribe(filter: ChangeFilter, onOverflow: () => void): Promise<SubscriberQueue<StatusChangeEntity>> {
    let feed = this.feeds.get(filter.tenantId);
    if (feed === undefined) {
      // The first reader of a tenant here: start at the end of its log.
      const cursor = await this.store.lastId(filter.tenantId);
      feed = this.feeds.get(filter.tenantId) ?? { cursor, all: new Set(), byLead: new Map(), anyLead: new Set(), reading: undefined, readAgain: false };
      this.feeds.set(filter.tenantId, feed);
    }
    const target = feed;
    const subscriber: Subscriber = {
      filter,
      queue: new SubscriberQueue<StatusChangeEntity>(this.options.subscriberBuffer, onOverflow, () => this.remove(target, subscriber)),
    };
    target.all.add(subscriber);
    if (filter.leadId === undefined) target.anyLead.add(subscriber);
    else {
      const forLead = target.byLead.get(filter.leadId) ?? new Set();
      forLead.add(subscriber);
      target.byLead.set(filter.leadId, forLead);
    }
    // Anything committed while the tenant was not watched yet is read now.
    this.read(filter.tenantId);
    return subscriber.queue;
  }

  private remove(feed: TenantFeed, subscriber: Subscriber): void {
    feed.all.delete(subscriber);
    feed.anyLead.delete(subscriber);
    const leadId = subscriber.filter.leadId;
    if (leadId !== undefined) {
      const forLead = feed.byLead.get(leadId);
      forLead?.delete(subscriber);
      if (forLead?.size === 0) feed.byLead.delete(leadId);
    }
    if (feed.all.size === 0 && this.feeds.get(subscriber.filter.tenantId) === feed) this.feeds.delete(subscriber.filter.tenantId);
  }

  /** Reads a tenant's new rows once, even if asked many times meanwhile. */
  private read(tenantId: string): void {
    const feed = this.feeds.get(tenantId);
    if (feed === undefined) return;
    if (feed.reading !== undefined) {
      feed.readAgain = true;
      return;
    }
    feed.reading = this.drain(tenantId, feed)
      .catch((error: unknown) => this.logger.error({ err: error, tenantId }, 'could not read the status-change log'))
      .finally(() => {
        feed.reading = undefined;
        if (feed.readAgain) {
          feed.readAgain = false;
          this.read(tenantId);
        }
      });
  }

  private async drain(tenantId: string, feed: TenantFeed): Promise<void> {
    for (;;) {
      const rows = await this.store.after(tenantId, { afterId: feed.cursor }, 1000);
      for (const change of rows) {
        feed.cursor = change.id;
        this.deliver(feed, change);
      }
      if (rows.length < 1000) return;
    }
  }

  private deliver(feed: TenantFeed, change: StatusChangeEntity): void {
    broadcast.add(change);
    for (const group of [change.leadId === null ? undefined : feed.byLead.get(change.leadId), feed.anyLead]) {
      for (const subscriber of group ?? []) {
        if (subscriber.filter.kind !== change.kind) continue;
        const providers = subscriber.filter.providers;
        if (providers !== undefined && !(providers as readonly string[]).includes(change.provider)) continue;
        subscriber.queue.push(change);
        this.delivered++;
      }
    }
  }

  /** LISTENs on a dedicated connection; a lost connection is re-established and the gap read from the log. */
  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'leadgraph-listen',
      ...(this.options.connectTimeoutMs !== undefined && { connectionTimeoutMillis: this.options.connectTimeoutMs }),
    });
    client.on('notification', (message) => {
      const tenantId = message.payload?.slice(0, message.payload.lastIndexOf(':'));
      if (tenantId !== undefined) this.read(tenantId);
    });
    client.on('error', (error) => this.logger.warn({ err: error }, 'the LISTEN connection failed'));
    client.on('end', () => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = undefined;
      if (!this.stopped) this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STATUS_CHANGE_CHANNEL}`);
    } catch (error) {
      // Not awaited: a goodbye to a server that does not answer would wait for ever.
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.listening = true;
    this.reconnectDelayMs = LISTEN_RECONNECT.firstMs;
    // Whatever committed while we were not listening is in the log: read it.
    for (const tenantId of this.feeds.keys()) this.read(tenantId);
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, LISTEN_RECONNECT.capMs);
    this.logger.warn({ retryInMs: delay }, 'the LISTEN connection was lost; reconnecting');
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not re-establish the LISTEN connection');
        this.scheduleReconnect();
      });
    }, delay).unref();
  }
}
