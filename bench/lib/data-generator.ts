import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { deriveStage } from '../../src/domain/stage-table.js';
import {
  ApplicationStatus,
  LeadEvent,
  LoanStatus,
  VERIFICATION_OPERATION_ORDER,
  VerificationStatus,
} from '../../src/domain/vocabulary.js';
import { withClient } from './bench-database.js';

/** What the generator wrote: the ids the workloads address. */
export interface DataSet {
  readonly leads: number;
  /** Gateway lead ids, oldest first. */
  readonly leadIds: readonly string[];
  /** TECHEA lead id of each lead (same index). */
  readonly techeaLeadIds: readonly string[];
  /** Lead Bank application id of each lead (same index). */
  readonly applicationIds: readonly string[];
  /** Rows written, per table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly seconds: number;
}

const LEADS_PER_BATCH = 1_000;

/**
 * The `request_id` of the dispatches the generator writes as the data set's history:
 * what a benchmark counts as its own dispatches leaves these out.
 */
export const HISTORY_REQUEST_ID = 'bench-history';
const DAY = 86_400_000;
const EPOCH = Date.UTC(2026, 0, 1);

const JOURNEYS = [
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.PENDING, application: null, loan: LoanStatus.PENDING },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loan: LoanStatus.APPROVED },
  { event: LeadEvent.LOAN_ISSUED, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loan: LoanStatus.CURRENT },
  { event: LeadEvent.LOAN_PAID, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loan: LoanStatus.PAID_IN_FULL },
  { event: LeadEvent.REGISTRATION, verification: VerificationStatus.KO, application: ApplicationStatus.DECLINED, loan: LoanStatus.DENIED },
  { event: LeadEvent.LOAN_DEFAULTED, verification: VerificationStatus.OK, application: ApplicationStatus.APPROVED, loan: LoanStatus.WRITTEN_OFF },
] as const;
const DOCUMENTS = [
  { type: 'loan_agreement', displayed: true },
  { type: 'esign_agreement', displayed: false },
  { type: 'credit_pull_consent', displayed: false },
] as const;

/**
 * Writes `leads` leads of the default tenant, each with a Lead Bank application (3
 * documents), a Tecalis process (5 operations), 2 Decision Cloud loans, 8 status
 * changes and the dispatches that reported its last event and set its application's
 * status (settled long ago), in batches of multi-row `INSERT … SELECT FROM unnest(…)`
 * (one statement per table per batch). Stages are derived with the gateway's own stage
 * table, so the data is what the gateway itself would have written.
 *
 * The outbox is not left empty: a database that has lived a while holds its history,
 * and PostgreSQL plans a statement by the size its tables have when the statement is
 * first prepared. A connection that prepares `UPDATE dispatch … WHERE id = $1` on an
 * empty table keeps a sequential scan for it until the next ANALYZE of the table,
 * which autovacuum runs a minute or more later: every mutation measured before then
 * scans every dispatch the run has written so far.
 */
export async function generateDataSet(databaseUrl: string, leads: number): Promise<DataSet> {
  const started = performance.now();
  const leadIds: string[] = [];
  const techeaLeadIds: string[] = [];
  const applicationIds: string[] = [];
  const rows: Record<string, number> = {};
  await withClient(databaseUrl, async (client) => {
    for (let from = 0; from < leads; from += LEADS_PER_BATCH) {
      const batch = buildBatch(from, Math.min(leads, from + LEADS_PER_BATCH));
      await client.query('BEGIN');
      for (const table of batch.tables) {
        await insertRows(client, table);
        rows[table.name] = (rows[table.name] ?? 0) + table.count;
      }
      await client.query('COMMIT');
      leadIds.push(...batch.leadIds);
      techeaLeadIds.push(...batch.techeaLeadIds);
      applicationIds.push(...batch.applicationIds);
    }
    // Fresh statistics, as autovacuum would have them on a database that has lived a while.
    await client.query('ANALYZE');
  });
  return { leads, leadIds, techeaLeadIds, applicationIds, rows, seconds: (performance.now() - started) / 1000 };
}

/** Rows of one table, column by column, with each column's PostgreSQL array type. */
interface TableRows {
  readonly name: string;
  readonly columns: ReadonlyArray<readonly [column: string, type: string]>;
  readonly values: unknown[][];
  count: number;
}

function table(name: string, columns: ReadonlyArray<readonly [string, string]>): TableRows {
  return { name, columns, values: columns.map(() => []), count: 0 };
}

