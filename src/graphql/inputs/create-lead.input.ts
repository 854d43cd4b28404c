import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateLeadInput')
export class CreateLeadInput {
  @Field(() => ID, { nullable: true }) techeaLeadId?: string | null;
  @Field(() => String, { nullable: true }) advertiserRef?: string | null;
  @Field(() => ID, { nullable: true, description: 'Link an existing Lead Bank application.' })
  applicationId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Link an existing Tecalis process.' })
  verificationAuthUuid?: string | null;
  @Field(() => ID, { nullable: true, description: 'Link a Decision Cloud customer.' })
  decisionCloudCustomerId?: string | null;
}
