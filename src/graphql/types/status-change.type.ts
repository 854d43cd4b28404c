import { Field, ID, ObjectType } from 'type-graphql';
import { type StatusChangeEntity } from '../../db/entities/index.js';
import { Provider } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';

@ObjectType('StatusChange', { description: 'One change of a status, from any provider. Ids grow in commit order.' })
export class StatusChangeObject {
  @Field(() => ID) id!: string;
  @Field(() => ID) leadId!: string;
  @Field(() => Provider) provider!: Provider;
  @Field(() => ID, {
    description:
      'The provider-side id of the record that changed (TECHEA lead id, application id, auth uuid, loan id).',
  })
  entityId!: string;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String) to!: string;
  @Field(() => DateTimeISO) occurredAt!: Date;

  static from(e: StatusChangeEntity): StatusChangeObject {
    return Object.assign(new StatusChangeObject(), {
      id: e.id,
      leadId: e.leadId,
      provider: e.provider,
      entityId: e.entityId,
      from: e.fromStatus,
      to: e.toStatus,
      occurredAt: e.occurredAt,
    });
  }
}
