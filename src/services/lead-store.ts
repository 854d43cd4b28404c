import { type DataSource, In } from 'typeorm';
import { LeadEntity } from '../db/entities/index.js';
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

/** Reads one tenant's leads. Every method is one SQL statement. */
export class LeadStore {
  constructor(private readonly db: DataSource) {}

  findById(tenantId: string, id: string): Promise<LeadEntity | null> {
    return this.db.getRepository(LeadEntity).findOneBy({ tenantId, id });
  }

  findByTecheaId(tenantId: string, techeaLeadId: string): Promise<LeadEntity | null> {
    return this.db.getRepository(LeadEntity).findOneBy({ tenantId, techeaLeadId });
  }

  findByIds(tenantId: string, ids: readonly string[]): Promise<LeadEntity[]> {
    return this.db.getRepository(LeadEntity).findBy({ tenantId, id: In([...ids]) });
  }

  /** Up to `first` leads older than the one at `afterSeq` (exclusive), newest first. */
  async page(tenantId: string, criteria: LeadCriteria, first: number, afterSeq: string | undefined): Promise<LeadPage> {
    const query = this.filtered(tenantId, criteria).orderBy('lead.seq', 'DESC').limit(first + 1);
    if (afterSeq !== undefined) query.andWhere('lead.seq < :afterSeq', { afterSeq });
    const rows = await query.getMany();
    return { leads: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  count(tenantId: string, criteria: LeadCriteria): Promise<number> {
    return this.filtered(tenantId, criteria).getCount();
  }

  private filtered(tenantId: string, criteria: LeadCriteria) {
    const query = this.db
      .getRepository(LeadEntity)
      .createQueryBuilder('lead')
      .where('lead.tenantId = :tenantId', { tenantId });
    if (criteria.stages !== undefined) query.andWhere('lead.stage IN (:...stages)', { stages: criteria.stages });
    if (criteria.updatedSince !== undefined) {
      query.andWhere('lead.updatedAt >= :updatedSince', { updatedSince: criteria.updatedSince });
    }
    return query;
  }
}
