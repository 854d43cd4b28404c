import { GraphQLEnumType, GraphQLObjectType, GraphQLSchema, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { enumValuesAreTheirNames } from '../../src/graphql/compiled-operations.js';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

/**
 * Compiled operations write enum values as the resolvers return them only while every
 * enum's values are its names (`compiled-operations.ts`); otherwise they keep
 * graphql-js's serializers, which cost a page of leads about 6 % of its CPU. This holds
 * the schema to the fast path, and the check to telling the two apart.
 */
describe('enum values are their names', () => {
  it('in every enum of the gateway schema, so compiled operations skip leaf serialization', async () => {
    const schema = await buildGatewaySchema();
    const mismatched = Object.values(schema.getTypeMap())
      .filter(isEnumType)
      .filter((type) => !type.name.startsWith('__'))
      .flatMap((type) => type.getValues().filter((value) => value.value !== value.name).map((value) => `${type.name}.${value.name} = ${String(value.value)}`));
    expect(mismatched).toEqual([]);
    expect(enumValuesAreTheirNames(schema)).toBe(true);
  });

  it('an enum with other values is told apart (its values would otherwise be written as stored)', () => {
    const schemaWith = (values: Record<string, { value: string }>) =>
      new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { role: { type: new GraphQLEnumType({ name: 'Role', values }) } } }) });
    expect(enumValuesAreTheirNames(schemaWith({ VIEWER: { value: 'VIEWER' } }))).toBe(true);
    // What type-graphql makes of `enum ApiKeyRole { VIEWER = 'viewer' }`.
    expect(enumValuesAreTheirNames(schemaWith({ VIEWER: { value: 'viewer' } }))).toBe(false);
  });
});
