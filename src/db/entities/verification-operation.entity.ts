import { Column, Entity, PrimaryColumn } from 'typeorm';
import { VerificationOperationState, VerificationOperationType } from '../../domain/vocabulary.js';

/** One step (documents, selfie, OCR, …) of a verification process. */
@Entity({ name: 'verification_operation' })
export class VerificationOperationEntity {
  @PrimaryColumn({ name: 'operation_id', type: 'uuid' })
  operationId!: string;

  /** The tenant the row belongs to; part of every lookup. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'auth_uuid', type: 'uuid' })
  authUuid!: string;

  /** Order in which Tecalis lists the operations. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  type!: VerificationOperationType;

  @Column({ type: 'text' })
  state!: VerificationOperationState;

  /** Seconds spent in the operation. */
  @Column({ name: 'total_time', type: 'integer' })
  totalTime!: number;
}
