import { withClient } from '../lib/bench-database.js';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { buildPlan } from './plan.js';
import { startSubscriber } from './subscriber-client.js';

/** One `statusChanged(after:)` replay and how it went. */
export interface ReplayResult {
  readonly filter: 'none' | 'one lead';
  readonly changes: number;
  readonly received: number;
  /** From the subscribe message to the last replayed change, in seconds. */
  readonly seconds: number;
  readonly changesPerSecond: number;
  /** Every change after `after` arrived, once, in id order. */
  readonly completeAndOrdered: boolean;
  readonly problem?: string;
}

/** The changes bulk-added for the replay. */
export interface ReplayLog {
  readonly databaseUrl: string;
  /** The tenant's last id before them: the `after` of the replay. */
  readonly after: string;
  readonly changes: number;
}

/**
 * Adds `count` changes to the default tenant's log in one statement (spread over its
 * leads in turn), as if they had been appended one by one. Nothing else writes
 * meanwhile, so their ids are the ones a replay after `after` must return.
 */
export async function addReplayChanges(databaseUrl: string, count: number): Promise<ReplayLog> {
  return withClient(databaseUrl, async (client) => {
    const before = await client.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM status_change WHERE tenant_id = $1`, [DEFAULT_TENANT]);
    await client.query(
      `INSERT INTO status_change (tenant_id, lead_id, provider, entity_id, from_status, to_status, occurred_at)
       SELECT $1, l.id, 'TECHEA', 'replay-' || g, NULL, 'REPLAY_' || g, now()
         FROM generate_series(0, $2 - 1) AS g
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS leads FROM lead WHERE tenant_id = $1) l
           ON l.n = g % l.leads
        ORDER BY g`,
      [DEFAULT_TENANT, count],
    );
    await client.query('ANALYZE status_change');
    return { databaseUrl, after: before.rows[0]?.id ?? '0', changes: count };
  });
}

/** The ids a replay after `after` must return, in order (optionally of one lead). */
async function expectedIds(databaseUrl: string, after: string, leadId: string | null): Promise<number[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      // Ordered by the bigint column: `ORDER BY id` after `SELECT id::text` would sort the text ("10000" < "9999").
      `SELECT s.id::text AS id FROM status_change s WHERE s.tenant_id = $1 AND s.id > $2 AND ($3::uuid IS NULL OR s.lead_id = $3) ORDER BY s.id`,
      [DEFAULT_TENANT, after, leadId],
    );
    return rows.map((row) => Number(row.id));
  });
}

/**
 * Opens one `statusChanged(after:)` subscription (in a subscriber process of its own)
 * and times it until every change after `after` has arrived.
 */
export async function measureReplay(wsUrl: string, token: string, log: ReplayLog, leadId: string | null, stallMs: number): Promise<ReplayResult> {
  const want = await expectedIds(log.databaseUrl, log.after, leadId);
  const plan = buildPlan({ wsUrl, token, subscriptions: 1, unfiltered: leadId === null ? 1 : 0, perConnection: 1, clientProcesses: 1, leadIds: leadId === null ? [] : [leadId] });
  const client0 = plan.clients[0];
  if (client0 === undefined) throw new Error('empty replay plan');
  const withAfter = { ...client0, connections: client0.connections.map((c) => ({ subscriptions: c.subscriptions.map((s) => ({ ...s, after: log.after })) })) };
  const client = await startSubscriber(withAfter);
  try {
    await client.mark();
    await client.open();
    const result = await client.awaitEvents({ expected: want.length, stallMs });
    const ids = result.records[0]?.ids ?? [];
    const times = result.records[0]?.times ?? [];
    const seconds = ((times.at(-1) ?? Number.NaN) - result.subscribedAt) / 1000;
    const problem = compare(want, ids) ?? (result.ended > 0 ? `the subscription ended: ${result.endReasons.join('; ')}` : undefined);
    return {
      filter: leadId === null ? 'none' : 'one lead',
      changes: want.length,
      received: ids.length,
      seconds,
      changesPerSecond: ids.length / seconds,
      completeAndOrdered: problem === undefined,
      ...(problem !== undefined && { problem }),
    };
  } finally {
    await client.stop();
  }
}

/** Where `got` first differs from `want`, or undefined when they are equal. */
function compare(want: readonly number[], got: readonly number[]): string | undefined {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) return `change #${i}: expected id ${want[i] ?? '(none)'}, received ${got[i] ?? '(none)'} (${got.length} of ${want.length} received)`;
  }
  return undefined;
}
