import { Field, Float, ID, InputType } from 'type-graphql';
import { ApplicationStatus } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO, JSONObject } from '../scalars.js';

@InputType('CreditInput', { description: 'A merge patch of the credit details: an absent field is left as it is, null clears it at Lead Bank.' })
export class CreditInput {
  @Field(() => Boolean, { nullable: true }) isSecured?: boolean | null;
  @Field(() => Boolean, { nullable: true }) isMla?: boolean | null;
  @Field(() => String, { nullable: true }) currency?: string | null;
  @Field(() => String, { nullable: true }) underwritingGrade?: string | null;
  @Field(() => Float, { nullable: true, description: 'In minor units (cents): a whole number.' }) limit?: number | null;
  @Field(() => Float, { nullable: true, description: 'In minor units (cents): a whole number.' }) maxLimit?: number | null;
}

@InputType('AdverseActionNoticeInput')
export class AdverseActionNoticeInput {
  @Field(() => DateTimeISO) deliveredAt!: Date;
  @Field(() => String) reason!: string;
  @Field(() => String, { description: 'email, text or other.' }) deliveryMethod!: string;
}

@InputType('ApplicationDecisionInput', { description: 'A merge patch of the decision: an absent field is left as it is, null clears it at Lead Bank.' })
export class ApplicationDecisionInput {
  @Field(() => DateTimeISO, { nullable: true }) decidedAt?: Date | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => String, { nullable: true }) exceptionApprovalReason?: string | null;
}

@InputType('ApplicationDocumentInput')
export class ApplicationDocumentInput {
  @Field(() => ID, { nullable: true }) documentId?: string | null;
  @Field(() => String) type!: string;
  @Field(() => DateTimeISO, { nullable: true }) displayedAt?: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) consentedAt?: Date | null;
  @Field(() => String, { nullable: true }) version?: string | null;
}

@InputType('UpdateApplicationInput')
export class UpdateApplicationInput {
  @Field(() => ID) applicationId!: string;
  @Field(() => ID, { nullable: true, description: 'Links the application to this lead when it is not linked yet.' })
  leadId?: string | null;
  @Field(() => ApplicationStatus, { nullable: true }) status?: ApplicationStatus | null;
  @Field(() => String, { nullable: true, description: 'Absent: left as it is. Null: cleared at Lead Bank.' }) productName?: string | null;
  @Field(() => CreditInput, { nullable: true, description: 'Absent: left as it is. Null: all credit details cleared at Lead Bank.' })
  credit?: CreditInput | null;
  @Field(() => AdverseActionNoticeInput, {
    nullable: true,
    description: 'Absent: left as it is. Null: the notice is cleared at Lead Bank (refused with status DECLINED).',
  })
  adverseActionNotice?: AdverseActionNoticeInput | null;
  @Field(() => ApplicationDecisionInput, { nullable: true, description: 'Null is read as absent (Lead Bank cannot clear the whole decision; clear its fields).' })
  decision?: ApplicationDecisionInput | null;
  @Field(() => [ApplicationDocumentInput], { nullable: true, description: 'Replaces the whole list.' })
  documents?: ApplicationDocumentInput[] | null;
  @Field(() => JSONObject, { nullable: true, description: 'Replaces the whole object.' }) metadata?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}
