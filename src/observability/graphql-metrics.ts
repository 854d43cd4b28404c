import { type ApolloServerPlugin } from '@apollo/server';
import { type GraphQLOperationLabels } from './metrics.js';
import { rootFieldsLabel } from './root-fields.js';

/** Where {@link graphqlMetricsPlugin} reports each operation. */
export interface GraphQLOperationObserver {
  graphqlOperation(labels: GraphQLOperationLabels, seconds: number): void;
}

/**
 * Counts every GraphQL operation Apollo answers (HTTP), by root fields, type and outcome,
 * and observes its latency, from the start of the request to the response.
 * `rejected` means it never executed: not parsed, not valid, over a limit, refused.
 */
export function graphqlMetricsPlugin(observer: GraphQLOperationObserver): ApolloServerPlugin {
  return {
    requestDidStart() {
      const started = performance.now();
      let executed = false;
      return Promise.resolve({
        executionDidStart() {
          executed = true;
          return Promise.resolve();
        },
        willSendResponse(requestContext) {
          const body = requestContext.response.body;
          const errors =
            (requestContext.errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          observer.graphqlOperation(
            {
              rootFields: requestContext.operation === undefined ? undefined : rootFieldsLabel(requestContext.operation, requestContext.document!),
              type: requestContext.operation?.operation,
              outcome: !executed ? 'rejected' : errors ? 'error' : 'success',
            },
            (performance.now() - started) / 1000,
          );
          return Promise.resolve();
        },
      });
    },
  };
}
