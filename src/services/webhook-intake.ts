import { type DataSource, type EntityManager } from 'typeorm';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { RecordWriter } from './record-writer.js';

/** What became of a webhook. */
export type IntakeOutcome = 'applied' | 'duplicate';

/**
 * Applies what a provider's webhook says, in one transaction with its event id, so
 * a webhook is acknowledged only once it is committed and a repeat changes nothing.
 * A record belongs to the tenants that already hold it; one no tenant holds yet goes
 * to the configured webhook tenant.
 */
export class WebhookIntake {
  constructor(
    private readonly db: DataSource,
    private readonly fallbackTenant: string,
  ) {}

  applyApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome> => {
      const recorded = await manager.query<unknown[]>(
        `INSERT INTO webhook_event (provider, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [Provider.LEAD_BANK, eventId],
      );
      if (recorded.length === 0) return 'duplicate';
      for (const tenantId of await this.tenantsHolding(manager, 'application', 'id', application.id)) {
        await new RecordWriter(manager, tenantId).applyApplication(application);
      }
      return 'applied';
    });
  }

  /** Tecalis callbacks carry no event id: applying the same process twice changes nothing the second time. */
  applyVerification(verification: VerificationRecord): Promise<IntakeOutcome> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome> => {
      for (const tenantId of await this.tenantsHolding(manager, 'verification', 'auth_uuid', verification.authUuid)) {
        await new RecordWriter(manager, tenantId).applyVerification(verification);
      }
      return 'applied';
    });
  }

  private async tenantsHolding(
    manager: EntityManager,
    table: 'application' | 'verification',
    key: 'id' | 'auth_uuid',
    id: string,
  ): Promise<string[]> {
    const rows = await manager.query<Array<{ tenant_id: string }>>(`SELECT tenant_id FROM ${table} WHERE ${key} = $1`, [id]);
    return rows.length === 0 ? [this.fallbackTenant] : rows.map((row) => row.tenant_id);
  }
}
