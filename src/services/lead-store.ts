import { type DataSource } from 'typeorm';
import { LeadEntity } from '../db/entities/index.js';
import { queryPrepared } from '../db/prepared-statement.js';
import { RowMapper } from '../db/row-mapper.js';
import { GUARD_FIRST_PARAMETER, type RecordGuard } from '../dispatch/record-guard.js';
import { type LeadStage } from '../domain/vocabulary.js';
import { type ReportLeadEventCommand } from '../providers/index.js';
import { type LeadRecordColumns, type LeadRecords } from './lead-records-store.js';

/** Which leads a page is drawn from. */
export interface LeadCriteria {
  /** Only leads in one of these stages. */
  readonly stages?: readonly LeadStage[];
  /** Only leads changed at or after this instant. */
  readonly updatedSince?: Date;
}

/** One page of leads, newest first. */
export interface LeadPage {
  readonly leads: LeadEntity[];
  readonly hasNextPage: boolean;
  /** Each lead's records, by lead id, when they were asked for. */
  readonly records?: Map<string, LeadRecords>;
}

/**
 * Reads one tenant's leads. Every method is one SQL statement, hand-written and
 * prepared: these run on every page and every lead a request reads (rows mapped by
 * {@link RowMapper}), and a lead with its records is a statement PostgreSQL would
 * otherwise plan again each time, at about three times the CPU of running it.
 */
export class LeadStore {
  private readonly leads: RowMapper<LeadEntity>;
  /** {@link techeaGuard}'s text, built once. */
  private techeaGuardSql: string | undefined;

  constructor(private readonly db: DataSource) {
    this.leads = new RowMapper(db, LeadEntity);
  }

  /**
   * The guard of a dispatch to TECHEA about lead `id` (see {@link RecordGuard}): it
   * holds when the tenant holds the lead, and fits when the lead came from TECHEA (the
   * check `reportLeadEvent` makes itself when it does not fit); the dispatch's command
   * takes the lead's TECHEA id from it. The lead comes back as JSON text, parsed only if
   * it is asked for ({@link guardedLead}).
   */
  techeaGuard(tenantId: string, id: string): RecordGuard {
    const member: keyof ReportLeadEventCommand = 'techeaLeadId';
    this.techeaGuardSql ??= `SELECT l.id AS lead_id, l.techea_lead_id IS NOT NULL AS fits,
             jsonb_build_object('${member}', l.techea_lead_id) AS payload, ${this.leads.jsonArray.sql('l')}::text AS record
        FROM lead l WHERE l.tenant_id = $${GUARD_FIRST_PARAMETER} AND l.id = $${GUARD_FIRST_PARAMETER + 1}`;
    return { sql: this.techeaGuardSql, parameters: [tenantId, id] };
  }

  /** The lead a {@link techeaGuard} read (its `record`). */
  guardedLead(record: unknown): LeadEntity {
    return this.leads.jsonArray.map(JSON.parse(record as string) as unknown[]);
  }

  async findById(tenantId: string, id: string): Promise<LeadEntity | null> {
    const [lead] = await this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return lead ?? null;
  }

  /** {@link findById} with the lead's records (`LeadRecordsStore.columns`), in the same statement. */
  async findWithRecords(tenantId: string, id: string, records: LeadRecordColumns): Promise<{ lead: LeadEntity; records: LeadRecords } | null> {
    const parameters: unknown[] = [id];
    const columns = records.sql(parameters, tenantId, 'l.id');
    const rows = await queryPrepared(
      this.db.manager,
      `SELECT ${this.leads.selectFrom('l')}, ${columns} FROM lead l WHERE l.tenant_id = $${parameters.push(tenantId)} AND l.id = $1`,
      parameters,
    );
    const [row] = rows;
    return row === undefined ? null : { lead: this.leads.map(row), records: records.map(row) };
  }

  async findByTecheaId(tenantId: string, techeaLeadId: string): Promise<LeadEntity | null> {
    const [lead] = await this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE tenant_id = $1 AND techea_lead_id = $2`, [
      tenantId,
      techeaLeadId,
    ]);
    return lead ?? null;
  }

  findByIds(tenantId: string, ids: readonly string[]): Promise<LeadEntity[]> {
    return this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]);
  }

  /**
   * Up to `first` leads older than the one at `afterSeq` (exclusive), newest first; with
   * `records`, each lead's records too, in the same statement (one round trip for a page).
   */
  async page(tenantId: string, criteria: LeadCriteria, first: number, afterSeq: string | undefined, records?: LeadRecordColumns): Promise<LeadPage> {
    const where = filter(tenantId, criteria);
    if (afterSeq !== undefined) where.add('seq < $?', afterSeq);
    const limit = where.parameters.push(first + 1);
    if (records === undefined) {
      const rows = await this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE ${where.sql} ORDER BY seq DESC LIMIT $${limit}`, where.parameters);
      return { leads: rows.slice(0, first), hasNextPage: rows.length > first };
    }
    // The records are subqueries of the select list: PostgreSQL runs them only for the rows the LIMIT lets through.
    const columns = records.sql(where.parameters, tenantId, 'l.id');
    const rows = await queryPrepared(
      this.db.manager,
      `SELECT ${this.leads.selectFrom('l')}, ${columns} FROM lead l WHERE ${where.sql} ORDER BY seq DESC LIMIT $${limit}`,
      where.parameters,
    );
    const leads: LeadEntity[] = [];
    const byLead = new Map<string, LeadRecords>();
    for (const row of rows.slice(0, first)) {
      const lead = this.leads.map(row);
      leads.push(lead);
      byLead.set(lead.id, records.map(row));
    }
    return { leads, hasNextPage: rows.length > first, records: byLead };
  }

  async count(tenantId: string, criteria: LeadCriteria): Promise<number> {
    const where = filter(tenantId, criteria);
    const [row] = await queryPrepared(this.db.manager, `SELECT count(*)::int AS count FROM lead WHERE ${where.sql}`, where.parameters);
    return (row?.count as number | undefined) ?? 0;
  }
}

/** The WHERE clause of a tenant's leads matching `criteria`, with its parameters. */
function filter(tenantId: string, criteria: LeadCriteria) {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    parameters.push(value);
    conditions.push(condition.replace('$?', `$${parameters.length}`));
  };
  add('tenant_id = $?', tenantId);
  if (criteria.stages !== undefined) add('stage = ANY($?::text[])', criteria.stages);
  if (criteria.updatedSince !== undefined) add('updated_at >= $?', criteria.updatedSince);
  return {
    add,
    parameters,
    get sql() {
      return conditions.join(' AND ');
    },
  };
}
