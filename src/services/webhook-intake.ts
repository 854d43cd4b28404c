import { type DataSource } from 'typeorm';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { tenantHolding } from './record-adoption.js';
import { RecordWriter } from './record-writer.js';
import { keepUnclaimed, lockProviderRecord } from './unclaimed-webhooks.js';

/**
 * What became of a webhook: applied to the tenant holding its record, a duplicate,
 * or kept until a tenant adopts a record nobody holds yet.
 */
export type IntakeOutcome = 'applied' | 'duplicate' | 'kept';

/**
 * Applies what a provider's webhook says, in one transaction with its event id, so
 * a webhook is acknowledged only once it is committed and a repeat changes nothing.
 * A record belongs to the tenant that holds it. One that no tenant holds yet is kept
 * aside (`unclaimed_webhook`), not given to any tenant: it joins the record when a
 * tenant adopts it (see `record-adoption.ts`), and the provider still gets its 200.
 */
export class WebhookIntake {
  constructor(private readonly db: DataSource) {}

  applyApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome> => {
      const recorded = await manager.query<unknown[]>(
        `INSERT INTO webhook_event (provider, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [Provider.LEAD_BANK, eventId],
      );
      if (recorded.length === 0) return 'duplicate';
      await lockProviderRecord(manager, Provider.LEAD_BANK, application.id);
      const tenantId = await tenantHolding(manager, Provider.LEAD_BANK, application.id);
      if (tenantId === undefined) {
        await keepUnclaimed(manager, Provider.LEAD_BANK, application.id, application);
        return 'kept';
      }
      await new RecordWriter(manager, tenantId).applyApplication(application);
      return 'applied';
    });
  }

  /** Tecalis callbacks carry no event id: applying the same process twice changes nothing the second time. */
  applyVerification(verification: VerificationRecord): Promise<IntakeOutcome> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome> => {
      await lockProviderRecord(manager, Provider.TECALIS, verification.authUuid);
      const tenantId = await tenantHolding(manager, Provider.TECALIS, verification.authUuid);
      if (tenantId === undefined) {
        await keepUnclaimed(manager, Provider.TECALIS, verification.authUuid, verification);
        return 'kept';
      }
      await new RecordWriter(manager, tenantId).applyVerification(verification);
      return 'applied';
    });
  }
}
