import { type DataSource } from 'typeorm';
import { LeadEntity } from '../db/entities/index.js';
import { RowMapper } from '../db/row-mapper.js';
import { type LeadStage } from '../domain/vocabulary.js';

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
}

/**
 * Reads one tenant's leads. Every method is one SQL statement, hand-written: these
 * run on every page and every lead a request reads (rows mapped by {@link RowMapper}).
 */
export class LeadStore {
  private readonly leads: RowMapper<LeadEntity>;

  constructor(private readonly db: DataSource) {
    this.leads = new RowMapper(db, LeadEntity);
  }

  async findById(tenantId: string, id: string): Promise<LeadEntity | null> {
    const [lead] = await this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return lead ?? null;
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

  /** Up to `first` leads older than the one at `afterSeq` (exclusive), newest first. */
  async page(tenantId: string, criteria: LeadCriteria, first: number, afterSeq: string | undefined): Promise<LeadPage> {
    const where = filter(tenantId, criteria);
    if (afterSeq !== undefined) where.add('seq < $?', afterSeq);
    const limit = where.parameters.push(first + 1);
    const rows = await this.leads.query(`SELECT ${this.leads.selectList} FROM lead WHERE ${where.sql} ORDER BY seq DESC LIMIT $${limit}`, where.parameters);
    return { leads: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async count(tenantId: string, criteria: LeadCriteria): Promise<number> {
    const where = filter(tenantId, criteria);
    const [row] = await this.db.query<Array<{ count: number }>>(`SELECT count(*)::int AS count FROM lead WHERE ${where.sql}`, where.parameters);
    return row?.count ?? 0;
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