function add(rows: TableRows, ...values: unknown[]): void {
  values.forEach((value, i) => rows.values[i]?.push(value));
  rows.count++;
}

async function insertRows(client: pg.Client, rows: TableRows): Promise<void> {
  const names = rows.columns.map(([column]) => column).join(', ');
  const arrays = rows.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  await client.query(`INSERT INTO ${rows.name} (${names}) SELECT * FROM unnest(${arrays})`, rows.values);
}

function buildBatch(from: number, to: number) {
  const lead = table('lead', [['id', 'uuid'], ['tenant_id', 'text'], ['techea_lead_id', 'uuid'], ['advertiser_ref', 'text'], ['decision_cloud_customer_id', 'text'], ['stage', 'text'], ['last_event', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']]);
  const application = table('application', [['id', 'text'], ['tenant_id', 'text'], ['lead_id', 'uuid'], ['status', 'text'], ['product_name', 'text'], ['credit_is_secured', 'boolean'], ['credit_is_mla', 'boolean'], ['credit_currency', 'text'], ['credit_underwriting_grade', 'text'], ['credit_limit_cents', 'bigint'], ['credit_max_limit_cents', 'bigint'], ['credit_score', 'integer'], ['credit_score_pulled_at', 'timestamptz'], ['credit_score_source', 'text'], ['aan_delivered_at', 'timestamptz'], ['aan_reason', 'text'], ['aan_delivery_method', 'text'], ['decision_decided_at', 'timestamptz'], ['decision_reason', 'text'], ['decision_exception_approval_reason', 'text'], ['metadata', 'jsonb'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']]);
  const document = table('application_document', [['tenant_id', 'text'], ['application_id', 'text'], ['position', 'integer'], ['document_id', 'text'], ['type', 'text'], ['displayed_at', 'timestamptz'], ['consented_at', 'timestamptz'], ['version', 'text']]);
  const verification = table('verification', [['auth_uuid', 'uuid'], ['tenant_id', 'text'], ['lead_id', 'uuid'], ['process_uuid', 'uuid'], ['status', 'text'], ['status_reasons', 'text'], ['name', 'text'], ['document_number', 'text'], ['document_type', 'text'], ['nationality', 'text'], ['company', 'text'], ['profile_alias', 'text'], ['cleaned', 'boolean'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']]);
  const operation = table('verification_operation', [['operation_id', 'uuid'], ['tenant_id', 'text'], ['auth_uuid', 'uuid'], ['position', 'integer'], ['type', 'text'], ['state', 'text'], ['total_time', 'integer']]);
  const loan = table('loan', [['tenant_id', 'text'], ['customer_id', 'text'], ['loan_id', 'text'], ['lead_id', 'uuid'], ['decision_cloud_lead_id', 'integer'], ['management_system_id', 'integer'], ['application_type', 'text'], ['loan_type', 'text'], ['loan_status', 'text'], ['loan_amount_cents', 'bigint'], ['funded_amount_cents', 'bigint'], ['first_payment_date', 'date'], ['applied_at', 'timestamptz'], ['esigned_at', 'timestamptz'], ['withdrawn_at', 'timestamptz'], ['originated_at', 'timestamptz']]);
  const change = table('status_change', [['tenant_id', 'text'], ['lead_id', 'uuid'], ['provider', 'text'], ['entity_id', 'text'], ['from_status', 'text'], ['to_status', 'text'], ['occurred_at', 'timestamptz']]);
  const dispatch = table('dispatch', [['id', 'uuid'], ['tenant_id', 'text'], ['provider', 'text'], ['operation', 'text'], ['lead_id', 'uuid'], ['payload', 'jsonb'], ['idempotency_key', 'text'], ['request_hash', 'text'], ['state', 'text'], ['attempts', 'integer'], ['max_attempts', 'integer'], ['run_at', 'timestamptz'], ['result', 'jsonb'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['request_id', 'text']]);
  const leadIds: string[] = [];
  const techeaLeadIds: string[] = [];
  const applicationIds: string[] = [];
  const tenant = DEFAULT_TENANT;

  for (let i = from; i < to; i++) {
    const journey = JOURNEYS[i % JOURNEYS.length] ?? JOURNEYS[0];
    const at = (days: number) => new Date(EPOCH + (i % 300) * DAY + days * DAY).toISOString();
    const id = randomUUID();
    const techeaLeadId = randomUUID();
    const applicationId = `application_bench${i}`;
    const authUuid = randomUUID();
    const customerId = `customer-${i}`;
    const stage = deriveStage({ lastEvent: journey.event, applicationStatus: journey.application, verificationStatus: journey.verification, latestLoanStatus: journey.loan });
    leadIds.push(id);
    techeaLeadIds.push(techeaLeadId);
    applicationIds.push(applicationId);

    add(lead, id, tenant, techeaLeadId, `adv-${i}`, customerId, stage, journey.event, at(0), at(9));
    const declined = journey.application === ApplicationStatus.DECLINED;
    add(application, applicationId, tenant, id, journey.application, 'Everyday Credit', i % 2 === 0, false, 'USD', ['A', 'B', 'C'][i % 3], 150_000 + (i % 50) * 1_000, 500_000, 600 + (i % 250), at(1), 'experian',
      declined ? at(3) : null, declined ? 'Insufficient income' : null, declined ? 'email' : null,
      journey.application === null ? null : at(3), journey.application === null ? null : 'policy', null,
      JSON.stringify({ channel: 'affiliate', campaign: `c${i % 20}` }), at(1), at(3));
    DOCUMENTS.forEach((doc, position) => {
      add(document, tenant, applicationId, position, `doc-${i}-${position}`, doc.type, doc.displayed ? at(1) : null, doc.displayed ? null : at(1), 'v3');
    });
    add(verification, authUuid, tenant, id, randomUUID(), journey.verification, journey.verification === VerificationStatus.KO ? 'document expired' : null,
      `Applicant ${i}`, `X${String(i).padStart(7, '0')}`, 'ID_CARD', 'ES', 'Lender Inc', 'default', false, at(1), at(2));
    VERIFICATION_OPERATION_ORDER.forEach((type, position) => {
      add(operation, randomUUID(), tenant, authUuid, position, type, journey.verification === VerificationStatus.PENDING && position > 1 ? 'NOT_STARTED' : 'OK', 10 + position);
    });
    for (const n of [1, 2]) {
      const latest = n === 2;
      add(loan, tenant, customerId, `loan-${i}-${n}`, id, 100_000 + i, null, n === 1 ? 'NEW' : 'RETURNING', 'INSTALLMENT',
        latest ? journey.loan : LoanStatus.PAID_IN_FULL, 50_000 + (i % 100) * 500, 50_000 + (i % 100) * 500, at(n * 30).slice(0, 10), at(n * 4), at(n * 4), null, at(n * 4 + 1));
    }
    const changes: Array<[string, string, string | null, string]> = [
      ['TECHEA', techeaLeadId, null, 'REGISTRATION'],
      ['TECALIS', authUuid, null, 'PENDING'],
      ['TECALIS', authUuid, 'PENDING', journey.verification],
      ['LEAD_BANK', applicationId, null, journey.application ?? 'PENDING'],
      ['DECISION_CLOUD', `loan-${i}-1`, null, 'PENDING'],
      ['DECISION_CLOUD', `loan-${i}-1`, 'PENDING', 'PAID_IN_FULL'],
      ['DECISION_CLOUD', `loan-${i}-2`, null, 'PENDING'],
      ['TECHEA', techeaLeadId, 'REGISTRATION', journey.event],
    ];
    changes.forEach(([provider, entityId, fromStatus, toStatus], n) => add(change, tenant, id, provider, entityId, fromStatus, toStatus, at(n + 1)));
    const settled = (provider: string, command: Record<string, unknown> & { operation: string }, result: unknown, days: number) =>
      add(dispatch, randomUUID(), tenant, provider, command.operation, id, JSON.stringify(command), `history-${i}-${command.operation}`, randomUUID().replaceAll('-', ''),
        'SUCCEEDED', 1, 8, at(days), JSON.stringify(result), at(days), at(days), HISTORY_REQUEST_ID);
    settled('TECHEA', { operation: 'reportLeadEvent', techeaLeadId, event: journey.event }, { result: { outcome: 'RECEIVED' } }, 8);
    if (journey.application !== null) {
      settled('LEAD_BANK', { operation: 'updateApplication', applicationId, status: journey.application }, { result: { id: applicationId, status: journey.application } }, 3);
    }
  }
  return { leadIds, techeaLeadIds, applicationIds, tables: [lead, application, document, verification, operation, loan, change, dispatch] };
}
