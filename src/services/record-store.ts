import { type DataSource } from 'typeorm';
import {
  type ApplicationDocumentEntity,
  type ApplicationEntity,
  DispatchEntity,
  LoanEntity,
  VerificationEntity,
  type VerificationOperationEntity,
} from '../db/entities/index.js';
import { GUARD_FIRST_PARAMETER, type RecordGuard } from '../dispatch/record-guard.js';
import { RecordMappers } from './record-mappers.js';

/**
 * Reads one tenant's provider records. The `…For…` methods take many keys and
 * answer in one statement: they are what the per-request DataLoaders batch into, so
 * they are hand-written SQL (one array parameter, rows mapped by {@link RecordMappers}).
 */
export class RecordStore {
  private readonly rows: RecordMappers;
  /** {@link applicationGuard}'s text, built once. */
  private applicationGuardSql: string | undefined;

  constructor(private readonly db: DataSource) {
    this.rows = new RecordMappers(db);
  }

  /**
   * The guard of a dispatch about application `id` (see {@link RecordGuard}): it holds
   * when the tenant holds the application, and fits unless a lead is asked for
   * (`leadId`) and the application is already linked to another. The application comes
   * back as JSON text, parsed only if it is asked for ({@link guardedApplication}).
   */
  applicationGuard(tenantId: string, id: string, leadId: string | null): RecordGuard {
    this.applicationGuardSql ??= `SELECT a.lead_id, ($${GUARD_FIRST_PARAMETER + 2}::uuid IS NULL OR a.lead_id IS NULL OR a.lead_id = $${GUARD_FIRST_PARAMETER + 2}::uuid) AS fits,
             '{}'::jsonb AS payload, ${this.rows.applications.jsonArray.sql('a')}::text AS record
        FROM application a WHERE a.tenant_id = $${GUARD_FIRST_PARAMETER} AND a.id = $${GUARD_FIRST_PARAMETER + 1}`;
    return { sql: this.applicationGuardSql, parameters: [tenantId, id, leadId] };
  }

  /** The application an {@link applicationGuard} read (its `record`). */
  guardedApplication(record: unknown): ApplicationEntity {
    return this.rows.applications.jsonArray.map(JSON.parse(record as string) as unknown[]);
  }

  /** One application: hand-written SQL too (every updateApplication reads it), mapped as `findOneBy` maps it. */
  async findApplication(tenantId: string, id: string): Promise<ApplicationEntity | null> {
    const [application] = await this.rows.applications.query(
      `SELECT ${this.rows.applications.selectList} FROM application WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return application ?? null;
  }

  applicationsForLeads(tenantId: string, leadIds: readonly string[]): Promise<ApplicationEntity[]> {
    return this.rows.applications.query(
      `SELECT ${this.rows.applications.selectList} FROM application WHERE tenant_id = $1 AND lead_id = ANY($2::uuid[])`,
      [tenantId, leadIds],
    );
  }

  documentsForApplications(tenantId: string, applicationIds: readonly string[]): Promise<ApplicationDocumentEntity[]> {
    return this.rows.documents.query(
      `SELECT ${this.rows.documents.selectList} FROM application_document
        WHERE tenant_id = $1 AND application_id = ANY($2::text[]) ORDER BY application_id, position`,
      [tenantId, applicationIds],
    );
  }

  findVerification(tenantId: string, authUuid: string): Promise<VerificationEntity | null> {
    return this.db.getRepository(VerificationEntity).findOneBy({ tenantId, authUuid });
  }

  verificationsForLeads(tenantId: string, leadIds: readonly string[]): Promise<VerificationEntity[]> {
    return this.rows.verifications.query(
      `SELECT ${this.rows.verifications.selectList} FROM verification WHERE tenant_id = $1 AND lead_id = ANY($2::uuid[])`,
      [tenantId, leadIds],
    );
  }

  operationsForVerifications(tenantId: string, authUuids: readonly string[]): Promise<VerificationOperationEntity[]> {
    return this.rows.operations.query(
      `SELECT ${this.rows.operations.selectList} FROM verification_operation
        WHERE tenant_id = $1 AND auth_uuid = ANY($2::uuid[]) ORDER BY auth_uuid, position`,
      [tenantId, authUuids],
    );
  }

  findLoan(tenantId: string, customerId: string, loanId: string): Promise<LoanEntity | null> {
    return this.db.getRepository(LoanEntity).findOneBy({ tenantId, customerId, loanId });
  }

  /** Loans of the given leads, most recently applied first. */
  loansForLeads(tenantId: string, leadIds: readonly string[]): Promise<LoanEntity[]> {
    return this.rows.loans.query(
      `SELECT ${this.rows.loans.selectList} FROM loan WHERE tenant_id = $1 AND lead_id = ANY($2::uuid[]) ORDER BY applied_at DESC, loan_id DESC`,
      [tenantId, leadIds],
    );
  }

  findDispatch(tenantId: string, id: string): Promise<DispatchEntity | null> {
    return this.db.getRepository(DispatchEntity).findOneBy({ tenantId, id });
  }

  // By their own ids, many at once: what a page of status changes or dispatches links to.

  applicationsByIds(tenantId: string, ids: readonly string[]): Promise<ApplicationEntity[]> {
    return this.rows.applications.query(`SELECT ${this.rows.applications.selectList} FROM application WHERE tenant_id = $1 AND id = ANY($2::text[])`, [
      tenantId,
      ids,
    ]);
  }

  verificationsByAuthUuids(tenantId: string, authUuids: readonly string[]): Promise<VerificationEntity[]> {
    return this.rows.verifications.query(
      `SELECT ${this.rows.verifications.selectList} FROM verification WHERE tenant_id = $1 AND auth_uuid = ANY($2::uuid[])`,
      [tenantId, authUuids],
    );
  }

  /** Loans by `(customerId, loanId)` pairs, given as two arrays of the same length. */
  loansByKeys(tenantId: string, customerIds: readonly string[], loanIds: readonly string[]): Promise<LoanEntity[]> {
    return this.rows.loans.query(
      `SELECT ${this.rows.loans.selectFrom('l')} FROM loan l
         JOIN unnest($2::text[], $3::text[]) AS wanted(customer_id, loan_id)
           ON l.customer_id = wanted.customer_id AND l.loan_id = wanted.loan_id
        WHERE l.tenant_id = $1`,
      [tenantId, customerIds, loanIds],
    );
  }

  dispatchesByIds(tenantId: string, ids: readonly string[]): Promise<DispatchEntity[]> {
    return this.rows.dispatches.query(`SELECT ${this.rows.dispatches.selectList} FROM dispatch WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tenantId,
      ids,
    ]);
  }
}
