import { type LatencySummary, summarize } from '../lib/stats.js';
import { type SubscriptionRecord } from './control.js';
import { type StreamPlan } from './plan.js';
import { type CommittedChange } from './writer.js';

/** Deliveries of one measurement, checked against what the plan and the writer imply. */
export interface DeliveryReport {
  /** Per change, its lead's filtered subscriptions plus the unfiltered ones, summed. */
  readonly expected: number;
  /** Distinct expected (subscription, change) pairs that arrived. */
  readonly delivered: number;
  readonly lost: number;
  /** The same change twice on one subscription. */
  readonly duplicates: number;
  /** A change below one already received on the same subscription. */
  readonly outOfOrder: number;
  /** A change the subscription should not have had (another lead's, or one the writer did not commit). */
  readonly unexpected: number;
  /** Commit-to-delivery latency, ms. */
  readonly latency: LatencySummary;
}

/** Compares what the subscriptions received with what they should have. */
export function analyzeDeliveries(plan: StreamPlan, changes: readonly CommittedChange[], records: readonly SubscriptionRecord[]): DeliveryReport {
  const leadOf = new Map<number, string | null>();
  for (const client of plan.clients) for (const connection of client.connections) for (const s of connection.subscriptions) leadOf.set(s.index, s.leadId);
  const committed = new Map<number, CommittedChange>();
  const perLead = new Map<string, number>();
  for (const change of changes) {
    committed.set(change.id, change);
    perLead.set(change.leadId, (perLead.get(change.leadId) ?? 0) + 1);
  }
  let expected = 0;
  for (const leadId of leadOf.values()) expected += leadId === null ? changes.length : (perLead.get(leadId) ?? 0);

  let delivered = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let unexpected = 0;
  const latencies: number[] = [];
  for (const record of records) {
    const leadId = leadOf.get(record.index);
    const seen = new Set<number>();
    let last = -1;
    record.ids.forEach((id, n) => {
      const change = committed.get(id);
      if (change === undefined || (leadId !== null && change.leadId !== leadId)) {
        unexpected++;
        return;
      }
      if (seen.has(id)) {
        duplicates++;
        return;
      }
      if (id < last) outOfOrder++;
      last = Math.max(last, id);
      seen.add(id);
      delivered++;
      latencies.push((record.times[n] ?? Number.NaN) - change.committedAt);
    });
  }
  return { expected, delivered, lost: expected - delivered, duplicates, outOfOrder, unexpected, latency: summarize(latencies) };
}
