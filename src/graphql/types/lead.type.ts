import { Field, ID, ObjectType } from 'type-graphql';
import { type LeadEntity } from '../../db/entities/index.js';
import { LeadEvent, LeadStage } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

/** GraphQL `Lead`; the linked records are field resolvers in `lead.resolver.ts`. */
@ObjectType('Lead', { ...PLAIN_FIELDS, description: "One prospective borrower's journey, joined across all providers." })
export class LeadObject {
  @Field(() => ID, { description: "The gateway's own id." })
  id!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The lead_id TECHEA assigned at submission (a UUID), when the lead came from TECHEA.',
  })
  techeaLeadId!: string | null;

  @Field(() => String, { nullable: true })
  advertiserRef!: string | null;

  @Field(() => ID, { nullable: true, description: 'The Decision Cloud customer whose loans belong to this lead.' })
  decisionCloudCustomerId!: string | null;

  @Field(() => LeadStage)
  stage!: LeadStage;

  @Field(() => LeadEvent, { nullable: true, description: 'The last event accepted by TECHEA for this lead.' })
  lastEvent!: LeadEvent | null;

  @Field(() => DateTimeISO)
  createdAt!: Date;

  @Field(() => DateTimeISO)
  updatedAt!: Date;

  /** Not in the schema: the page-order key, for cursors. */
  seq!: string;

  static from(entity: LeadEntity): LeadObject {
    return Object.assign(new LeadObject(), {
      id: entity.id,
      techeaLeadId: entity.techeaLeadId,
      advertiserRef: entity.advertiserRef,
      decisionCloudCustomerId: entity.decisionCloudCustomerId,
      stage: entity.stage,
      lastEvent: entity.lastEvent,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
      seq: entity.seq,
    });
  }
}
