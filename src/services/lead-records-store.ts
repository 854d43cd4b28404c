import { type DataSource } from 'typeorm';
import {
  type ApplicationDocumentEntity,
  type ApplicationEntity,
  type LoanEntity,
  type StatusChangeEntity,
  type VerificationEntity,
  type VerificationOperationEntity,
} from '../db/entities/index.js';
import { queryPrepared } from '../db/prepared-statement.js';
import { type JsonArrayColumns } from '../db/row-mapper.js';
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
 * application, documents, process, operations, loans and newest changes as JSON (each
 * record an array of its columns), one row per lead. A page of leads with its records then costs one round trip instead of
 * a wave of loader statements per level of nesting. Rows come out as the loaders'
 * statements return them (same filters, same order), mapped by the same RowMapper.
 */
export class LeadRecordsStore {
  private readonly rows: RecordMappers;

  constructor(private readonly db: DataSource) {
    this.rows = new RecordMappers(db);
  }

  async forLeads(tenantId: string, leadIds: readonly string[], wanted: LeadRecordsWanted): Promise<Map<string, LeadRecords>> {
    const parameters: unknown[] = [leadIds];
    const columns = this.columns(wanted).sql(parameters, tenantId, 'l.id');
    const rows = await queryPrepared(this.db.manager, `SELECT l.id AS lead_id, ${columns} FROM unnest($1::uuid[]) AS l(id)`, parameters);
    const records = new Map<string, LeadRecords>();
    for (const row of rows) records.set(row.lead_id as string, this.map(row));
    return records;
  }

  /**
   * The record columns of `wanted`, to be read in another statement that selects leads
   * (`LeadStore`): a page of leads and all their records in one round trip.
   */
  columns(wanted: LeadRecordsWanted): LeadRecordColumns {
    return { sql: (parameters, tenantId, leadId) => recordColumns(this.rows, wanted, parameters, tenantId, leadId), map: (row) => this.map(row) };
  }

  private map(row: Json): LeadRecords {
    const { applications, documents, verifications, operations, loans, changes } = this.rows;
    return {
      application: mapOne(applications.jsonArray, row.application),
      documents: mapMany(documents.jsonArray, row.documents),
      verification: mapOne(verifications.jsonArray, row.verification),
      operations: mapMany(operations.jsonArray, row.operations),
      loans: mapMany(loans.jsonArray, row.loans),
      history: mapMany(changes.jsonArray, row.history),
    };
  }
}

/** A lead's records as columns of a statement that reads leads, and how to map them from its rows. */
export interface LeadRecordColumns {
  /**
   * The select-list entries (never empty), each a correlated subquery on the lead id
   * expression `leadId`; pushes what they need (the tenant first) onto `parameters`.
   */
  sql(parameters: unknown[], tenantId: string, leadId: string): string;
  /** One lead's records from a row of that statement. */
  map(row: Readonly<Record<string, unknown>>): LeadRecords;
}

/** Rows come out as the loaders' statements return them: same filters, same order. */
function recordColumns(rows: RecordMappers, wanted: LeadRecordsWanted, parameters: unknown[], tenantId: string, leadId: string): string {
  const t = `$${parameters.push(tenantId)}`;
  const columns: string[] = [];
  if (wanted.application) {
    columns.push(`(SELECT ${rows.applications.jsonArray.sql('a')} FROM application a WHERE a.tenant_id = ${t} AND a.lead_id = ${leadId}) AS application`);
  }
  if (wanted.documents) {
    columns.push(`(SELECT coalesce(json_agg(${rows.documents.jsonArray.sql('d')} ORDER BY d.position), '[]') FROM application a
                     JOIN application_document d ON d.tenant_id = a.tenant_id AND d.application_id = a.id
                    WHERE a.tenant_id = ${t} AND a.lead_id = ${leadId}) AS documents`);
  }
  if (wanted.verification) {
    columns.push(`(SELECT ${rows.verifications.jsonArray.sql('v')} FROM verification v WHERE v.tenant_id = ${t} AND v.lead_id = ${leadId}) AS verification`);
  }
  if (wanted.operations) {
    columns.push(`(SELECT coalesce(json_agg(${rows.operations.jsonArray.sql('o')} ORDER BY o.position), '[]') FROM verification v
                     JOIN verification_operation o ON o.tenant_id = v.tenant_id AND o.auth_uuid = v.auth_uuid
                    WHERE v.tenant_id = ${t} AND v.lead_id = ${leadId}) AS operations`);
  }
  if (wanted.loans) {
    columns.push(`(SELECT coalesce(json_agg(${rows.loans.jsonArray.sql('lo')} ORDER BY lo.applied_at DESC, lo.loan_id DESC), '[]') FROM loan lo
                    WHERE lo.tenant_id = ${t} AND lo.lead_id = ${leadId}) AS loans`);
  }
  if (wanted.history !== undefined && wanted.history > 0) {
    const limit = parameters.push(wanted.history);
    // As `StatusChangeStore.newestForLeads` reads it: the records' changes only (a dispatch's
    // moves are logged under its lead too), every column, the id as text (a bigint in JSON
    // would be a number, and ids are strings everywhere else).
    const others = rows.changes.jsonArray.columns.filter((name) => name !== 'id').map((name) => `s."${name}"`);
    columns.push(`(SELECT coalesce(json_agg(${rows.changes.jsonArray.sql('c')} ORDER BY c.id_order DESC), '[]') FROM (
                     SELECT s.id AS id_order, s.id::text AS id, ${others.join(', ')}
                       FROM status_change s WHERE s.tenant_id = ${t} AND s.lead_id = ${leadId} AND s.kind = 'RECORD'
                      ORDER BY s.id DESC LIMIT $${limit}) c
                  ) AS history`);
  }
  // Nothing wanted still reads the lead ids (a column list cannot be empty).
  return columns.length > 0 ? columns.join(', ') : 'NULL AS no_records';
}

function mapOne<E>(record: JsonArrayColumns<E>, value: unknown): E | null {
  return Array.isArray(value) ? record.map(value) : null;
}

function mapMany<E>(record: JsonArrayColumns<E>, value: unknown): E[] {
  return Array.isArray(value) ? value.map((values) => record.map(values as unknown[])) : [];
}
