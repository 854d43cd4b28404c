import { Field, InputType } from 'type-graphql';
import { DateTimeISO } from '../scalars.js';
import { ApiKeyRole } from '../types/api-key.type.js';

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => ApiKeyRole) role!: ApiKeyRole;
  @Field(() => String, { nullable: true, description: 'A note for people: who or what uses the key.' })
  label?: string | null;
  @Field(() => DateTimeISO, {
    nullable: true,
    description: 'When the key stops working. Absent: never, except for a key created with a JWT, which expires within API_KEY_FROM_JWT_MAX_DAYS.',
  })
  expiresAt?: Date | null;
}
