import { type GraphQLSchema } from 'graphql';
import { GatewayError } from '../domain/errors.js';
import { type Principal, type Role, roleAllows } from '../domain/roles.js';

/**
 * THE authorization table: the least role each root operation needs. Every root field
 * of the schema must have a row (checked at start-up: an operation without one
 * does not start, rather than being open by accident).
 */
export const OPERATION_ROLES: Readonly<Record<string, Role>> = {
  'Query.lead': 'viewer',
  'Query.leadByTecheaId': 'viewer',
  'Query.leads': 'viewer',
  'Query.application': 'viewer',
  'Query.verification': 'viewer',
  'Query.loan': 'viewer',
  'Query.statusChanges': 'viewer',
  'Query.statusHead': 'viewer',
  'Query.dispatch': 'viewer',
  'Query.apiKeys': 'admin',
  'Mutation.createLead': 'operator',
  'Mutation.reportLeadEvent': 'operator',
  'Mutation.updateApplication': 'operator',
  'Mutation.updateVerificationStatus': 'operator',
  'Mutation.issueVerificationCallback': 'operator',
  'Mutation.upsertLoan': 'operator',
  'Mutation.retryDispatch': 'admin',
  'Mutation.createApiKey': 'admin',
  'Mutation.revokeApiKey': 'admin',
  'Subscription.statusChanged': 'viewer',
  'Subscription.dispatchChanged': 'viewer',
};

/** Root fields of a schema as `Type.field`. */
export function rootOperations(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
    type === null || type === undefined ? [] : Object.keys(type.getFields()).map((field) => `${type.name}.${field}`),
  );
}

/** Fails the start when the table and the schema disagree. */
export function assertEveryOperationHasARole(schema: GraphQLSchema): void {
  const inSchema = rootOperations(schema);
  const missing = inSchema.filter((operation) => !(operation in OPERATION_ROLES));
  const stale = Object.keys(OPERATION_ROLES).filter((operation) => !inSchema.includes(operation));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      `OPERATION_ROLES is out of date: ${[
        ...missing.map((o) => `${o} has no role`),
        ...stale.map((o) => `${o} is not in the schema`),
      ].join('; ')}`,
    );
  }
}

/** Throws FORBIDDEN unless `principal` may run `operation` (`Type.field`). Default deny for an operation not in the table. */
export function assertAllowed(principal: Principal, operation: string): void {
  const required = OPERATION_ROLES[operation];
  if (required === undefined || !roleAllows(principal.role, required)) {
    throw new GatewayError('FORBIDDEN', `${operation} needs the ${required ?? 'unknown'} role; this credential has ${principal.role}.`);
  }
}
