import { type ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CompiledOperations } from '../graphql/compiled-operations.js';
import { type GraphQLContext } from '../graphql/context.js';
import { withGraphQLJsErrors } from '../graphql/jit-errors.js';

/** Apollo Server's gateway interface, as its constructor types it (the package defining it is Apollo's own dependency). */
type ApolloGateway = ApolloServerOptionsWithGateway<GraphQLContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<ApolloGateway['load']>>['executor']>;
type ExecutorRequest = Parameters<Executor>[0];

/** Distinct documents kept compiled over HTTP; each also costs a line of Apollo's own document cache. */
const COMPILED_DOCUMENTS = 500;

/**
 * Runs HTTP queries and mutations on operations compiled by graphql-jit
 * (`graphql/compiled-operations.ts`) instead of graphql-js's `execute`.
 *
 * Apollo Server 5 has no executor option; its supported hook is the `gateway` option,
 * whose `load()` returns the executor Apollo calls in place of `execute` (and whose
 * `onSchemaLoadOrUpdate` hands Apollo the schema). Everything before execution stays
 * Apollo's: parsing with the token limit, validation with the depth, cost, alias and
 * directive rules, the operation's resolution, every plugin hook (metrics, status head,
 * rate of 503s, `no-store`), and after it the error formatter. The context, and so the
 * principal every role check and tenant scope reads, is the one Apollo built.
 *
 * Answers are the same bytes as graphql-js's: the resolvers are the schema's own, and
 * where the two differ, this runs graphql-js instead:
 * - a document graphql-jit cannot compile, or a request whose operation Apollo could not
 *   resolve (graphql-js words that error);
 * - variables graphql-jit refuses: nothing has run yet, so graphql-js coerces them again
 *   and words the refusal as it always has (its messages are what clients see).
 * Errors raised while executing are rebuilt as graphql-js builds them (`jit-errors.ts`).
 */
export function compiledExecutionGateway(schema: GraphQLSchema): ApolloGateway {
  const operations = new CompiledOperations(schema, COMPILED_DOCUMENTS);
  const plain = (request: ExecutorRequest): ExecutionResult | Promise<ExecutionResult> =>
    execute({
      schema,
      document: request.document,
      contextValue: request.context,
      variableValues: request.request.variables,
      operationName: request.request.operationName,
    });
  const executor: Executor = async (request) => {
    const compiled = request.operation === undefined ? undefined : operations.get(request.document, request.request.operationName, request.source);
    if (compiled === undefined) return plain(request);
    const result = await compiled.query(undefined, request.context, request.request.variables ?? {});
    // No data at all: the variables were refused before anything ran.
    if (result.data === undefined) return plain(request);
    return withGraphQLJsErrors(result);
  };
  let announce: Parameters<ApolloGateway['onSchemaLoadOrUpdate']>[0] | undefined;
  return {
    onSchemaLoadOrUpdate(callback) {
      announce = callback;
      return () => {
        announce = undefined;
      };
    },
    load() {
      // The schema never changes while the server runs: announced once, at start.
      announce?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return Promise.resolve({ executor });
    },
    stop: () => Promise.resolve(),
  };
}
