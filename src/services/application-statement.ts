import { type EntityManager } from 'typeorm';
import { ApplicationEntity } from '../db/entities/index.js';
import { queryPrepared } from '../db/prepared-statement.js';
import { RowMapper } from '../db/row-mapper.js';
import { STAGE_SQL_PARAMETERS } from '../domain/stage-sql.js';
import { type ApplicationRecord } from '../domain/records.js';
import { Provider } from '../domain/vocabulary.js';
import { appendChangesStatement } from '../events/status-change-log.js';
import { type InStatementSettlement, SettledAlready } from './in-statement-settlement.js';
import { leadFactsSql, stageOfFacts } from './lead-stage.js';
import { StatementParameters } from './statement-parameters.js';

/** Columns the statement writes itself, or never: the key, the lead (only linked when unlinked), the time of the sync. */
const OWN_COLUMNS = new Set(['tenant_id', 'id', 'lead_id', 'synced_at']);

/**
 * `RecordWriter.applyApplication` of an application the tenant holds, with its
 * dispatch's settlement, in one statement (see `in-statement-settlement.ts`): the
 * application's row and its lead's locked, the dispatch settled (only from PENDING),
 * the application written (only the columns Lead Bank's answer gave: `kept` columns
 * keep their stored values), its documents replaced whole (unless `keepDocuments`), the
 * lead's stage derived, then, under the tenant's log lock, the application's change
 * (when its confirmed status moved, or it is new to its lead) and the dispatch's end
 * appended and notified. Lock order as every writer's: record, lead, dispatch, log.
 *
 * The statement reads on one snapshot, taken before it waited for the application's
 * lock: had another writer changed the application (and so its documents) meanwhile,
 * the DELETE would miss the documents that writer inserted. So the locked row must be
 * the version the snapshot sees, or nothing is written and the caller applies the
 * result in a transaction, whose statements each see what was committed. Nor is
 * anything written over a stored application the answer may not replace (see
 * `strictlyNewer`): the transaction decides what to keep.
 *
 * Answers the application as written; null when the tenant holds no such application,
 * it changed while this waited for it, or it may not be replaced here (nothing
 * written: the caller applies the result in a transaction); throws {@link SettledAlready} when the dispatch was settled
 * already (nothing written).
 */
