import { Field, ID, ObjectType } from 'type-graphql';
import { type StatusChangeEntity } from '../../db/entities/index.js';
import { Provider } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('StatusChange', { ...PLAIN_FIELDS, description: 'One change of a status, from any provider. Ids grow in commit order.' })
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

  /** Set field by field: a replay makes 100,000 of these. */
  static from(e: StatusChangeEntity): StatusChangeObject {
    const change = new StatusChangeObject();
    change.id = e.id;
    // A RECORD change always has its lead (a CHECK constraint says so); only those are shown as StatusChange.
    change.leadId = e.leadId!;
    change.provider = e.provider as Provider;
    change.entityId = e.entityId;
    change.customerId = e.customerId;
    change.from = e.fromStatus;
    change.to = e.toStatus;
    change.occurredAt = e.occurredAt;
    change.dispatchId = e.dispatchId;
    return change;
  }
}
