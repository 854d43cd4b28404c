import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { type ApplicationDocumentEntity, type ApplicationEntity } from '../../db/entities/index.js';
import { ApplicationDocumentType, ApplicationStatus } from '../../domain/vocabulary.js';
import { documentKindOf } from '../../providers/index.js';
import '../enums.js';
import { DateTimeISO, JSONObject } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('Credit', PLAIN_FIELDS)
export class CreditObject {
  @Field(() => Boolean, { nullable: true }) isSecured!: boolean | null;
  @Field(() => Boolean, { nullable: true }) isMla!: boolean | null;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => String, { nullable: true }) underwritingGrade!: string | null;
  @Field(() => Float, { nullable: true, description: 'In minor units (cents), as Lead Bank reports it.' })
  limit!: number | null;
  @Field(() => Float, { nullable: true, description: 'In minor units (cents), as Lead Bank reports it.' })
  maxLimit!: number | null;
  @Field(() => Int, { nullable: true }) score!: number | null;
  @Field(() => DateTimeISO, { nullable: true }) scorePulledAt!: Date | null;
  @Field(() => String, { nullable: true }) scoreSource!: string | null;
}

@ObjectType('AdverseActionNotice', PLAIN_FIELDS)
export class AdverseActionNoticeObject {
  @Field(() => DateTimeISO, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) deliveryMethod!: string | null;
}

@ObjectType('ApplicationDecision', PLAIN_FIELDS)
export class ApplicationDecisionObject {
  @Field(() => DateTimeISO, { nullable: true }) decidedAt!: Date | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) exceptionApprovalReason!: string | null;
}

@ObjectType('ApplicationDocument', PLAIN_FIELDS)
export class ApplicationDocumentObject {
  @Field(() => ID, { nullable: true }) documentId!: string | null;
  @Field(() => String, { description: "Lead Bank's type, as sent (e.g. offer_summary)." }) type!: string;
  @Field(() => ApplicationDocumentType, { description: 'The type as one of the kinds Lead Bank lists; UNKNOWN for any other (see type).' })
  kind!: ApplicationDocumentType;
  @Field(() => DateTimeISO, { nullable: true }) displayedAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) consentedAt!: Date | null;
  @Field(() => String, { nullable: true }) version!: string | null;

  static from(entity: ApplicationDocumentEntity): ApplicationDocumentObject {
    return Object.assign(new ApplicationDocumentObject(), {
      documentId: entity.documentId,
      type: entity.type,
      kind: documentKindOf(entity.type),
      displayedAt: entity.displayedAt,
      consentedAt: entity.consentedAt,
      version: entity.version,
    });
  }
}

@ObjectType('ApplicationEntities', { ...PLAIN_FIELDS, description: "Who holds and may sign for the account the application opens, as Lead Bank's entity ids (read-only at Lead Bank)." })
export class ApplicationEntitiesObject {
  @Field(() => String, { nullable: true, description: 'e.g. consumer, commercial.' }) accountHolderType!: string | null;
  @Field(() => [String]) accountHolders!: string[];
  @Field(() => [String]) authorizedSigners!: string[];
}

/** GraphQL `Application`; `documents` and `lead` are field resolvers in `application.resolver.ts`. */
@ObjectType('Application', { ...PLAIN_FIELDS, description: 'A Lead Bank credit application.' })
export class ApplicationObject {
  @Field(() => ID, { description: "Lead Bank's id, matching ^application_\\w+$." })
  id!: string;

  @Field(() => ApplicationStatus, { nullable: true, description: 'Null until the application reaches a terminal state.' })
  status!: ApplicationStatus | null;
  @Field(() => String, { nullable: true, description: "Lead Bank's own status as its last answer carried it (a value the gateway does not know is kept here, while status keeps the last one it knows)." })
  providerStatus!: string | null;

  @Field(() => String, { nullable: true }) productName!: string | null;
  @Field(() => CreditObject, { nullable: true }) credit!: CreditObject | null;
  @Field(() => AdverseActionNoticeObject, { nullable: true }) adverseActionNotice!: AdverseActionNoticeObject | null;
  @Field(() => ApplicationDecisionObject, { nullable: true }) decision!: ApplicationDecisionObject | null;
  @Field(() => JSONObject, { nullable: true }) metadata!: Record<string, unknown> | null;
  @Field(() => ApplicationEntitiesObject, { nullable: true, description: 'Null until Lead Bank reports them.' })
  entities!: ApplicationEntitiesObject | null;
  @Field(() => DateTimeISO, { nullable: true }) createdAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true }) updatedAt!: Date | null;
  @Field(() => DateTimeISO, {
    nullable: true,
    description:
      'When the gateway last stored what Lead Bank confirmed of this record. Null for a record adopted on first contact (a mutation named it before Lead Bank ever confirmed it): its other fields are then empty or placeholders, and it does not count towards the lead\'s stage.',
  })
  syncedAt!: Date | null;

  /** Not in the schema: the linked lead, resolved through a loader. */
  leadId!: string | null;

  static from(e: ApplicationEntity): ApplicationObject {
    return Object.assign(new ApplicationObject(), {
      id: e.id,
      status: e.status,
      productName: e.productName,
      credit: presentOrNull<CreditObject>({
        isSecured: e.creditIsSecured,
        isMla: e.creditIsMla,
        currency: e.creditCurrency,
        underwritingGrade: e.creditUnderwritingGrade,
        limit: e.creditLimitCents,
        maxLimit: e.creditMaxLimitCents,
        score: e.creditScore,
        scorePulledAt: e.creditScorePulledAt,
        scoreSource: e.creditScoreSource,
      }),
      adverseActionNotice: presentOrNull<AdverseActionNoticeObject>({
        deliveredAt: e.aanDeliveredAt,
        reason: e.aanReason,
        deliveryMethod: e.aanDeliveryMethod,
      }),
      decision: presentOrNull<ApplicationDecisionObject>({
        decidedAt: e.decisionDecidedAt,
        reason: e.decisionReason,
        exceptionApprovalReason: e.decisionExceptionApprovalReason,
      }),
      providerStatus: e.providerStatus ?? null,
      metadata: e.metadata,
      entities:
        e.entities === null
          ? null
          : Object.assign(new ApplicationEntitiesObject(), {
              accountHolderType: e.entities.accountHolderType,
              accountHolders: [...e.entities.accountHolders],
              authorizedSigners: [...e.entities.authorizedSigners],
            }),
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      syncedAt: e.syncedAt,
      leadId: e.leadId,
    });
  }
}

/** A nested object whose every field is null was never reported: answer null, as the provider would. */
function presentOrNull<T extends object>(fields: { [K in keyof T]: T[K] }): T | null {
  return Object.values(fields).some((v) => v !== null && v !== undefined) ? fields : null;
}
