import { Field, ID, InputType } from 'type-graphql';
import { VerificationState } from '../../domain/vocabulary.js';
import '../enums.js';

@InputType('UpdateVerificationStatusInput')
export class UpdateVerificationStatusInput {
  @Field(() => ID) authUuid!: string;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
  @Field(() => VerificationState) state!: VerificationState;
  @Field(() => String, { nullable: true, description: 'Absent: the stored reasons stay as they are. Present (even empty): replaced.' })
  reasons?: string | null;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}
