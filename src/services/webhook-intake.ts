import { type DataSource, type EntityManager } from 'typeorm';
import { VerificationEntity } from '../db/entities/index.js';
import { assertNever } from '../domain/assert-never.js';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { type CallbackGrant, type CallbackOutcome, type InboundRecords, type IntakeOutcome, WebhookNotPlaced } from '../providers/index.js';
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

  /**
   * Webhooks come late and in any order: only what is newer than the stored
   * application is applied (see `application-order.ts`). One that cannot be placed
   * (the same second, another content) is settled by reading the application at Lead
   * Bank, outside any transaction (no row lock or connection is held while Lead Bank
   * answers), then storing what it holds only if nothing was stored meanwhile; else
   * the webhook is placed again, against what was. When Lead Bank cannot be read this
   * throws: the webhook is not acknowledged, nothing is kept, and Lead Bank sends it again.
   */
  async applyApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome> {
    for (let round = 1; ; round++) {
      const placed = await this.placeApplication(eventId, application);
      if (typeof placed === 'string') return placed;
      const current = await this.currentApplications.current(this.tenantId, application.id);
      const stored = await this.storeCurrent(eventId, current, placed.version);
      if (stored !== undefined) return stored;
      if (round === UNPLACED_ROUNDS) throw new ApplicationKeptChanging(application.id);
    }
  }

  /** The webhook applied, or, when it cannot be placed, nothing written and the stored row's version. */
  private placeApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome | { readonly version: string }> {
    return this.db
      .transaction(async (manager): Promise<IntakeOutcome> => {
        if (!(await this.recordEvent(manager, eventId))) return 'duplicate';
        await lockProviderRecord(manager, Provider.LEAD_BANK, application.id);
        if (!(await holds(manager, this.tenantId, Provider.LEAD_BANK, application.id))) {
          await keepUnclaimed(manager, this.tenantId, Provider.LEAD_BANK, application.id, application);
          return 'kept';
        }
        const writer = new RecordWriter(manager, this.tenantId, null, { applicationSource: 'maybe-late' });
        const { outcome } = await writer.applyApplication(application);
        // Rolled back (the event id with it): the webhook is placed once Lead Bank has been read.
        if (outcome === 'unplaced') throw new Unplaced(await this.versionOf(manager, application.id));
        return intakeOutcome(outcome);
      })
      .catch((error: unknown) => {
        if (error instanceof Unplaced) return { version: error.version };
        throw error;
      });
  }

  /** Lead Bank's `current` application stored for the webhook `eventId`, if the stored row is still at `version`; undefined otherwise. */
  private storeCurrent(eventId: string, current: ApplicationRecord, version: string): Promise<IntakeOutcome | undefined> {
    return this.db.transaction(async (manager): Promise<IntakeOutcome | undefined> => {
      if (!(await this.recordEvent(manager, eventId))) return 'duplicate';
      await lockProviderRecord(manager, Provider.LEAD_BANK, current.id);
      // Written meanwhile: what Lead Bank said may be older than that; the webhook is placed again. (Rolled back: the event id too.)
      if ((await this.versionOf(manager, current.id)) !== version) throw new Unplaced(version);
      // Nothing was stored since the read began: what Lead Bank holds is at least as new as anything stored.
      const { outcome } = await new RecordWriter(manager, this.tenantId).applyApplication(current);
      // Lead Bank's own answer (`answer`) is always placed.
      if (outcome === 'unplaced') throw new Error('an application read at Lead Bank could not be placed');
      return outcome === 'written' ? 'refreshed' : intakeOutcome(outcome);
    }).catch((error: unknown) => {
      if (error instanceof Unplaced) return undefined;
      throw error;
    });
  }

  /** Records the webhook's event id; false when it was recorded before (a repeat). */
  private async recordEvent(manager: EntityManager, eventId: string): Promise<boolean> {
    const recorded = await manager.query<unknown[]>(
      `INSERT INTO webhook_event (tenant_id, provider, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.tenantId, Provider.LEAD_BANK, eventId],
    );
    return recorded.length > 0;
  }

  /** The stored application's row version (its xmin: any write changes it), locked until the transaction ends. */
  private async versionOf(manager: EntityManager, applicationId: string): Promise<string> {
    const [row] = await manager.query<Array<{ version: string }>>(`SELECT xmin::text AS version FROM application WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
      this.tenantId,
      applicationId,
    ]);
    return row?.version ?? '';
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

/** How many times a webhook that cannot be placed is placed again after Lead Bank was read, while the application keeps changing. */
const UNPLACED_ROUNDS = 3;

/** Thrown inside a transaction to roll it back: the webhook cannot be placed against the row at `version` without reading Lead Bank. */
class Unplaced extends Error {
  override name = 'Unplaced';
  constructor(readonly version: string) {
    super('the webhook cannot be placed without reading Lead Bank');
  }
}

/**
 * The application changed every time Lead Bank was read to place a webhook: the
 * webhook is not acknowledged (503), and Lead Bank's redelivery is placed later.
 */
export class ApplicationKeptChanging extends WebhookNotPlaced {
  override name = 'ApplicationKeptChanging';
  constructor(applicationId: string) {
    super(`application ${applicationId} changed each time Lead Bank was read to place a webhook`);
  }
}

/** What a webhook's application write comes to, as the route reports it. */
function intakeOutcome(outcome: Exclude<ApplicationOutcome, 'unplaced'>): IntakeOutcome {
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