export async function applyApplicationSettling(
  manager: EntityManager,
  tenantId: string,
  dispatchId: string | null,
  settlement: InStatementSettlement,
  write: {
    readonly record: ApplicationRecord;
    /** The application as the writer makes it (its columns' values). */
    readonly entity: ApplicationEntity;
    readonly leadId: string | null;
    readonly kept: ReadonlySet<string>;
    readonly keepDocuments: boolean;
    /**
     * Written only over an older stored application (by Lead Bank's `updated_at`); else
     * over one of the same second too. See `application-order.ts`: what it does not
     * write here, the transaction decides.
     */
    readonly strictlyNewer: boolean;
  },
): Promise<ApplicationEntity | null> {
  const db = manager.connection;
  const applications = RowMapper.of(db, ApplicationEntity);
  const p = new StatementParameters();
  const tenant = p.add(tenantId);
  const id = p.add(write.record.id);
  const leadId = p.add(write.leadId);
  const syncedAt = p.add(write.entity.syncedAt);
  const updatedAt = p.add(write.record.absent?.includes('updatedAt') === true ? null : write.record.updatedAt);
  // As `placeApplication`: nothing Lead Bank said is stored yet, or the answer is newer (or, unless strictly, of the same second or unplaced).
  const placed = `(a.synced_at IS NULL OR a.updated_at IS NULL OR a.updated_at ${write.strictlyNewer ? '<' : '<='} ${updatedAt}::timestamptz${
    write.strictlyNewer ? '' : ` OR ${updatedAt}::timestamptz IS NULL`
  })`;
  const columns = db
    .getMetadata(ApplicationEntity)
    .columns.filter((column) => !OWN_COLUMNS.has(column.databaseName) && !write.kept.has(column.propertyName))
    .map((column) => {
      const value = db.driver.preparePersistentValue((write.entity as unknown as Record<string, unknown>)[column.propertyName], column) as unknown;
      return `"${column.databaseName}" = ${p.add(value)}::${String(column.type)}`;
    });
  const [table, steps, ranks] = STAGE_SQL_PARAMETERS;
  const stage = stageOfFacts('f', [p.add(table), p.add(steps), p.add(ranks)]);
  const provider = p.add(Provider.LEAD_BANK);
  const dispatch = p.add(dispatchId);
  const documents = write.keepDocuments ? '' : documentsCtes(p, write.record);
  const settled = settlement.settledCte(p.next, 'EXISTS (SELECT 1 FROM previous WHERE writable) AND (SELECT count(*) FROM lead_lock) >= 0');
  p.addAll(settled.parameters);
  const append = appendChangesStatement(tenantId, [settlement.change], p.next, 'settled', {
    after: write.keepDocuments ? ['updated'] : ['updated', 'documents'],
    // The application's own change: only its locked row says what its status moved from.
    computed: (occurredAt) => `SELECT 0::bigint, a.lead_id, ${provider}::text, a.id, CASE WHEN a.new_to_lead THEN NULL ELSE a.from_status END,
                                      a.status, ${occurredAt}, 'RECORD'::text, ${dispatch}::uuid, NULL::text
                                 FROM app a
                                WHERE a.lead_id IS NOT NULL AND a.status IS NOT NULL AND (a.new_to_lead OR a.from_status IS DISTINCT FROM a.status)`,
  });
  p.addAll(append.parameters);
  const rows = await queryPrepared(
    manager,
    `WITH previous AS (
       SELECT a.lead_id, a.status, a.synced_at,
              a.xmin::text IS NOT DISTINCT FROM (SELECT s.xmin::text FROM application s WHERE s.tenant_id = ${tenant} AND s.id = ${id})
                AND ${placed} AS writable
         FROM application a WHERE a.tenant_id = ${tenant} AND a.id = ${id} FOR UPDATE),
     lead_lock AS (
       SELECT l.tenant_id, l.id, l.last_event FROM lead l, previous p
        WHERE l.tenant_id = ${tenant} AND l.id = coalesce(p.lead_id, ${leadId}::uuid) FOR UPDATE OF l),
     ${settled.sql},
     app AS (
       UPDATE application a SET ${[`lead_id = coalesce(p.lead_id, ${leadId}::uuid)`, ...columns, `synced_at = ${syncedAt}::timestamptz`].join(', ')}
         FROM previous p, settled WHERE a.tenant_id = ${tenant} AND a.id = ${id}
       RETURNING a.*, p.lead_id IS NULL OR p.synced_at IS NULL AS new_to_lead, CASE WHEN p.synced_at IS NULL THEN NULL ELSE p.status END AS from_status),
     ${documents}
     facts AS (
       SELECT l.id, l.last_event, ${leadFactsSql('l', 'a.status')}
         FROM app a JOIN lead_lock l ON l.id = a.lead_id),
     updated AS (UPDATE lead l SET stage = ${stage}, updated_at = now() FROM facts f WHERE l.id = f.id RETURNING l.id),
     ${append.ctes}
     SELECT (SELECT count(*) FROM previous WHERE writable)::int AS found, ${settlement.selectList('s')},
            CASE WHEN a.id IS NULL THEN NULL ELSE ${applications.jsonArray.sql('a')} END AS application, n.sent
       FROM (SELECT 1) AS one LEFT JOIN settled s ON true LEFT JOIN app a ON true CROSS JOIN notified n`,
    p.values,
  );
  const row = rows[0]!;
  if (row.found === 0) return null;
  settlement.done(row);
  // The application as one JSON array: `pg` describes and parses each column of the answer, every time.
  if (row.application == null) throw new SettledAlready();
  return applications.jsonArray.map(row.application as unknown[]);
}

/** The CTEs `removed` and `documents`: Lead Bank replaces the document list whole, so do we, once `app` is written. */
function documentsCtes(p: StatementParameters, record: ApplicationRecord): string {
  const documents = record.documents;
  return `removed AS (
       DELETE FROM application_document d USING app WHERE d.tenant_id = app.tenant_id AND d.application_id = app.id RETURNING 1),
     documents AS (
       INSERT INTO application_document (tenant_id, application_id, position, document_id, type, displayed_at, consented_at, version)
       SELECT app.tenant_id, app.id, d.position - 1, d.document_id, d.type, d.displayed_at, d.consented_at, d.version
         FROM app, (SELECT count(*) FROM removed) AS r,
              unnest(${p.add(documents.map((d) => d.documentId))}::text[], ${p.add(documents.map((d) => d.type))}::text[],
                     ${p.add(documents.map((d) => d.displayedAt))}::timestamptz[], ${p.add(documents.map((d) => d.consentedAt))}::timestamptz[],
                     ${p.add(documents.map((d) => d.version))}::text[])
                WITH ORDINALITY AS d(document_id, type, displayed_at, consented_at, version, position)
       RETURNING 1),`;
}
