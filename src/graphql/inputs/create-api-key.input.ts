import { Field, InputType } from 'type-graphql';
import { type Role } from '../../domain/roles.js';
import { ApiKeyRole } from '../types/api-key.type.js';

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => ApiKeyRole) role!: Role;
  @Field(() => String, { nullable: true, description: 'A note for people: who or what uses the key.' })
  label?: string | null;
}
