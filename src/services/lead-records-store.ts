import { type DataSource, type ObjectLiteral } from 'typeorm';
import {
  type ApplicationDocumentEntity,
  type ApplicationEntity,
  type LoanEntity,
  type StatusChangeEntity,
  type VerificationEntity,
  type VerificationOperationEntity,
} from '../db/entities/index.js';
import { type RowMapper } from '../db/row-mapper.js';
import { RecordMappers } from './record-mappers.js';

/** Which of a lead's linked records to read. */
export interface LeadRecordsWanted {
  readonly application: boolean;
  readonly documents: boolean;
  readonly verification: boolean;
  readonly operations: boolean;
  readonly loans: boolean;
  /** The newest this many status changes; none when absent. */
  readonly history?: number;
}

/** One lead's linked records, as the loaders would have read them. */
export interface LeadRecords {
  readonly application: ApplicationEntity | null;
  readonly documents: ApplicationDocumentEntity[];
  readonly verification: VerificationEntity | null;
  readonly operations: VerificationOperationEntity[];
  readonly loans: LoanEntity[];
  readonly history: StatusChangeEntity[];
}

type Json = Record<string, unknown>;

/**
 * Reads the linked records of many leads in ONE statement: PostgreSQL nests each lead's
 * application, documents, process, operations, loans and newest changes as JSON, one
 * row per lead. A page of leads with its records then costs one round trip instead of
 * a wave of loader statements per level of nesting. Rows come out as the loaders'
 * statements return them (same filters, same order), mapped by the same RowMapper.
 */
export class LeadRecordsStore {
  private readonly rows: RecordMappers;

  constructor(private readonly db: DataSource) {
    this.rows = new RecordMappers(db);
  }

  async forLeads(tenantId: string, leadIds: readonly string[], wanted: LeadRecordsWanted): Promise<Map<string, LeadRecords>> {
    const parameters: unknown[] = [tenantId, leadIds];
    const columns: string[] = ['l.id AS lead_id'];
    if (wanted.application) {
      columns.push(`(SELECT row_to_json(a) FROM application a WHERE a.tenant_id = $1 AND a.lead_id = l.id) AS application`);
    }
    if (wanted.documents) {
      columns.push(`(SELECT coalesce(json_agg(d ORDER BY d.position), '[]') FROM application a
                       JOIN application_document d ON d.tenant_id = a.tenant_id AND d.application_id = a.id
                      WHERE a.tenant_id = $1 AND a.lead_id = l.id) AS documents`);
    }
    if (wanted.verification) {
      columns.push(`(SELECT row_to_json(v) FROM verification v WHERE v.tenant_id = $1 AND v.lead_id = l.id) AS verification`);
    }
    if (wanted.operations) {
      columns.push(`(SELECT coalesce(json_agg(o ORDER BY o.position), '[]') FROM verification v
                       JOIN verification_operation o ON o.tenant_id = v.tenant_id AND o.auth_uuid = v.auth_uuid
                      WHERE v.tenant_id = $1 AND v.lead_id = l.id) AS operations`);
    }
    if (wanted.loans) {
      columns.push(`(SELECT coalesce(json_agg(lo ORDER BY lo.applied_at DESC, lo.loan_id DESC), '[]') FROM loan lo
                      WHERE lo.tenant_id = $1 AND lo.lead_id = l.id) AS loans`);
    }
    if (wanted.history !== undefined && wanted.history > 0) {
      const limit = parameters.push(wanted.history);
      // The id as text: a bigint in JSON would be a number, and ids are strings everywhere else.
      columns.push(`(SELECT coalesce(json_agg(c ORDER BY c.id_order DESC), '[]') FROM (
                       SELECT s.id AS id_order, s.id::text AS id, s.tenant_id, s.lead_id, s.provider, s.entity_id,
                              s.from_status, s.to_status, s.occurred_at
                         FROM status_change s WHERE s.tenant_id = $1 AND s.lead_id = l.id ORDER BY s.id DESC LIMIT $${limit}) c
                    ) AS history`);
    }
    const rows = await this.db.query<Json[]>(`SELECT ${columns.join(', ')} FROM unnest($2::uuid[]) AS l(id)`, parameters);
    const records = new Map<string, LeadRecords>();
    for (const row of rows) {
      records.set(row.lead_id as string, {
        application: mapOne(this.rows.applications, row.application),
        documents: mapMany(this.rows.documents, row.documents),
        verification: mapOne(this.rows.verifications, row.verification),
        operations: mapMany(this.rows.operations, row.operations),
        loans: mapMany(this.rows.loans, row.loans),
        history: mapMany(this.rows.changes, row.history),
      });
    }
    return records;
  }
}

function mapOne<E extends ObjectLiteral>(mapper: RowMapper<E>, value: unknown): E | null {
  return value === null || value === undefined ? null : mapper.map(value as Json);
}

function mapMany<E extends ObjectLiteral>(mapper: RowMapper<E>, value: unknown): E[] {
  return Array.isArray(value) ? value.map((row) => mapper.map(row as Json)) : [];
}
