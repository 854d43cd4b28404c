import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

/** Deepest nesting a `JSONObject` argument may have (the object itself is level 1). */
export const JSON_MAX_DEPTH = 32;
/** Largest `JSONObject` argument, as UTF-8 JSON. */
export const JSON_MAX_BYTES = 65_536;

/**
 * Refuses a value nested deeper than {@link JSON_MAX_DEPTH} or larger than
 * {@link JSON_MAX_BYTES}. The depth is measured without recursion, before anything
 * recursive (serializing, storing, logging) touches the value: 5,000 levels used to
 * overflow the stack and answer INTERNAL_SERVER_ERROR.
 */
function checkBounds(value: unknown): void {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > JSON_MAX_DEPTH) throw new GraphQLError(`JSONObject may be nested at most ${JSON_MAX_DEPTH} levels deep.`);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > JSON_MAX_BYTES) throw new GraphQLError(`JSONObject may be at most ${JSON_MAX_BYTES} bytes of JSON; this one is ${bytes}.`);
}

/**
 * graphql-scalars' `JSONObject` (same name and output, so the schema does not change)
 * with bounded input: variables and literals alike are checked, so a value over a
 * bound is the caller's `BAD_USER_INPUT` (in variables) or validation error (inline),
 * before any resolver runs.
 */
export const BoundedJSONObject = new GraphQLScalarType({
  ...GraphQLJSONObject.toConfig(),
  parseValue(value) {
    checkBounds(value);
    return GraphQLJSONObject.parseValue(value);
  },
  parseLiteral(ast, variables) {
    const value: unknown = GraphQLJSONObject.parseLiteral(ast, variables);
    checkBounds(value);
    return value;
  },
});
