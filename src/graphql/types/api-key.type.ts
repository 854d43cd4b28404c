import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type ApiKeyEntity } from '../../db/entities/index.js';
import { type Role } from '../../domain/roles.js';
import { DateTimeISO } from '../scalars.js';
import { PLAIN_FIELDS } from './plain-fields.js';

/**
 * The roles as GraphQL names (`VIEWER`), apart from the stored ones (`viewer`). Like
 * every enum of the schema its values are its names: compiled operations write an
 * enum's value as it is (`compiled-operations.ts`).
 */
export enum ApiKeyRole {
  VIEWER = 'VIEWER',
  OPERATOR = 'OPERATOR',
  ADMIN = 'ADMIN',
}

/** The GraphQL name of a stored role. */
export function apiKeyRoleOf(role: Role): ApiKeyRole {
  switch (role) {
    case 'viewer':
      return ApiKeyRole.VIEWER;
    case 'operator':
      return ApiKeyRole.OPERATOR;
    case 'admin':
      return ApiKeyRole.ADMIN;
  }
}

/** The stored role a GraphQL name stands for. */
export function roleOf(role: ApiKeyRole): Role {
  switch (role) {
    case ApiKeyRole.VIEWER:
      return 'viewer';
    case ApiKeyRole.OPERATOR:
      return 'operator';
    case ApiKeyRole.ADMIN:
      return 'admin';
  }
}
registerEnumType(ApiKeyRole, {
  name: 'ApiKeyRole',
  description: 'What a key may do; each role includes the ones before it.',
  valuesConfig: {
    VIEWER: { description: 'Queries and subscriptions.' },
    OPERATOR: { description: 'Also createLead and the mutations that dispatch to providers.' },
    ADMIN: { description: 'Also retryDispatch and key management.' },
  },
});

@ObjectType('ApiKey', { ...PLAIN_FIELDS, description: "An API key of the caller's tenant. The key itself is shown only once, at creation." })
export class ApiKeyObject {
  @Field(() => ID) id!: string;
  @Field(() => ApiKeyRole) role!: ApiKeyRole;
  @Field(() => String, { description: 'The first characters of the key, to tell keys apart.' }) prefix!: string;
  @Field(() => String, { nullable: true }) label!: string | null;
  @Field(() => DateTimeISO) createdAt!: Date;
  @Field(() => DateTimeISO, { nullable: true }) revokedAt!: Date | null;
  @Field(() => DateTimeISO, { nullable: true, description: 'When the key stops working; null: never.' }) expiresAt!: Date | null;
  @Field(() => String, { description: 'Who created it: `api-key:<id>`, `jwt:<subject>`, `cli`, `startup`, or `unknown` for keys older than the record.' })
  createdBy!: string;

  static from(e: ApiKeyEntity): ApiKeyObject {
    return Object.assign(new ApiKeyObject(), {
      id: e.id,
      role: apiKeyRoleOf(e.role),
      prefix: e.keyPrefix,
      label: e.label,
      createdAt: e.createdAt,
      revokedAt: e.revokedAt,
      expiresAt: e.expiresAt,
      createdBy: e.createdBy,
    });
  }
}

@ObjectType('CreateApiKeyPayload', PLAIN_FIELDS)
export class CreateApiKeyPayload {
  @Field(() => ApiKeyObject) apiKey!: ApiKeyObject;
  @Field(() => String, { description: 'The key. Store it now: it is never shown again.' }) key!: string;
}
