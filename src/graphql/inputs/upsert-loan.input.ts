import { Field, ID, InputType, Int } from 'type-graphql';
import { LoanApplicationType, LoanStatus, LoanType } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';

@InputType('UpsertLoanInput')
export class UpsertLoanInput {
  @Field(() => ID) customerId!: string;
  @Field(() => ID) loanId!: string;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
  @Field(() => Int, { nullable: true }) decisionCloudLeadId?: number | null;
  @Field(() => Int, { nullable: true }) managementSystemId?: number | null;
  @Field(() => LoanApplicationType, { nullable: true }) applicationType?: LoanApplicationType | null;
  @Field(() => LoanType, { nullable: true }) loanType?: LoanType | null;
  @Field(() => LoanStatus, { nullable: true }) loanStatus?: LoanStatus | null;
  @Field(() => Int) loanAmountCents!: number;
  @Field(() => Int, { nullable: true }) fundedAmountCents?: number | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) firstPaymentDate?: string | null;
  @Field(() => DateTimeISO) appliedAt!: Date;
  @Field(() => DateTimeISO, { nullable: true }) esignedAt?: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) withdrawnAt?: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) originatedAt?: Date | null;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}
