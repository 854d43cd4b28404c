import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type CommandLike, DEFAULT_REGISTRY, PROVIDER_ERROR_CODES, type ProviderErrorCode } from '../../providers/index.js';
import { type RecordReference } from '../record-links.js';
import { type DispatchEntity, type StatusChangeEntity } from '../../db/entities/index.js';
import { DispatchState, Provider } from '../../domain/vocabulary.js';
import '../enums.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

/**
 * The provider error codes as a GraphQL enum, so a client can switch on them (`code`
 * stays a String for the contract): made from the one list, with UNKNOWN for a code a
 * version with other codes stored.
 */
const ProviderErrorCodeValue = Object.fromEntries([...PROVIDER_ERROR_CODES, 'UNKNOWN'].map((code) => [code, code])) as Record<
  ProviderErrorCode | 'UNKNOWN',
  ProviderErrorCode | 'UNKNOWN'
>;
registerEnumType(ProviderErrorCodeValue, {
  name: 'ProviderErrorCode',
  description: 'What happened upstream, in neutral terms: the same codes as ProviderError.code.',
  valuesConfig: {
    REJECTED: { description: 'The provider understood the request and refused it: sending it again will not help.' },
    UNAUTHORIZED: { description: "The gateway's credentials were refused." },
    NOT_FOUND: { description: 'The record does not exist at the provider.' },
    CONFLICT: { description: 'The provider was busy with the same request.' },
    RATE_LIMITED: { description: 'The provider asked to slow down.' },
    UNAVAILABLE: { description: 'The provider failed or could not be reached.' },
    TIMEOUT: { description: 'No answer in time.' },
    INVALID_RESPONSE: { description: 'The provider answered something its contract does not allow.' },
    UNKNOWN: { description: 'A code this version does not know; see code.' },
  },
});

const ERROR_CODES: ReadonlySet<string> = new Set(PROVIDER_ERROR_CODES);
@ObjectType('ProviderError', PLAIN_FIELDS)
export class ProviderErrorObject {
  @Field(() => String, { description: 'Stable code, e.g. REJECTED, UNAUTHORIZED, NOT_FOUND, UNAVAILABLE, TIMEOUT (errorCode is the same as an enum).' })
  code!: string;
  @Field(() => ProviderErrorCodeValue, { description: 'code, as an enum a client can switch on.' })
  get errorCode(): ProviderErrorCode | 'UNKNOWN' {
    return ERROR_CODES.has(this.code) ? (this.code as ProviderErrorCode) : 'UNKNOWN';
  }
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
  @Field(() => ID, { nullable: true, description: 'The lead the dispatch is for, when a lead holds its record.' })
  leadId!: string | null;

  /** Not in the schema: what was sent, which names the record (`record` resolves it). */
  payload!: Record<string, unknown>;

  /** Which record the dispatch is about; null for a payload that is no command this version knows. */
  get reference(): RecordReference | null {
    const command = this.payload as unknown as CommandLike;
    if (!DEFAULT_REGISTRY.takes(String(command.operation))) return null;
    const record = DEFAULT_REGISTRY.recordOf(command);
    return { provider: this.provider, leadId: this.leadId, entityId: record.entityId, customerId: record.customerId };
  }

  static from(e: DispatchEntity): DispatchObject {
    return Object.assign(new DispatchObject(), {
      leadId: e.leadId,
      payload: e.payload,
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

@ObjectType('DispatchChange', {
  ...PLAIN_FIELDS,
  description:
    'A dispatch moving: to SUCCEEDED or FAILED (its end), or back to PENDING (retryDispatch). Ids are those of the\nstatus-change log: ordered, resumable with `after`, as statusChanged.',
})
export class DispatchChangeObject {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'The lead of the dispatch, when a lead holds its record.' }) leadId!: string | null;
  @Field(() => Provider) provider!: Provider;
  @Field(() => ID, { description: "The provider-side id of the record the dispatch is about." }) entityId!: string;
  @Field(() => ID, { nullable: true, description: "A Decision Cloud dispatch's customer." }) customerId!: string | null;
  @Field(() => DispatchState) from!: DispatchState;
  @Field(() => DispatchState) to!: DispatchState;
  @Field(() => DateTimeISO) occurredAt!: Date;

  /** Not in the schema: `dispatch` resolves it, as it is now. */
  dispatchId!: string;

  static from(e: StatusChangeEntity): DispatchChangeObject {
    return Object.assign(new DispatchChangeObject(), {
      id: e.id,
      leadId: e.leadId,
      provider: e.provider,
      entityId: e.entityId,
      customerId: e.customerId,
      from: e.fromStatus as DispatchState,
      to: e.toStatus as DispatchState,
      occurredAt: e.occurredAt,
      // A DISPATCH row always names its dispatch.
      dispatchId: e.dispatchId!,
    });
  }
}
