import { type DataSource } from 'typeorm';
import { VerificationEntity } from '../db/entities/index.js';
import { assertNever } from '../domain/assert-never.js';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { type CallbackGrant, type CallbackOutcome, type InboundRecords, type IntakeOutcome } from '../providers/index.js';
import { callbackVerdict } from './callback-order.js';
import { type CurrentApplications } from '../connections/application-readers.js';
import { ENVIRONMENT_TENANT } from '../connections/provider-accounts.js';
import { holds } from './record-adoption.js';
import { type ApplicationOutcome, RecordWriter } from './record-writer.js';
import { keepUnclaimed, lockProviderRecord } from './unclaimed-webhooks.js';
import { type VerificationCallbacks } from './verification-callbacks.js';

/**
 * Applies what a provider's webhook says, in one transaction with its event id, so
 * a webhook is acknowledged only once it is committed and a repeat changes nothing.
 * An intake is one account's: the environment's (the `default` tenant's) or a tenant's
 * connection (`forTenant`), as the URL and secret the webhook came through say; its
 * records are that tenant's, never guessed from the record's id. An application the
 * tenant does not hold yet is kept aside (`unclaimed_webhook`): it joins the record
 * when the tenant adopts it (see `record-adoption.ts`), and Lead Bank still gets its
 * 200. A Tecalis callback always names a held process: its URL was issued for one.
 */
export class WebhookIntake implements InboundRecords {
  constructor(
    private readonly db: DataSource,
    private readonly callbacks: Pick<VerificationCallbacks, 'grantOf'>,
    /** Reads an application whose webhook cannot be placed against the stored one. */
    private readonly currentApplications: CurrentApplications,
    /** The tenant whose account the webhooks come through. */
    private readonly tenantId: string = ENVIRONMENT_TENANT,
    /** A connection's intake: callback tokens of its tenant only (the environment's route takes any URL issued). */
    private readonly connection = false,
  ) {}

  /** The intake of the tenant's own connection's webhooks. */
  forTenant(tenantId: string): WebhookIntake {
    return new WebhookIntake(this.db, this.callbacks, this.currentApplications, tenantId, true);
  }

  async callbackGrant(token: string): Promise<CallbackGrant | undefined> {
    const grant = await this.callbacks.grantOf(token);
    // Through a connection's URL, only its tenant's processes: its second factor is not another's.
    return this.connection && grant?.tenantId !== this.tenantId ? undefined : grant;
  }

  applyApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome> => {
      const recorded = await manager.query<unknown[]>(
        `INSERT INTO webhook_event (tenant_id, provider, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.tenantId, Provider.LEAD_BANK, eventId],
      );
      if (recorded.length === 0) return 'duplicate';
      await lockProviderRecord(manager, Provider.LEAD_BANK, application.id);
      if (!(await holds(manager, this.tenantId, Provider.LEAD_BANK, application.id))) {
        await keepUnclaimed(manager, this.tenantId, Provider.LEAD_BANK, application.id, application);
        return 'kept';
      }
      // Webhooks come late and in any order: only what is newer than the stored application is applied (see application-order.ts).
      // When Lead Bank must be asked and cannot be, this fails: the webhook is not acknowledged, and Lead Bank sends it again.
      const writer = new RecordWriter(manager, this.tenantId, null, { applicationSource: 'maybe-late', currentApplications: this.currentApplications });
      return intakeOutcome((await writer.applyApplication(application)).outcome);
    });
  }

  /**
   * A Tecalis callback that came through the URL issued for `grant` (the route checked
   * that it is about that process). Tecalis callbacks carry no event id: an exact
   * replay is told by the hash of the body, recorded with the change it applied. Only
   * what moves the process forward is applied (`callback-order.ts`), and never to a
   * record that does not exist: a callback creates nothing.
   */
  applyVerificationCallback(grant: CallbackGrant, verification: VerificationRecord, bodyHash: string): Promise<CallbackOutcome> {
    return this.db.transaction(async (manager): Promise<CallbackOutcome> => {
      // Serialised with adoption and other callbacks (the advisory lock) and with a
      // dispatch's result (the row lock, which RecordWriter takes too): the verdict
      // below holds until the change is committed.
      await lockProviderRecord(manager, Provider.TECALIS, grant.authUuid);
      const stored = await manager.findOne(VerificationEntity, {
        where: { tenantId: grant.tenantId, authUuid: grant.authUuid },
        lock: { mode: 'pessimistic_write' },
      });
      if (stored === null) return 'unknown';
      const eventId = `callback:${grant.authUuid}:${bodyHash}`;
      const seen = await manager.query<unknown[]>(`SELECT 1 FROM webhook_event WHERE tenant_id = $1 AND provider = $2 AND event_id = $3`, [
        grant.tenantId,
        Provider.TECALIS,
        eventId,
      ]);
      if (seen.length > 0) return 'duplicate';
      const verdict = callbackVerdict(stored, verification);
      switch (verdict) {
        case 'stale':
        case 'finished':
          return verdict;
        case 'apply':
          await manager.query(`INSERT INTO webhook_event (tenant_id, provider, event_id) VALUES ($1, $2, $3)`, [grant.tenantId, Provider.TECALIS, eventId]);
          await new RecordWriter(manager, grant.tenantId).applyVerification(verification);
          return 'applied';
        default:
          return assertNever(verdict, 'callback verdict');
      }
    });
  }
}

/** What a webhook's application write comes to, as the route reports it. */
function intakeOutcome(outcome: ApplicationOutcome): IntakeOutcome {
  switch (outcome) {
    case 'written':
      return 'applied';
    case 'older':
      return 'stale';
    case 'unchanged':
      return 'unchanged';
    case 'read-current':
      return 'refreshed';
    default:
      return assertNever(outcome, 'application outcome');
  }
}
