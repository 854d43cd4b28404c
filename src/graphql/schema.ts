import 'reflect-metadata';
import { type GraphQLSchema, isUnionType, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { assertEveryOperationHasARole } from '../auth/operation-roles.js';
import { directFieldResolvers } from './direct-field-resolvers.js';
import { guardFields } from './field-guards.js';
import { ApiKeyResolver } from './resolvers/api-key.resolver.js';
import { ApplicationResolver } from './resolvers/application.resolver.js';
import { DispatchChangeResolver } from './resolvers/dispatch-change.resolver.js';
import { DispatchResolver } from './resolvers/dispatch.resolver.js';
import { LeadResolver } from './resolvers/lead.resolver.js';
import { LoanResolver } from './resolvers/loan.resolver.js';
import { StatusChangeResolver } from './resolvers/status-change.resolver.js';
import { VerificationCallbackResolver } from './resolvers/verification-callback.resolver.js';
import { VerificationResolver } from './resolvers/verification.resolver.js';
import { DateTimeISO } from './scalars.js';
import { type ProviderRecord, providerRecordTypeName } from './types/provider-record.type.js';

/** Builds the executable schema from the resolver classes; every root operation is role-checked. */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      LeadResolver,
      ApplicationResolver,
      VerificationResolver,
      VerificationCallbackResolver,
      LoanResolver,
      StatusChangeResolver,
      DispatchResolver,
      DispatchChangeResolver,
      ApiKeyResolver,
    ],
    scalarsMap: [{ type: Date, scalar: DateTimeISO }],
    // type-graphql insists on a pub/sub once a @Subscription exists; ours streams from
    // the status-change log through its own `subscribe`, so this one refuses any use.
    pubSub: {
      publish: () => {
        throw new Error('leadgraph publishes status changes through the status-change log, not a pub/sub');
      },
      subscribe: () => {
        throw new Error('leadgraph subscriptions read the status-change log, not a pub/sub');
      },
    },
    // Inputs are checked by the domain's own validators, which name the field at fault.
    validate: false,
  });
  assertEveryOperationHasARole(schema);
  // Synchronous, for graphql-jit (see providerRecordTypeName).
  const providerRecord = schema.getType('ProviderRecord');
  if (!isUnionType(providerRecord)) throw new Error('ProviderRecord is not in the schema');
  providerRecord.resolveType = (value) => providerRecordTypeName(value as ProviderRecord);
  // Field resolvers called directly, without type-graphql's per-call wrapper (see direct-field-resolvers.ts).
  directFieldResolvers(schema);
  // The role and argument checks, on the fields that need them (no global middlewares: see field-guards.ts).
  guardFields(schema);
  return schema;
}

/** The SDL committed as `schema.graphql`. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return (
    '# Generated from the resolvers in src/graphql by `npm run schema:emit`. Do not edit by hand.\n\n' +
    printSchema(schema) +
    '\n'
  );
}
