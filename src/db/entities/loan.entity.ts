import { Column, Entity, PrimaryColumn } from 'typeorm';
import { LoanApplicationType, LoanStatus, LoanType } from '../../domain/vocabulary.js';
import { bigintAsNumber } from '../transformers.js';

/** The gateway's copy of a loan reported to Decision Cloud, keyed as Decision Cloud keys it. */
@Entity({ name: 'loan' })
export class LoanEntity {
  /** The tenant the row belongs to; part of the key, so ids never cross tenants. */
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @PrimaryColumn({ name: 'loan_id', type: 'text' })
  loanId!: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  @Column({ name: 'decision_cloud_lead_id', type: 'integer', nullable: true })
  decisionCloudLeadId!: number | null;

  @Column({ name: 'management_system_id', type: 'integer', nullable: true })
  managementSystemId!: number | null;

  @Column({ name: 'application_type', type: 'text', nullable: true })
  applicationType!: LoanApplicationType | null;

  @Column({ name: 'loan_type', type: 'text', nullable: true })
  loanType!: LoanType | null;

  @Column({ name: 'loan_status', type: 'text', nullable: true })
  loanStatus!: LoanStatus | null;

  /** Decision Cloud's spellings as its last answer carried them (migration 0010); null when it carried none. */
  @Column({ name: 'provider_application_type', type: 'text', nullable: true })
  providerApplicationType!: string | null;

  @Column({ name: 'provider_loan_type', type: 'text', nullable: true })
  providerLoanType!: string | null;

  @Column({ name: 'provider_loan_status', type: 'text', nullable: true })
  providerLoanStatus!: string | null;

  @Column({ name: 'loan_amount_cents', type: 'bigint', transformer: bigintAsNumber })
  loanAmountCents!: number;

  @Column({ name: 'funded_amount_cents', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  fundedAmountCents!: number | null;

  /** A calendar date, `YYYY-MM-DD`; kept as text so no time zone can shift it. */
  @Column({ name: 'first_payment_date', type: 'date', nullable: true })
  firstPaymentDate!: string | null;

  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;

  @Column({ name: 'esigned_at', type: 'timestamptz', nullable: true })
  esignedAt!: Date | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'originated_at', type: 'timestamptz', nullable: true })
  originatedAt!: Date | null;

  @Column({ name: 'synced_at', type: 'timestamptz', default: () => 'now()' })
  syncedAt!: Date;
}
