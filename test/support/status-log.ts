import { type DataSource } from 'typeorm';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { Provider } from '../../src/domain/vocabulary.js';
import { RecordWriter, type StatusChangeDraft } from '../../src/services/record-writer.js';

/** The tenant's newest status-change id, '0' for an empty log: a subscription with this `after` sees everything that follows. */
export async function lastChangeId(db: DataSource, tenantId = DEFAULT_TENANT): Promise<string> {
  const [row] = await db.query<Array<{ id: string }>>(
    `SELECT coalesce(max(id), 0)::text AS id FROM status_change WHERE tenant_id = $1`,
    [tenantId],
  );
  return row!.id;
}

/** A status change to append; the entity id says what it is, so a test can recognise it. */
export function change(leadId: string, provider: Provider, entityId: string, to = 'MOVED', from: string | null = null): StatusChangeDraft {
  return { leadId, provider, entityId, from, to };
}

/**
 * Appends changes in ONE transaction, the way every production writer does (through
 * `RecordWriter`, so under the log's ordering lock). Resolves with their ids after commit.
 */
export async function appendChanges(db: DataSource, drafts: readonly StatusChangeDraft[], tenantId = DEFAULT_TENANT): Promise<string[]> {
  return db.transaction(async (manager) => {
    const writer = new RecordWriter(manager, tenantId);
    const ids: string[] = [];
    for (const draft of drafts) ids.push((await writer.appendStatusChange(draft)).id);
    return ids;
  });
}

/** The four providers, for writers that spread their changes across them. */
export const PROVIDERS: readonly Provider[] = [Provider.TECHEA, Provider.LEAD_BANK, Provider.TECALIS, Provider.DECISION_CLOUD];
