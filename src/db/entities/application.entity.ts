import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type ApplicationEntitiesRecord } from '../../domain/records.js';
import { ApplicationStatus } from '../../domain/vocabulary.js';
import { bigintAsNumber } from '../transformers.js';

/** The gateway's copy of a Lead Bank credit application, as Lead Bank last confirmed it. */
@Entity({ name: 'application' })
export class ApplicationEntity {
  /** The tenant the row belongs to; part of the key, so ids never cross tenants. */
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** Lead Bank's id, `application_…`. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  /** Null until Lead Bank reports a terminal state. */
  @Column({ type: 'text', nullable: true })
  status!: ApplicationStatus | null;

  @Column({ name: 'product_name', type: 'text', nullable: true })
  productName!: string | null;

  @Column({ name: 'credit_is_secured', type: 'boolean', nullable: true })
  creditIsSecured!: boolean | null;

  @Column({ name: 'credit_is_mla', type: 'boolean', nullable: true })
  creditIsMla!: boolean | null;

  @Column({ name: 'credit_currency', type: 'text', nullable: true })
  creditCurrency!: string | null;

  @Column({ name: 'credit_underwriting_grade', type: 'text', nullable: true })
  creditUnderwritingGrade!: string | null;

  /** Credit limit in minor units (cents), as Lead Bank reports it. */
  @Column({ name: 'credit_limit_cents', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  creditLimitCents!: number | null;

  @Column({ name: 'credit_max_limit_cents', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  creditMaxLimitCents!: number | null;

  @Column({ name: 'credit_score', type: 'integer', nullable: true })
  creditScore!: number | null;

  @Column({ name: 'credit_score_pulled_at', type: 'timestamptz', nullable: true })
  creditScorePulledAt!: Date | null;

  @Column({ name: 'credit_score_source', type: 'text', nullable: true })
  creditScoreSource!: string | null;

  @Column({ name: 'aan_delivered_at', type: 'timestamptz', nullable: true })
  aanDeliveredAt!: Date | null;

  @Column({ name: 'aan_reason', type: 'text', nullable: true })
  aanReason!: string | null;

  @Column({ name: 'aan_delivery_method', type: 'text', nullable: true })
  aanDeliveryMethod!: string | null;

  @Column({ name: 'decision_decided_at', type: 'timestamptz', nullable: true })
  decisionDecidedAt!: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ name: 'decision_exception_approval_reason', type: 'text', nullable: true })
  decisionExceptionApprovalReason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  /** Lead Bank's `status` as its last answer carried it (migration 0011); null when none. */
  @Column({ name: 'provider_status', type: 'text', nullable: true })
  providerStatus!: string | null;

  /** Lead Bank's entity relationships, in the unified shape; null before migration 0009 or when Lead Bank sent none. */
  @Column({ type: 'jsonb', nullable: true })
  entities!: ApplicationEntitiesRecord | null;

  /** Lead Bank's own timestamps. */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', nullable: true })
  updatedAt!: Date | null;

  /** When the gateway last stored what Lead Bank confirmed; null for a record adopted on first contact and not confirmed yet. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  syncedAt!: Date | null;
}
