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

  /** Tecalis's `type` as sent; null for rows stored before migration 0008. */
  @Column({ name: 'provider_type', type: 'text', nullable: true })
  providerType!: string | null;

  @Column({ type: 'text' })
  state!: VerificationOperationState;

  /** Tecalis's `state` as sent; null for rows stored before migration 0008. */
  @Column({ name: 'provider_state', type: 'text', nullable: true })
  providerState!: string | null;

  /** Seconds spent in the operation, fractions included. */
  @Column({ name: 'total_time', type: 'double precision' })
  totalTime!: number;
}
