import { type ExecutionResult, GraphQLError, type SourceLocation } from 'graphql';

/**
 * The errors of a graphql-jit result as graphql-js would have made them, so that what
 * follows execution (Apollo's error normalisation, `errors.ts`'s formatter, the
 * plugins) sees the same objects whichever ran the operation.
 *
 * graphql-jit's errors are its own `GraphQLError` (a graphql-js `GraphQLError` by
 * prototype only): its `extensions` is undefined where graphql-js gives `{}`, so
 * Apollo's `error.extensions.code` would throw and the answer would become a bare
 * "Internal server error" without its path. And where a resolver throws a GraphQLError
 * that already has a path, graphql-js passes it on as it is (`locatedError`) where
 * graphql-jit wraps it again.
 */
export function withGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  if (result.errors === undefined || result.errors.length === 0) return result;
  return { data: result.data, errors: result.errors.map(asGraphQLJsError) };
}

function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const original: unknown = error.originalError;
  // graphql-js's locatedError: an error that already knows where it happened is kept as it is.
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  const converted = new GraphQLError(error.message, {
    ...(error.path !== undefined && { path: error.path }),
    ...(original instanceof Error && { originalError: original }),
  });
  // graphql-js computes locations from the field's AST nodes, which graphql-jit does not
  // keep; it keeps the locations themselves, the same line and column.
  if (error.locations !== undefined && error.locations.length > 0) {
    (converted as { locations: readonly SourceLocation[] | undefined }).locations = error.locations;
  }
  return converted;
}
