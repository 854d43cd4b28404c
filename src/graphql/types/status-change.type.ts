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
  @Field(() => ID, { nullable: true, description: "A Decision Cloud change's customer (a loan id is unique per customer only); null otherwise." })
  customerId!: string | null;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String) to!: string;
  @Field(() => DateTimeISO) occurredAt!: Date;

  /** Not in the schema: the dispatch whose confirmed result made this change (`dispatch` resolves it). */
  dispatchId!: string | null;

  static from(e: StatusChangeEntity): StatusChangeObject {
    return Object.assign(new StatusChangeObject(), {
      id: e.id,
      // A RECORD change always has its lead (a CHECK constraint says so); only those are shown as StatusChange.
      leadId: e.leadId!,
      provider: e.provider,
      entityId: e.entityId,
      customerId: e.customerId,
      from: e.fromStatus,
      to: e.toStatus,
      occurredAt: e.occurredAt,
      dispatchId: e.dispatchId,
    });
  }
}
