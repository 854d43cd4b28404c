import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type LoanEntity } from '../../db/entities/index.js';
import { LoanApplicationType, LoanStatus, LoanType } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { loanKey } from '../loaders.js';
import { PLAIN_FIELDS } from './plain-fields.js';

/** GraphQL `Loan`; `lead` is a field resolver in `loan.resolver.ts`. */
@ObjectType('Loan', { ...PLAIN_FIELDS, description: 'A loan as reported to Decision Cloud. Amounts are integer cents.' })
export class LoanObject {
  @Field(() => ID, { description: 'Unique among loans: `<customerId>:<loanId>` (a loan id is unique per customer only). For client caches.' })
  get id(): string {
    return loanKey(this.customerId, this.loanId);
  }
  @Field(() => ID) customerId!: string;
  @Field(() => ID) loanId!: string;
  @Field(() => Int, { nullable: true, description: "Decision Cloud's own lead id (an integer), not the gateway's." })
  decisionCloudLeadId!: number | null;
  @Field(() => Int, { nullable: true }) managementSystemId!: number | null;
  @Field(() => LoanApplicationType, { nullable: true }) applicationType!: LoanApplicationType | null;
  @Field(() => LoanType, { nullable: true }) loanType!: LoanType | null;
  @Field(() => LoanStatus, { nullable: true }) loanStatus!: LoanStatus | null;
  @Field(() => String, { nullable: true, description: "Decision Cloud's application_type as its last answer carried it (e.g. a value the gateway does not know; applicationType then keeps the value sent)." })
  providerApplicationType!: string | null;
  @Field(() => String, { nullable: true, description: "Decision Cloud's loan_type as its last answer carried it." })
  providerLoanType!: string | null;
  @Field(() => String, { nullable: true, description: "Decision Cloud's loan_status as its last answer carried it (e.g. Charged Off, which loanStatus cannot name)." })
  providerLoanStatus!: string | null;
  @Field(() => Int) loanAmountCents!: number;
  @Field(() => Int, { nullable: true }) fundedAmountCents!: number | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) firstPaymentDate!: string | null;
  @Field(() => DateTimeISO) appliedAt!: Date;
  @Field(() => DateTimeISO, { nullable: true }) esignedAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) withdrawnAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) originatedAt!: Date | null;

  /** Not in the schema. */
  leadId!: string | null;

  static from(e: LoanEntity): LoanObject {
    return Object.assign(new LoanObject(), {
      customerId: e.customerId,
      loanId: e.loanId,
      decisionCloudLeadId: e.decisionCloudLeadId,
      managementSystemId: e.managementSystemId,
      applicationType: e.applicationType,
      loanType: e.loanType,
      loanStatus: e.loanStatus,
      providerApplicationType: e.providerApplicationType ?? null,
      providerLoanType: e.providerLoanType ?? null,
      providerLoanStatus: e.providerLoanStatus ?? null,
      loanAmountCents: e.loanAmountCents,
      fundedAmountCents: e.fundedAmountCents,
      firstPaymentDate: e.firstPaymentDate,
      appliedAt: e.appliedAt,
      esignedAt: e.esignedAt,
      withdrawnAt: e.withdrawnAt,
      originatedAt: e.originatedAt,
      leadId: e.leadId,
    });
  }
}
