import { Field, ID, InputType } from 'type-graphql';
import { LeadEvent } from '../../domain/vocabulary.js';
import '../enums.js';
import { JSONObject } from '../scalars.js';

@InputType('ReportLeadEventInput')
export class ReportLeadEventInput {
  @Field(() => ID) leadId!: string;
  @Field(() => LeadEvent) event!: LeadEvent;
  @Field(() => String, { nullable: true }) advertiserRef?: string | null;
  @Field(() => JSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true, description: 'Same key and same input: the first result is returned, nothing is sent twice.' })
  idempotencyKey?: string | null;
}
