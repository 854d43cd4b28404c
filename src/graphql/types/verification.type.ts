import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { type VerificationEntity, type VerificationOperationEntity } from '../../db/entities/index.js';
import {
  VerificationOperationState,
  VerificationOperationType,
  VerificationStatus,
} from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('VerificationOperation', PLAIN_FIELDS)
export class VerificationOperationObject {
  @Field(() => VerificationOperationType, { description: 'UNKNOWN for a type Tecalis sent that the gateway does not know: see providerType.' })
  type!: VerificationOperationType;
  @Field(() => String, { nullable: true, description: "Tecalis's own `type`, as sent (null for operations stored before the gateway kept it)." })
  providerType!: string | null;
  @Field(() => ID) operationId!: string;
  @Field(() => VerificationOperationState, { description: 'UNKNOWN for a state Tecalis sent that the gateway does not know: see providerState.' })
  state!: VerificationOperationState;
  @Field(() => String, { nullable: true, description: "Tecalis's own `state`, as sent (null for operations stored before the gateway kept it)." })
  providerState!: string | null;
  @Field(() => Int, { description: 'Seconds spent in the operation, rounded to whole seconds; totalTimeSeconds has the fraction.' })
  totalTime!: number;
  @Field(() => Float, { description: 'Seconds spent in the operation, as Tecalis reports them (fractions included).' })
  totalTimeSeconds!: number;

  static from(e: VerificationOperationEntity): VerificationOperationObject {
    return Object.assign(new VerificationOperationObject(), {
      type: e.type,
      providerType: e.providerType,
      operationId: e.operationId,
      state: e.state,
      providerState: e.providerState,
      totalTime: Math.round(e.totalTime),
      totalTimeSeconds: e.totalTime,
    });
  }
}

/** GraphQL `Verification`; `operations` and `lead` are field resolvers in `verification.resolver.ts`. */
@ObjectType('Verification', { ...PLAIN_FIELDS, description: 'A Tecalis identity-verification process.' })
export class VerificationObject {
  @Field(() => ID, { description: 'Unique among verifications: the auth uuid. For client caches.' })
  get id(): string {
    return this.authUuid;
  }
  @Field(() => ID) authUuid!: string;
  @Field(() => ID, { nullable: true }) processUuid!: string | null;
  @Field(() => VerificationStatus, { description: 'PENDING until Tecalis reports a final state; providerStatus has its own word for a process in progress.' })
  status!: VerificationStatus;
  @Field(() => String, { nullable: true, description: "Tecalis's own `status`, as sent (null before the gateway kept it)." })
  providerStatus!: string | null;
  @Field(() => String, { nullable: true }) statusReasons!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) documentNumber!: string | null;
  @Field(() => String, { nullable: true }) documentType!: string | null;
  @Field(() => String, { nullable: true }) nationality!: string | null;
  @Field(() => String, { nullable: true }) company!: string | null;
  @Field(() => String, { nullable: true }) profileAlias!: string | null;
  @Field(() => Boolean, { nullable: true }) cleaned!: boolean | null;
  @Field(() => DateTimeISO, { nullable: true }) createdAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) updatedAt!: Date | null;
  @Field(() => DateTimeISO, {
    nullable: true,
    description:
      'When the gateway last stored what Tecalis confirmed of this record. Null for a record adopted on first contact (a mutation named it before Tecalis ever confirmed it): its other fields are then empty or placeholders, and it does not count towards the lead\'s stage.',
  })
  syncedAt!: Date | null;

  /** Not in the schema. */
  leadId!: string | null;

  static from(e: VerificationEntity): VerificationObject {
    return Object.assign(new VerificationObject(), {
      authUuid: e.authUuid,
      processUuid: e.processUuid,
      status: e.status,
      providerStatus: e.providerStatus,
      statusReasons: e.statusReasons,
      name: e.name,
      documentNumber: e.documentNumber,
      documentType: e.documentType,
      nationality: e.nationality,
      company: e.company,
      profileAlias: e.profileAlias,
      cleaned: e.cleaned,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      syncedAt: e.syncedAt,
      leadId: e.leadId,
    });
  }
}
