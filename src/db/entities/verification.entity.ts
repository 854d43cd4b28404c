import { Column, Entity, PrimaryColumn } from 'typeorm';
import { VerificationStatus } from '../../domain/vocabulary.js';

/** The gateway's copy of a Tecalis identity-verification process. */
@Entity({ name: 'verification' })
export class VerificationEntity {
  /** The tenant the row belongs to; part of the key, so ids never cross tenants. */
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'auth_uuid', type: 'uuid' })
  authUuid!: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  @Column({ name: 'process_uuid', type: 'uuid', nullable: true })
  processUuid!: string | null;

  @Column({ type: 'text' })
  status!: VerificationStatus;

  /** Tecalis's own `status` as sent (an in-progress value is PENDING in `status`); null before migration 0008. */
  @Column({ name: 'provider_status', type: 'text', nullable: true })
  providerStatus!: string | null;

  @Column({ name: 'status_reasons', type: 'text', nullable: true })
  statusReasons!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'document_number', type: 'text', nullable: true })
  documentNumber!: string | null;

  @Column({ name: 'document_type', type: 'text', nullable: true })
  documentType!: string | null;

  @Column({ type: 'text', nullable: true })
  nationality!: string | null;

  @Column({ type: 'text', nullable: true })
  company!: string | null;

  @Column({ name: 'profile_alias', type: 'text', nullable: true })
  profileAlias!: string | null;

  @Column({ type: 'boolean', nullable: true })
  cleaned!: boolean | null;

  /** Tecalis's own timestamps. */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt!: Date | null;

  /** When the gateway last stored what Tecalis confirmed; null for a record adopted on first contact and not confirmed yet. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  syncedAt!: Date | null;
}
