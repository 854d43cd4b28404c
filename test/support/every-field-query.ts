import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/** The committed schema (`schema.graphql`), as clients see it. */
export function committedSchema(): GraphQLSchema {
  return buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
}

/**
 * A selection of every field of `type` and, below it, of every type it reaches, down to
 * `levels` nested selections: each type once per path (a lead's application's lead is
 * left out), a union or interface through an inline fragment per possible type, and
 * fields that require an argument left out. What a test needs to see every leaf the
 * schema can answer, whatever the query a client would write. A field that possible
 * types of one union share under one name with different types is aliased by its type
 * in each fragment (`Loan_status: status`): a document may not select both unaliased.
 */
export function everyField(schema: GraphQLSchema, type: GraphQLNamedType, levels: number, path: readonly string[] = [], aliased: ReadonlySet<string> = new Set()): string | undefined {
  if (isAbstractType(type)) {
    const possibleTypes = schema.getPossibleTypes(type);
    const typesByName = new Map<string, Set<string>>();
    for (const possible of possibleTypes) {
      for (const field of Object.values(possible.getFields())) typesByName.set(field.name, (typesByName.get(field.name) ?? new Set()).add(String(field.type)));
    }
    const conflicting = new Set([...typesByName].filter(([, types]) => types.size > 1).map(([name]) => name));
    const fragments = possibleTypes
      .map((possible) => {
        const inner = everyField(schema, possible, levels, path, conflicting);
        return inner === undefined ? undefined : `... on ${possible.name} ${inner}`;
      })
      .filter((fragment) => fragment !== undefined);
    return `{ __typename ${fragments.join(' ')} }`;
  }
  if (!isObjectType(type)) return undefined;
  const inPath = [...path, type.name];
  const selections = Object.values(type.getFields())
    .filter((field) => !requiresArguments(field))
    .map((field) => {
      const named = getNamedType(field.type);
      const name = aliased.has(field.name) ? `${type.name}_${field.name}: ${field.name}` : field.name;
      if (isLeafType(named)) return name;
      if (levels === 0 || inPath.includes(named.name)) return undefined;
      const inner = everyField(schema, named, levels - 1, inPath);
      return inner === undefined ? undefined : `${name} ${inner}`;
    })
    .filter((selection) => selection !== undefined);
  return selections.length === 0 ? undefined : `{ ${selections.join(' ')} }`;
}

function requiresArguments(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);
}
