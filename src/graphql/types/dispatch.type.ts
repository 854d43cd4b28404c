import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type DispatchEntity } from '../../db/entities/index.js';
import { DispatchState, Provider } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('ProviderError', PLAIN_FIELDS)
export class ProviderErrorObject {
  @Field(() => String, { description: 'Stable code, e.g. REJECTED, UNAUTHORIZED, NOT_FOUND, UNAVAILABLE, TIMEOUT.' })
  code!: string;
  @Field(() => Int, { nullable: true, description: "The provider's HTTP status, when it answered." })
  httpStatus!: number | null;
  @Field(() => String, { description: "The provider's own message, secrets removed." })
  message!: string;
}

@ObjectType('Dispatch', { ...PLAIN_FIELDS, description: 'One call to one provider, kept until it succeeds or fails for good.' })
export class DispatchObject {
  @Field(() => ID) id!: string;
  @Field(() => Provider) provider!: Provider;
  @Field(() => String) operation!: string;
  @Field(() => DispatchState) state!: DispatchState;
  @Field(() => Int) attempts!: number;
  @Field(() => String) idempotencyKey!: string;
  @Field(() => ProviderErrorObject, { nullable: true }) lastError!: ProviderErrorObject | null;
  @Field(() => DateTimeISO) createdAt!: Date;
  @Field(() => DateTimeISO) updatedAt!: Date;

  static from(e: DispatchEntity): DispatchObject {
    return Object.assign(new DispatchObject(), {
      id: e.id,
      provider: e.provider,
      operation: e.operation,
      state: e.state,
      attempts: e.attempts,
      idempotencyKey: e.idempotencyKey,
      lastError: e.lastError === null ? null : Object.assign(new ProviderErrorObject(), e.lastError),
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}
