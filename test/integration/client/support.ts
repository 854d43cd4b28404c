import { createResumableClient, type ResumableClient, type ResumableClientOptions, type ResumableRequest } from 'leadgraph/client';
import { type DataSource } from 'typeorm';
import WebSocket from 'ws';
import { Provider } from '../../../src/domain/vocabulary.js';
import { type Target, queryData } from '../../support/graphql-client.js';
import { appendChanges, change } from '../../support/status-log.js';
import { STATUS_CHANGED, type StreamedChange } from '../../support/status-subscription.js';
import { type Collector } from '../../client/support/collector.js';
import { type ConnectionWatch } from '../../client/support/connection-watch.js';
import { within } from '../../client/support/waiters.js';

/** What `statusChanged` delivers. */
export type StatusChanged = { statusChanged: StreamedChange };

/** `statusChanged` for one lead, from `after`. */
export function statusChangedOf(leadId: string, after: string): ResumableRequest<StatusChanged> {
  return { query: STATUS_CHANGED, variables: { leadId }, after };
}

/**
 * A resumable client on a test gateway, as a Node consumer makes one: `ws`, the credential
 * from a function (read at every connection), retries every few milliseconds (what is
 * under test is where a retry resumes, not how long it waits).
 */
export function gatewayClient(target: Target, watch: ConnectionWatch, options: Partial<ResumableClientOptions> = {}): ResumableClient {
  return createResumableClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${target.token}` }),
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 10)),
    on: watch.listeners,
    ...options,
  });
}

/** The ids the gateway's log holds for a lead after `after`, read with the `statusChanges` query. */
export async function loggedIds(target: Target, leadId: string, after: string): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor = after; ; ) {
    const { statusChanges } = await queryData<{ statusChanges: Array<{ id: string }> }>(
      target,
      `query ($after: ID, $leadId: ID) { statusChanges(after: $after, leadId: $leadId, first: 1000) { id } }`,
      { after: cursor, leadId },
    );
    ids.push(...statusChanges.map((c) => c.id));
    if (statusChanges.length < 1000) return ids;
    cursor = ids.at(-1)!;
  }
}

/** A writer appending one change per transaction, back to back, until stopped. */
export interface SteadyWriter {
  /** Ids written so far. */
  readonly written: readonly string[];
  /** Stops after the change in flight; resolves with every id written. */
  stop(): Promise<string[]>;
}

export function startSteadyWriter(db: () => DataSource, leadId: string, label: string): SteadyWriter {
  const written: string[] = [];
  let stopping = false;
  const running = (async () => {
    for (let i = 0; !stopping; i++) {
      written.push(...(await appendChanges(db(), [change(leadId, Provider.TECHEA, `${label}-${i}`)])));
    }
  })();
  // A failed write surfaces from stop(), which every test awaits (in a finally).
  running.catch(() => undefined);
  return {
    written,
    async stop() {
      stopping = true;
      await running;
      return written;
    },
  };
}

/** `count` changes in ONE transaction: more than `SUBSCRIPTION_BUFFER` of them overflow every live subscriber (4410). */
export function appendBurst(db: DataSource, leadId: string, count: number, label: string): Promise<string[]> {
  return appendChanges(
    db,
    Array.from({ length: count }, (_, i) => change(leadId, Provider.LEAD_BANK, `${label}-${i}`)),
  );
}

/**
 * Resolves once `id` has been delivered; fails after 10 s naming the logged changes that
 * never arrived (a lost change is only ever noticed by its absence).
 */
export function untilDelivered(events: Collector<StatusChanged>, id: string, log: { target: Target; leadId: string; after: string }): Promise<void> {
  return within(10_000, events.untilId(id), async () => {
    const delivered = new Set(events.ids());
    const missing = (await loggedIds(log.target, log.leadId, log.after)).filter((logged) => !delivered.has(logged));
    return `change ${id} never arrived; of the log, these are missing: ${missing.join(', ') || 'none'}`;
  });
}
