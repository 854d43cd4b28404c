import { type DataSource } from 'typeorm';
import {
  ApplicationDocumentEntity,
  ApplicationEntity,
  DispatchEntity,
  LoanEntity,
  StatusChangeEntity,
  VerificationEntity,
  VerificationOperationEntity,
} from '../db/entities/index.js';
import { RowMapper } from '../db/row-mapper.js';

/** The row mappers of a lead's linked records (and of the dispatches and changes about them), for the stores that read them with plain SQL. */
export class RecordMappers {
  readonly applications: RowMapper<ApplicationEntity>;
  readonly documents: RowMapper<ApplicationDocumentEntity>;
  readonly verifications: RowMapper<VerificationEntity>;
  readonly operations: RowMapper<VerificationOperationEntity>;
  readonly loans: RowMapper<LoanEntity>;
  readonly changes: RowMapper<StatusChangeEntity>;
  readonly dispatches: RowMapper<DispatchEntity>;

  constructor(db: DataSource) {
    this.applications = new RowMapper(db, ApplicationEntity);
    this.documents = new RowMapper(db, ApplicationDocumentEntity);
    this.verifications = new RowMapper(db, VerificationEntity);
    this.operations = new RowMapper(db, VerificationOperationEntity);
    this.loans = new RowMapper(db, LoanEntity);
    this.changes = new RowMapper(db, StatusChangeEntity);
    this.dispatches = new RowMapper(db, DispatchEntity);
  }
}
