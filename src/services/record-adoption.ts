import { type DataSource, type EntityManager } from 'typeorm';
import { uniqueViolation } from '../db/unique-violation.js';
import { ApplicationEntity, VerificationEntity } from '../db/entities/index.js';
import { requireProviderAccount } from '../connections/provider-accounts.js';
import { rejectedInput } from '../domain/errors.js';
import { Provider, VerificationStatus } from '../domain/vocabulary.js';
import { RecordWriter } from './record-writer.js';
import { lockProviderRecord, takeUnclaimed, type WebhookProvider } from './unclaimed-webhooks.js';

/** The input fields a refusal names. */
export interface AdoptionFields {
  /** The field holding the record's id, e.g. `input.applicationId`. */
  readonly record: string;
  /** The field holding the lead to link, e.g. `input.leadId`. */
  readonly lead: string;
}

const KINDS = {
  [Provider.LEAD_BANK]: {
    what: 'Lead Bank application',
    table: 'application',
    key: 'id',
    // Every field left empty: only Lead Bank can say what the application holds.
    placeholder: `INSERT INTO application (tenant_id, id, lead_id, synced_at) VALUES ($1, $2, $3, NULL)`,
  },
  [Provider.TECALIS]: {
    what: 'Tecalis process',
    table: 'verification',
    key: 'auth_uuid',
    // PENDING is the contract's "started, no final state yet": all that is known of a process that exists.
    placeholder: `INSERT INTO verification (tenant_id, auth_uuid, lead_id, status, synced_at) VALUES ($1, $2, $3, '${VerificationStatus.PENDING}', NULL)`,
  },
} as const satisfies Record<WebhookProvider, { what: string; table: string; key: string; placeholder: string }>;

/**
 * First contact with a provider record: a mutation (or `createLead`) names a Lead
 * Bank application or a Tecalis process the gateway has never stored. Provider
 * records usually exist before the gateway hears of them, so the caller's tenant
 * adopts the record: a local row with every field empty and `synced_at` null
 * (nothing confirmed yet), linked to the lead when one is given, filled by the
 * provider's answer to the dispatch that follows. First contact happens within the
 * caller's own account at the provider (its connection, or the environment's for its
 * tenant): an id is an id of that account, so another tenant holding the same id is
 * another record, and neither learns of the other. A webhook of the tenant's account
 * that arrived before the tenant held the record is applied at once.
 */
export class RecordAdoption {
  constructor(private readonly db: DataSource) {}

  /**
   * Adopts the application unless the tenant holds it already, then returns it as
   * stored. `verify` runs inside the same transaction: when it throws, nothing is
   * written (a local rule that refuses the input leaves no adopted record behind).
   */
  application(
    tenantId: string,
    id: string,
    leadId: string | null,
    fields: AdoptionFields,
    verify: (application: ApplicationEntity) => void = () => undefined,
  ): Promise<ApplicationEntity> {
    return this.db.transaction(async (manager) => {
      await adoptRecord(manager, tenantId, Provider.LEAD_BANK, id, leadId, fields);
      const application = await manager.findOneByOrFail(ApplicationEntity, { tenantId, id });
      verify(application);
      return application;
    });
  }

  /** Adopts the Tecalis process unless the tenant holds it already, then returns it as stored. */
  verification(tenantId: string, authUuid: string, leadId: string | null, fields: AdoptionFields): Promise<VerificationEntity> {
    return this.db.transaction(async (manager) => {
      await adoptRecord(manager, tenantId, Provider.TECALIS, authUuid, leadId, fields);
      return manager.findOneByOrFail(VerificationEntity, { tenantId, authUuid });
    });
  }
}

/**
 * The adoption itself, inside the caller's transaction: `held` when the tenant
 * already holds the record (nothing changes; linking is the caller's), `adopted`
 * when it was created now.
 */
export async function adoptRecord(
  manager: EntityManager,
  tenantId: string,
  provider: WebhookProvider,
  id: string,
  leadId: string | null,
  fields: AdoptionFields,
): Promise<'held' | 'adopted'> {
  const kind = KINDS[provider];
  await requireProviderAccount(manager, tenantId, provider, fields.record);
  await lockProviderRecord(manager, provider, id);
  if (await holds(manager, tenantId, provider, id)) return 'held';
  try {
    await manager.query(kind.placeholder, [tenantId, id, leadId]);
  } catch (error) {
    if (uniqueViolation(error)?.endsWith('_lead_id_key')) {
      throw rejectedInput(fields.lead, `lead ${leadId} already has a ${kind.what}`);
    }
    throw error;
  }
  // What the tenant's own account's webhooks said before it held the record.
  const writer = new RecordWriter(manager, tenantId);
  const link = leadId ?? undefined;
  switch (provider) {
    case Provider.LEAD_BANK: {
      const kept = await takeUnclaimed(manager, tenantId, Provider.LEAD_BANK, id);
      if (kept !== undefined) await writer.applyApplication(kept, link);
      break;
    }
    case Provider.TECALIS: {
      const kept = await takeUnclaimed(manager, tenantId, Provider.TECALIS, id);
      if (kept !== undefined) await writer.applyVerification(kept, link);
      break;
    }
  }
  return 'adopted';
}

/**
 * Whether the tenant holds the provider record. Call it under {@link lockProviderRecord},
 * so the answer holds until the transaction ends.
 */
export async function holds(manager: EntityManager, tenantId: string, provider: WebhookProvider, id: string): Promise<boolean> {
  const { table, key } = KINDS[provider];
  const rows = await manager.query<unknown[]>(`SELECT 1 FROM ${table} WHERE tenant_id = $1 AND ${key} = $2`, [tenantId, id]);
  return rows.length > 0;
}
