import { type DataSource, In } from 'typeorm';
import {
  ApplicationDocumentEntity,
  ApplicationEntity,
  DispatchEntity,
  LoanEntity,
  VerificationEntity,
  VerificationOperationEntity,
} from '../db/entities/index.js';

/**
 * Reads one tenant's provider records. The `…For…` methods take many keys and
 * answer in one statement: they are what the per-request DataLoaders batch into.
 */
export class RecordStore {
  constructor(private readonly db: DataSource) {}

  findApplication(tenantId: string, id: string): Promise<ApplicationEntity | null> {
    return this.db.getRepository(ApplicationEntity).findOneBy({ tenantId, id });
  }

  applicationsForLeads(tenantId: string, leadIds: readonly string[]): Promise<ApplicationEntity[]> {
    return this.db.getRepository(ApplicationEntity).findBy({ tenantId, leadId: In([...leadIds]) });
  }

  documentsForApplications(tenantId: string, applicationIds: readonly string[]): Promise<ApplicationDocumentEntity[]> {
    return this.db.getRepository(ApplicationDocumentEntity).find({
      where: { tenantId, applicationId: In([...applicationIds]) },
      order: { applicationId: 'ASC', position: 'ASC' },
    });
  }

  findVerification(tenantId: string, authUuid: string): Promise<VerificationEntity | null> {
    return this.db.getRepository(VerificationEntity).findOneBy({ tenantId, authUuid });
  }

  verificationsForLeads(tenantId: string, leadIds: readonly string[]): Promise<VerificationEntity[]> {
    return this.db.getRepository(VerificationEntity).findBy({ tenantId, leadId: In([...leadIds]) });
  }

  operationsForVerifications(tenantId: string, authUuids: readonly string[]): Promise<VerificationOperationEntity[]> {
    return this.db.getRepository(VerificationOperationEntity).find({
      where: { tenantId, authUuid: In([...authUuids]) },
      order: { authUuid: 'ASC', position: 'ASC' },
    });
  }

  findLoan(tenantId: string, customerId: string, loanId: string): Promise<LoanEntity | null> {
    return this.db.getRepository(LoanEntity).findOneBy({ tenantId, customerId, loanId });
  }

  /** Whether another tenant holds this Decision Cloud customer (a lead of its, or a loan). */
  async customerHeldElsewhere(tenantId: string, customerId: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(
      `SELECT 1 FROM lead WHERE decision_cloud_customer_id = $1 AND tenant_id <> $2
       UNION ALL
       SELECT 1 FROM loan WHERE customer_id = $1 AND tenant_id <> $2
       LIMIT 1`,
      [customerId, tenantId],
    );
    return rows.length > 0;
  }

  /** Loans of the given leads, most recently applied first. */
  loansForLeads(tenantId: string, leadIds: readonly string[]): Promise<LoanEntity[]> {
    return this.db.getRepository(LoanEntity).find({
      where: { tenantId, leadId: In([...leadIds]) },
      order: { appliedAt: 'DESC', loanId: 'DESC' },
    });
  }

  findDispatch(tenantId: string, id: string): Promise<DispatchEntity | null> {
    return this.db.getRepository(DispatchEntity).findOneBy({ tenantId, id });
  }
}
