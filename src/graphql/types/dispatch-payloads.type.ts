import { Field, ObjectType } from 'type-graphql';
import { LeadEventOutcome } from '../../domain/vocabulary.js';
import '../enums.js';
import { ApplicationObject } from './application.type.js';
import { DispatchObject } from './dispatch.type.js';
import { LeadObject } from './lead.type.js';
import { LoanObject } from './loan.type.js';
import { VerificationObject } from './verification.type.js';
import { PLAIN_FIELDS } from './plain-fields.js';

// What each dispatching mutation answers: the record as the gateway now holds it
// (only what the provider confirmed) and the dispatch that carries the change.

@ObjectType('ReportLeadEventPayload', PLAIN_FIELDS)
export class ReportLeadEventPayload {
  @Field(() => LeadObject) lead!: LeadObject;
  @Field(() => DispatchObject) dispatch!: DispatchObject;
  @Field(() => LeadEventOutcome, { nullable: true, description: 'Null while the dispatch is pending or failed, or when TECHEA answered a status the gateway does not know (see providerStatus).' })
  outcome!: LeadEventOutcome | null;
  @Field(() => String, { nullable: true, description: "TECHEA's own `status` in its answer (received, ignored, or a value the gateway does not know); null when none." })
  providerStatus!: string | null;
}

@ObjectType('UpdateApplicationPayload', PLAIN_FIELDS)
export class UpdateApplicationPayload {
  @Field(() => ApplicationObject) application!: ApplicationObject;
  @Field(() => DispatchObject) dispatch!: DispatchObject;
}

@ObjectType('UpdateVerificationStatusPayload', PLAIN_FIELDS)
export class UpdateVerificationStatusPayload {
  @Field(() => VerificationObject) verification!: VerificationObject;
  @Field(() => DispatchObject) dispatch!: DispatchObject;
}

@ObjectType('UpsertLoanPayload', PLAIN_FIELDS)
export class UpsertLoanPayload {
  @Field(() => LoanObject, {
    description:
      "The loan as the gateway holds it. While the dispatch is not SUCCEEDED, a loan Decision Cloud has not confirmed yet is shown as requested (it is not stored): check dispatch.state.",
  })
  loan!: LoanObject;
  @Field(() => DispatchObject) dispatch!: DispatchObject;
}
