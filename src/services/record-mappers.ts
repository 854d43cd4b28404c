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
    this.applications = RowMapper.of(db, ApplicationEntity);
    this.documents = RowMapper.of(db, ApplicationDocumentEntity);
    this.verifications = RowMapper.of(db, VerificationEntity);
    this.operations = RowMapper.of(db, VerificationOperationEntity);
    this.loans = RowMapper.of(db, LoanEntity);
    this.changes = RowMapper.of(db, StatusChangeEntity);
    this.dispatches = RowMapper.of(db, DispatchEntity);
  }
}
