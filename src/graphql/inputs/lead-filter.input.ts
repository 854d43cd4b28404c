import { Field, InputType } from 'type-graphql';
import { LeadStage } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';

@InputType('LeadFilter')
export class LeadFilterInput {
  @Field(() => [LeadStage], { nullable: true, description: 'Leads in any of these stages.' })
  stages?: LeadStage[] | null;

  @Field(() => DateTimeISO, { nullable: true, description: 'Leads changed (themselves or a linked record) at or after this instant.' })
  updatedSince?: Date | null;
}
