import { type EntityManager, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import { RowMapper } from '../db/row-mapper.js';
import {
  ApplicationEntity,
  LeadEntity,
  LoanEntity,
  type StatusChangeEntity,
  VerificationEntity,
  VerificationOperationEntity,
} from '../db/entities/index.js';
import { type CurrentApplications } from '../connections/application-readers.js';
import { assertNever } from '../domain/assert-never.js';
import { type ApplicationDocumentRecord, type ApplicationField, type ApplicationRecord, type LoanRecord, type VerificationRecord } from '../domain/records.js';
import { type LeadEvent, Provider } from '../domain/vocabulary.js';
import { appendStatusChange } from '../events/status-change-log.js';
import { applicationVerdict, type ApplicationSource, placeApplication, sameApplication } from './application-order.js';
import { applyApplicationSettling } from './application-statement.js';
import { type InStatementSettlement, NeedsTransaction } from './in-statement-settlement.js';
import { applyLeadEventSettling } from './lead-event-statement.js';
import { refreshLeadStage } from './lead-stage.js';

export type { StatusChangeDraft } from '../events/status-change-log.js';
import { type StatusChangeDraft } from '../events/status-change-log.js';

/**
 * What {@link RecordWriter.applyApplication} did: `written`; kept the stored state, the
 * message being `older` or saying what was stored already (`unchanged`); or, the
 * message not being placeable, stored Lead Bank's current state (`read-current`), or,
 * with no reader to ask, wrote nothing (`unplaced`: the caller asks Lead Bank).
 */
export type ApplicationOutcome = 'written' | 'older' | 'unchanged' | 'read-current' | 'unplaced';

/** The application as {@link RecordWriter.applyApplication} left it. */
export interface AppliedApplication {
  /** The application as it now is. */
  readonly entity: ApplicationEntity;
  /** The row as an UPDATE returned it, or the stored one kept; undefined after an INSERT. */
  readonly returned: ApplicationEntity | undefined;
  readonly outcome: ApplicationOutcome;
}

/**
 * Applies what a provider confirmed to the local copy, inside the caller's
 * transaction: the record, the status change it implies (when its status moved and
 * it belongs to a lead), and the lead's derived stage. Every path that learns of a
 * provider-side change goes through here, so the three never disagree.
 */
export class RecordWriter {
  /** With `deferChanges`, the changes held for the caller's own append (see {@link takeChanges}). */
  private readonly deferred: StatusChangeDraft[] | undefined;
  /** With `settlement`, until the write that carries it. */
  private readonly settlement: InStatementSettlement | undefined;
  /** A write carried the settlement: it was its own transaction, so no write may follow. */
  private settledInStatement = false;
  /** How recent the applications written are known to be (see `application-order.ts`). */
  private readonly applicationSource: ApplicationSource;
  /** Where an application that cannot be placed is read as Lead Bank holds it now. */
  private readonly currentApplications: CurrentApplications | undefined;
  /** When Lead Bank cannot be read: write the message as it is (true), or fail. */
  private readonly writeWhenUnread: boolean;

  constructor(
    private readonly manager: EntityManager,
    /** Every record written belongs to this tenant. */
    private readonly tenantId: string,
    /** The dispatch whose confirmed result is being applied, if any: its changes name it. */
    private readonly dispatchId: string | null = null,
    /**
     * `deferChanges`: the status changes a write implies are not appended but held, for
     * the caller to append with its own in one statement, as the transaction's last
     * (see `dispatch/apply-result.ts`: a record's change and its dispatch's end).
     * `settlement`: `manager` is outside any transaction, and the one write of the
     * confirmed result settles the dispatch in its own statement (see
     * `in-statement-settlement.ts`); a write that cannot throws {@link NeedsTransaction}
     * before it writes anything.
     * `applicationSource`: how recent the applications written are (`answer` unless said).
     * `currentApplications`: reads an application that cannot be placed, under its row
     * lock; when that read fails, the write fails, unless `writeWhenUnread` (the message
     * is then written as it is). Without either, such a write answers `unplaced`.
     */
    options: {
      readonly deferChanges?: boolean;
      readonly settlement?: InStatementSettlement;
      readonly applicationSource?: ApplicationSource;
      readonly currentApplications?: CurrentApplications;
      readonly writeWhenUnread?: boolean;
    } = {},
  ) {
    if (options.deferChanges === true) this.deferred = [];
    this.settlement = options.settlement;
    this.applicationSource = options.applicationSource ?? 'answer';
    this.currentApplications = options.currentApplications;
    this.writeWhenUnread = options.writeWhenUnread ?? false;
  }

  /** The settlement for the write about to run, when it can carry it (`canCarry`); throws for a write that cannot be the transaction's. */
  private settlementFor(canCarry: boolean): InStatementSettlement | undefined {
    if (this.settledInStatement) throw new Error('RecordWriter: a write after the statement that settled its dispatch (it would not be in its transaction)');
    const settlement = this.settlement;
    if (settlement === undefined) return undefined;
    if (!canCarry) throw new NeedsTransaction();
    this.settledInStatement = true;
    return settlement;
  }

  /** The changes held back so far, in order (and no longer held); empty unless made with `deferChanges`. */
  takeChanges(): StatusChangeDraft[] {
    return this.deferred?.splice(0) ?? [];
  }

  /**
   * Stores a whole application, unless the stored one is newer (by Lead Bank's
   * `updated_at`, see `application-order.ts`); `leadId` links it when it is not linked
   * yet. Answers the application as it now is (the entity written, or the stored one
   * kept), the row as an UPDATE returned it, and what was done.
   */
  async applyApplication(record: ApplicationRecord, leadId?: string): Promise<AppliedApplication> {
    const repo = this.manager.getRepository(ApplicationEntity);
    const settlement = this.settlementFor(true);
    if (settlement !== undefined) {
      const entity = applicationEntity(repo.create(), this.tenantId, record, leadId ?? null);
      const absent = new Set(record.absent ?? []);
      const kept = new Set<string>([...absent].flatMap((field) => APPLICATION_COLUMNS[field]));
      const keepDocuments = absent.has('documents');
      const written = await applyApplicationSettling(this.manager, this.tenantId, this.dispatchId, settlement, {
        record,
        entity,
        leadId: leadId ?? null,
        kept,
        keepDocuments,
        strictlyNewer: this.applicationSource === 'maybe-late',
      });
      // No such application yet, one changed while the statement waited for it, or one the answer may not overwrite: a transaction applies it.
      if (written === null) throw new NeedsTransaction();
      return { entity: written, returned: written, outcome: 'written' };
    }
    // Hand-written, as the read paths are: TypeORM's find costs more CPU than the statement.
    const rows = RowMapper.of(this.manager.connection, ApplicationEntity);
    const [previous = null] = await rows.query(
      `SELECT ${rows.selectList} FROM application WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [this.tenantId, record.id],
      this.manager,
    );
    return this.placeApplication(previous, record, leadId, this.applicationSource);
  }

  /** {@link applyApplication} once the stored application (`previous`) is read and locked. */
  private async placeApplication(
    previous: ApplicationEntity | null,
    record: ApplicationRecord,
    leadId: string | undefined,
    source: ApplicationSource,
  ): Promise<AppliedApplication> {
    const repo = this.manager.getRepository(ApplicationEntity);
    const owner = previous?.leadId ?? leadId ?? null;
    const entity = applicationEntity(repo.create(), this.tenantId, record, owner);
    // A field Lead Bank's message did not let us read keeps its stored value.
    const absent = new Set(record.absent ?? []);
    if (previous !== null) for (const field of absent) for (const column of APPLICATION_COLUMNS[field]) Object.assign(entity, { [column]: previous[column] });
    const verdict = await applicationVerdict(placeApplication(previous, record), source, async () =>
      sameApplication(previous!, await this.storedDocuments(record.id), entity, absent.has('documents') ? undefined : record.documents),
    );
    switch (verdict) {
      case 'write':
        break;
      case 'older':
      case 'unchanged':
        return this.keepApplication(previous!, owner, verdict);
      case 'ask': {
        // With no reader, the caller reads Lead Bank outside its transaction (see webhook-intake.ts).
        if (this.currentApplications === undefined && !this.writeWhenUnread) return { entity: previous!, returned: previous!, outcome: 'unplaced' };
        // Asked under the application's row lock: nothing can be stored meanwhile, so the answer is the newest state.
        const current = await this.readCurrent(record.id);
        if (current === undefined) return this.placeApplication(previous, record, leadId, 'answer');
        const applied = await this.placeApplication(previous, current, leadId, 'answer');
        return { ...applied, outcome: applied.outcome === 'written' ? 'read-current' : applied.outcome };
      }
      default:
        return assertNever(verdict, 'application verdict');
    }
    const written = await this.put(ApplicationEntity, entity, previous, { tenantId: this.tenantId, id: record.id });
    // Lead Bank replaces the document list whole; so do we (unless its message had none we could read).
    if (!absent.has('documents')) await this.replaceDocuments(record);
    const status = absent.has('status') ? (previous?.status ?? null) : record.status;
    await this.afterChange(owner, Provider.LEAD_BANK, record.id, confirmedStatus(previous), status, newToLead(previous));
    return { entity, returned: written, outcome: 'written' };
  }

  /** Lead Bank's application as it is now; undefined when it cannot be read and the message is to be written as it is. */
  private async readCurrent(applicationId: string): Promise<ApplicationRecord | undefined> {
    if (this.currentApplications === undefined) return undefined;
    try {
      return await this.currentApplications.current(this.tenantId, applicationId);
    } catch (error) {
      if (this.writeWhenUnread) return undefined;
      throw error;
    }
  }

  /** The stored application stands; linked to `owner` when it was not linked yet. */
  private async keepApplication(previous: ApplicationEntity, owner: string | null, outcome: 'older' | 'unchanged'): Promise<AppliedApplication> {
    if (owner === previous.leadId) return { entity: previous, returned: previous, outcome };
    await this.manager.query(`UPDATE application SET lead_id = $3 WHERE tenant_id = $1 AND id = $2`, [this.tenantId, previous.id, owner]);
    const linked = Object.assign(new ApplicationEntity(), previous, { leadId: owner });
    await this.afterChange(owner, Provider.LEAD_BANK, previous.id, confirmedStatus(previous), previous.status, true);
    return { entity: linked, returned: linked, outcome };
  }

  /** The stored application's documents, in order. */
  private async storedDocuments(applicationId: string): Promise<ApplicationDocumentRecord[]> {
    const rows = await this.manager.query<Array<{ document_id: string | null; type: string; displayed_at: Date | null; consented_at: Date | null; version: string | null }>>(
      `SELECT document_id, type, displayed_at, consented_at, version FROM application_document WHERE tenant_id = $1 AND application_id = $2 ORDER BY position`,
      [this.tenantId, applicationId],
    );
    return rows.map((row) => ({ documentId: row.document_id, type: row.type, displayedAt: row.displayed_at, consentedAt: row.consented_at, version: row.version }));
  }

  /** The application's documents replaced whole, in one statement: the old rows deleted, then the new ones inserted. */
  private async replaceDocuments(record: ApplicationRecord): Promise<void> {
    const documents = record.documents;
    // The INSERT reads the DELETE's count, so it runs after it (a statement's parts share one snapshot, and no set order).
    await this.manager.query(
      `WITH removed AS (DELETE FROM application_document WHERE tenant_id = $1 AND application_id = $2 RETURNING 1)
       INSERT INTO application_document (tenant_id, application_id, position, document_id, type, displayed_at, consented_at, version)
       SELECT $1, $2, d.position - 1, d.document_id, d.type, d.displayed_at, d.consented_at, d.version
         FROM (SELECT count(*) FROM removed) AS r,
              unnest($3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[])
                WITH ORDINALITY AS d(document_id, type, displayed_at, consented_at, version, position)`,
      [
        this.tenantId,
        record.id,
        documents.map((d) => d.documentId),
        documents.map((d) => d.type),
        documents.map((d) => d.displayedAt),
        documents.map((d) => d.consentedAt),
        documents.map((d) => d.version),
      ],
    );
  }

  /** Stores a verification process with its operations; fields the message left out (`absent`) keep their stored values. */
  async applyVerification(record: VerificationRecord, leadId?: string): Promise<VerificationEntity> {
    this.settlementFor(false);
    const repo = this.manager.getRepository(VerificationEntity);
    const previous = await repo.findOne({ where: { tenantId: this.tenantId, authUuid: record.authUuid }, lock: { mode: 'pessimistic_write' } });
    const owner = previous?.leadId ?? leadId ?? null;
    const { operations, absent = [], ...fields } = record;
    // A field Tecalis's message left out keeps its stored value: a missing key is not a null.
    const kept = Object.fromEntries(absent.filter((field) => field !== 'operations').map((field) => [field, previous?.[field] ?? null]));
    const entity = repo.create({ ...fields, ...kept, tenantId: this.tenantId, leadId: owner, syncedAt: new Date() });
    await this.put(VerificationEntity, entity, previous, { tenantId: this.tenantId, authUuid: record.authUuid });
    if (!absent.includes('operations')) {
      await this.manager.delete(VerificationOperationEntity, { tenantId: this.tenantId, authUuid: record.authUuid });
      if (operations.length > 0) {
        await this.manager.insert(
          VerificationOperationEntity,
          operations.map((operation, position) => ({
            operationId: operation.operationId,
            tenantId: this.tenantId,
            authUuid: record.authUuid,
            position,
            type: operation.type,
            providerType: operation.providerType,
            state: operation.state,
            providerState: operation.providerState,
            totalTime: operation.totalTimeSeconds,
          })),
        );
      }
    }
    await this.afterChange(owner, Provider.TECALIS, record.authUuid, confirmedStatus(previous), record.status, newToLead(previous));
    return entity;
  }

  /**
   * Stores a loan. Its lead is, in order: the lead it already belongs to, `leadId`,
   * or the lead linked to its Decision Cloud customer.
   */
  async applyLoan(record: LoanRecord, leadId?: string): Promise<LoanEntity> {
    this.settlementFor(false);
    const repo = this.manager.getRepository(LoanEntity);
    const key = { tenantId: this.tenantId, customerId: record.customerId, loanId: record.loanId };
    const previous = await repo.findOne({ where: key, lock: { mode: 'pessimistic_write' } });
    const owner = previous?.leadId ?? leadId ?? (await this.leadOfCustomer(record.customerId));
    const entity = repo.create({ ...record, tenantId: this.tenantId, leadId: owner, syncedAt: new Date() });
    await this.put(LoanEntity, entity, previous, key);
    await this.afterChange(
      owner,
      Provider.DECISION_CLOUD,
      record.loanId,
      previous?.loanStatus ?? null,
      record.loanStatus,
      !previous || previous.leadId === null,
      record.customerId,
    );
    return entity;
  }

  /** Whether the log already holds this TECHEA event for the lead. */
  async hasLeadEvent(leadId: string, event: LeadEvent): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `SELECT 1 FROM status_change WHERE tenant_id = $1 AND lead_id = $2 AND provider = 'TECHEA' AND to_status = $3 LIMIT 1`,
      [this.tenantId, leadId, event],
    );
    return rows.length > 0;
  }

  /** Records the event TECHEA accepted as the lead's last one, and the advertiser reference sent with it; answers the lead as left. */
  async applyLeadEvent(leadId: string, event: LeadEvent, advertiserRef?: string): Promise<LeadEntity> {
    const settlement = this.settlementFor(true);
    if (settlement !== undefined) return applyLeadEventSettling(this.manager, this.tenantId, this.dispatchId, settlement, { leadId, event, advertiserRef });
    // One locked read of the lead and its records, one UPDATE of its event, reference and stage.
    const lead = await refreshLeadStage(this.manager, leadId, {
      lastEvent: event,
      tenantId: this.tenantId,
      ...(advertiserRef !== undefined && { advertiserRef }),
    });
    // The append comes last: it holds the tenant's log lock until commit (see `afterChange`).
    if (lead.previousLastEvent !== event) {
      await this.change({
        leadId,
        provider: Provider.TECHEA,
        entityId: lead.techeaLeadId ?? leadId,
        from: lead.previousLastEvent,
        to: event,
      });
    }
    return lead.lead;
  }

  /** A change a write implies: appended now, or held for the caller (`deferChanges`). */
  private async change(change: StatusChangeDraft): Promise<void> {
    if (this.deferred !== undefined) this.deferred.push({ dispatchId: this.dispatchId, ...change });
    else await this.appendStatusChange(change);
  }

  /** Appends one row to the status-change log (see `events/status-change-log.ts` for the ordering rule). */
  appendStatusChange(change: StatusChangeDraft): Promise<StatusChangeEntity> {
    this.settlementFor(false);
    return appendStatusChange(this.manager, this.tenantId, { dispatchId: this.dispatchId, ...change });
  }

  private async leadOfCustomer(customerId: string): Promise<string | null> {
    const lead = await this.manager.findOneBy(LeadEntity, { tenantId: this.tenantId, decisionCloudCustomerId: customerId });
    return lead?.id ?? null;
  }

  /**
   * Writes a record whose previous row was just read under lock (or found absent):
   * an INSERT or an UPDATE. TypeORM's `save` would read the row once more to choose.
   * Answers the updated row as the UPDATE returned it (undefined for an INSERT).
   */
  private async put<E extends ObjectLiteral>(target: new () => E, entity: E, previous: E | null, key: FindOptionsWhere<E>): Promise<E | undefined> {
    if (previous === null) {
      await this.manager.insert(target, entity);
      return undefined;
    }
    // The row as updated comes back (what a read after the commit would find), mapped as `find` maps it.
    const result = await this.manager.update(target, key, entity, { returning: '*' });
    const row = (result.raw as Array<Record<string, unknown>> | undefined)?.[0];
    return row === undefined ? undefined : RowMapper.of(this.manager.connection, target).map(row);
  }

  /**
   * A status that moved on a lead's record is logged, and the stage follows. A record
   * new to the lead (just created, or just linked to it) shows its status as a first
   * change: the lead's history never saw it before, whatever the record went through.
   */
  private async afterChange(
    leadId: string | null,
    provider: Provider,
    entityId: string,
    from: string | null,
    to: string | null,
    newToLead: boolean,
    customerId: string | null = null,
  ): Promise<void> {
    if (leadId === null) return;
    // The lead's row first (refreshLeadStage locks it), then the log's ordering lock (the
    // append): every writer takes the two in this order, so none can wait on the other.
    // The append is the last statement before commit: the log lock serialises the tenant's
    // writers for as long as it is held, so it is held for as little as possible.
    await refreshLeadStage(this.manager, leadId);
    if (to !== null && (newToLead || from !== to)) {
      await this.change({ leadId, provider, entityId, customerId, from: newToLead ? null : from, to });
    }
  }
}

/**
 * The status a provider last confirmed, null for a record adopted on first contact
 * (its placeholder status was never the provider's word).
 */
function confirmedStatus<S>(previous: { status: S; syncedAt: Date | null } | null): S | null {
  return previous === null || previous.syncedAt === null ? null : previous.status;
}

/**
 * Whether the lead's history has not seen this record yet: it is new, just linked, or
 * only adopted so far (its first confirmation is its first change).
 */
function newToLead(previous: { leadId: string | null; syncedAt: Date | null } | null): boolean {
  return previous === null || previous.leadId === null || previous.syncedAt === null;
}

/** The application's row as Lead Bank's answer makes it (`leadId`: its lead, as the caller decided). */
function applicationEntity(entity: ApplicationEntity, tenantId: string, record: ApplicationRecord, leadId: string | null): ApplicationEntity {
  return Object.assign(entity, {
    tenantId,
    id: record.id,
    leadId,
    status: record.status,
    providerStatus: record.providerStatus ?? null,
    productName: record.productName,
    creditIsSecured: record.credit?.isSecured ?? null,
    creditIsMla: record.credit?.isMla ?? null,
    creditCurrency: record.credit?.currency ?? null,
    creditUnderwritingGrade: record.credit?.underwritingGrade ?? null,
    creditLimitCents: record.credit?.limitCents ?? null,
    creditMaxLimitCents: record.credit?.maxLimitCents ?? null,
    creditScore: record.credit?.score ?? null,
    creditScorePulledAt: record.credit?.scorePulledAt ?? null,
    creditScoreSource: record.credit?.scoreSource ?? null,
    aanDeliveredAt: record.adverseActionNotice?.deliveredAt ?? null,
    aanReason: record.adverseActionNotice?.reason ?? null,
    aanDeliveryMethod: record.adverseActionNotice?.deliveryMethod ?? null,
    decisionDecidedAt: record.decision?.decidedAt ?? null,
    decisionReason: record.decision?.reason ?? null,
    decisionExceptionApprovalReason: record.decision?.exceptionApprovalReason ?? null,
    metadata: record.metadata,
    entities: record.entities,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    syncedAt: new Date(),
  } satisfies Partial<ApplicationEntity>);
}

/** The columns each application field is stored in. */
const APPLICATION_COLUMNS: Record<ApplicationField, ReadonlyArray<keyof ApplicationEntity>> = {
  status: ['status'],
  providerStatus: ['providerStatus'],
  productName: ['productName'],
  credit: [
    'creditIsSecured', 'creditIsMla', 'creditCurrency', 'creditUnderwritingGrade', 'creditLimitCents', 'creditMaxLimitCents',
    'creditScore', 'creditScorePulledAt', 'creditScoreSource',
  ],
  adverseActionNotice: ['aanDeliveredAt', 'aanReason', 'aanDeliveryMethod'],
  decision: ['decisionDecidedAt', 'decisionReason', 'decisionExceptionApprovalReason'],
  documents: [],
  metadata: ['metadata'],
  entities: ['entities'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};
