import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

/**
 * Below the root types, a field without arguments has a resolver only when it is a
 * `@FieldResolver`: every other one is a plain property that graphql-js (and
 * graphql-jit, which then reads it inline) resolves itself. An object type declared
 * without `PLAIN_FIELDS` (`graphql/types/plain-fields.ts`) gets type-graphql's wrapper
 * on every field, which graphql-jit must call through a closure and a resolve info for
 * each field of each row: `StatusChange` without it cost a page of 50 leads a fifth of
 * what it allocated (bench/read/cpu-per-request.ts --allocations).
 */
const FIELD_RESOLVERS = [
  'Application.documents',
  'Application.lead',
  'Lead.application',
  'Lead.verification',
  'Lead.loans',
  'Verification.id',
  'Verification.operations',
  'Verification.lead',
  'Loan.id',
  'Loan.lead',
  'StatusChange.lead',
  'StatusChange.record',
  'StatusChange.dispatch',
  'Dispatch.lead',
  'Dispatch.record',
  'ProviderError.errorCode',
  'LeadConnection.totalCount',
  'DispatchChange.dispatch',
  'DispatchChange.lead',
  'DispatchChange.record',
];

describe('object types read their plain fields without a resolver, and field resolvers are called directly', () => {
  it('has a resolver below the roots only on the field resolvers (add PLAIN_FIELDS to a new object type)', async () => {
    const schema = await buildGatewaySchema();
    const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
    const resolved: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.resolve !== undefined && field.args.length === 0) resolved.push(`${type.name}.${field.name}`);
      }
    }
    expect(resolved.sort()).toEqual([...FIELD_RESOLVERS].sort());
  });

  it("calls each of those directly, not through type-graphql's per-call wrapper (direct-field-resolvers.ts)", async () => {
    const schema = await buildGatewaySchema();
    const wrapped = FIELD_RESOLVERS.filter((name) => {
      const [typeName, fieldName] = name.split('.') as [string, string];
      const type = schema.getType(typeName);
      const resolve = isObjectType(type) ? type.getFields()[fieldName]?.resolve : undefined;
      // type-graphql's wrapper hands the call to its middleware chain: the direct call has none.
      return resolve === undefined || resolve.toString().includes('applyMiddlewares');
    });
    expect(wrapped).toEqual([]);
  });
});
