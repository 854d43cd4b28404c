import { type EntityManager } from 'typeorm';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { type Provider } from '../domain/vocabulary.js';

/** The providers whose webhooks can be about a record no tenant holds yet. */
export type WebhookProvider = Provider.LEAD_BANK | Provider.TECALIS;

/** The record each such provider's webhook carries. */
export interface UnclaimedRecordOf {
  [Provider.LEAD_BANK]: ApplicationRecord;
  [Provider.TECALIS]: VerificationRecord;
}

/**
 * A provider's webhook about a record its account's tenant does not hold, kept until
 * that tenant adopts the record (table `unclaimed_webhook`, one row per tenant and
 * record: the newest by the provider's `updatedAt` wins, the later arrival of two of
 * the same instant; the adopted record is placed against what comes after as any is).
 * Kept as the unified record, so adopting it needs no provider code.
 */
export async function keepUnclaimed<P extends WebhookProvider>(
  manager: EntityManager,
  /** The tenant of the account the webhook came through. */
  tenantId: string,
  provider: P,
  recordId: string,
  record: UnclaimedRecordOf[P],
): Promise<void> {
  await manager.query(
    `INSERT INTO unclaimed_webhook (tenant_id, provider, record_id, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, provider, record_id) DO UPDATE SET body = EXCLUDED.body, received_at = now()
       -- Webhooks come in any order: one older than the kept one (by the provider's updatedAt) leaves it as it is.
       WHERE (unclaimed_webhook.body ->> 'updatedAt') IS NULL OR (EXCLUDED.body ->> 'updatedAt') IS NULL
          OR (EXCLUDED.body ->> 'updatedAt')::timestamptz >= (unclaimed_webhook.body ->> 'updatedAt')::timestamptz`,
    [tenantId, provider, recordId, JSON.stringify(record)],
  );
}

/** Removes and returns what a webhook of the tenant's account said of the record before the tenant held it, if anything. */
export async function takeUnclaimed<P extends WebhookProvider>(
  manager: EntityManager,
  tenantId: string,
  provider: P,
  recordId: string,
): Promise<UnclaimedRecordOf[P] | undefined> {
  // TypeORM answers a DELETE with [rows, affected count].
  const [rows] = await manager.query<[Array<{ body: unknown }>, number]>(
    `DELETE FROM unclaimed_webhook WHERE tenant_id = $1 AND provider = $2 AND record_id = $3 RETURNING body`,
    [tenantId, provider, recordId],
  );
  const body = rows[0]?.body;
  // jsonb comes back parsed; a second pass through JSON restores the instants.
  return body === undefined ? undefined : (JSON.parse(JSON.stringify(body), reviveInstants) as UnclaimedRecordOf[P]);
}

/**
 * Serialises the arrival of a webhook and the adoption of one provider record, so a
 * webhook cannot be kept as unclaimed just as a tenant adopts the record (it would
 * then never join it). Held until the transaction ends.
 */
export async function lockProviderRecord(manager: EntityManager, provider: WebhookProvider, recordId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${provider}:${recordId}`]);
}

/** The records' instants are their `…At` fields (createdAt, deliveredAt, scorePulledAt, …). */
function reviveInstants(key: string, value: unknown): unknown {
  return typeof value === 'string' && key.endsWith('At') ? new Date(value) : value;
}
