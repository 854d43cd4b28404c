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
 * Reads the provider records linked to leads. The `…For…` methods take many keys and
 * answer in one statement: they are what the per-request DataLoaders batch into.
 */
export class RecordStore {
  constructor(private readonly db: DataSource) {}

  findApplication(id: string): Promise<ApplicationEntity | null> {
    return this.db.getRepository(ApplicationEntity).findOneBy({ id });
  }

  applicationsForLeads(leadIds: readonly string[]): Promise<ApplicationEntity[]> {
    return this.db.getRepository(ApplicationEntity).findBy({ leadId: In([...leadIds]) });
  }

  documentsForApplications(applicationIds: readonly string[]): Promise<ApplicationDocumentEntity[]> {
    return this.db.getRepository(ApplicationDocumentEntity).find({
      where: { applicationId: In([...applicationIds]) },
      order: { applicationId: 'ASC', position: 'ASC' },
    });
  }

  findVerification(authUuid: string): Promise<VerificationEntity | null> {
    return this.db.getRepository(VerificationEntity).findOneBy({ authUuid });
  }

  verificationsForLeads(leadIds: readonly string[]): Promise<VerificationEntity[]> {
    return this.db.getRepository(VerificationEntity).findBy({ leadId: In([...leadIds]) });
  }

  operationsForVerifications(authUuids: readonly string[]): Promise<VerificationOperationEntity[]> {
    return this.db.getRepository(VerificationOperationEntity).find({
      where: { authUuid: In([...authUuids]) },
      order: { authUuid: 'ASC', position: 'ASC' },
    });
  }

  findLoan(customerId: string, loanId: string): Promise<LoanEntity | null> {
    return this.db.getRepository(LoanEntity).findOneBy({ customerId, loanId });
  }

  /** Loans of the given leads, most recently applied first. */
  loansForLeads(leadIds: readonly string[]): Promise<LoanEntity[]> {
    return this.db.getRepository(LoanEntity).find({
      where: { leadId: In([...leadIds]) },
      order: { appliedAt: 'DESC', loanId: 'DESC' },
    });
  }

  findDispatch(id: string): Promise<DispatchEntity | null> {
    return this.db.getRepository(DispatchEntity).findOneBy({ id });
  }
}
