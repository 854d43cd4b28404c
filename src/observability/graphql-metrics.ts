import { type ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type ExecutionResult, type OperationDefinitionNode, OperationTypeNode } from 'graphql';
import { type GraphQLOperationLabels } from './metrics.js';
import { rootFieldsLabel } from './root-fields.js';

/** Where {@link graphqlMetricsPlugin} and {@link SocketOperationMetrics} report each operation. */
export interface GraphQLOperationObserver {
  /** `seconds` is undefined for an operation that is counted but not timed. */
  graphqlOperation(labels: GraphQLOperationLabels, seconds: number | undefined): void;
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
              transport: 'http',
            },
            (performance.now() - started) / 1000,
          );
          return Promise.resolve();
        },
      });
    },
  };
}

/** An operation whose document has been parsed and validated against the schema. */
export interface CheckedOperation {
  readonly operation: OperationDefinitionNode;
  readonly document: DocumentNode;
}

/** An operation under way on one connection. */
interface Running {
  readonly started: number;
  readonly checked: CheckedOperation;
}

/**
 * The graphql-ws side of {@link graphqlMetricsPlugin}: the same counter and histogram,
 * labelled `transport="ws"`. A query or mutation is counted and timed when its result is
 * ready; a subscription is counted once, when it starts (or fails to), and not timed: it
 * lasts as long as its client wants. An operation refused before it ran is `rejected`;
 * it is labelled by its root fields only when its document was valid, so a label never
 * comes from text the schema has not checked.
 */
export class SocketOperationMetrics {
  private readonly running = new WeakMap<object, Map<string, Running>>();

  constructor(private readonly observer: GraphQLOperationObserver) {}

  /** An operation answered without running (refused, not valid) or with errors before it could (its variables). */
  answered(started: number, checked: CheckedOperation | undefined, outcome: 'rejected' | 'error'): void {
    this.report(started, checked, outcome);
  }

  /** An operation handed to graphql-ws to run, as `id` on `connection` (graphql-ws's per-connection context). */
  willRun(connection: object, id: string, started: number, checked: CheckedOperation): void {
    let operations = this.running.get(connection);
    if (operations === undefined) {
      operations = new Map();
      this.running.set(connection, operations);
    }
    operations.set(id, { started, checked });
  }

  /** What graphql-ws's `onOperation` is given: a query's or mutation's result, or a subscription's stream (or its failure to start). */
  ran(connection: object, id: string, result: unknown): void {
    const operations = this.running.get(connection);
    const running = operations?.get(id);
    if (running === undefined) return;
    operations!.delete(id);
    const failed = !isAsyncIterable(result) && ((result as ExecutionResult).errors?.length ?? 0) > 0;
    this.report(running.started, running.checked, failed ? 'error' : 'success');
  }

  private report(started: number, checked: CheckedOperation | undefined, outcome: GraphQLOperationLabels['outcome']): void {
    const type = checked?.operation.operation;
    this.observer.graphqlOperation(
      { rootFields: checked === undefined ? undefined : rootFieldsLabel(checked.operation, checked.document), type, outcome, transport: 'ws' },
      type === OperationTypeNode.SUBSCRIPTION ? undefined : (performance.now() - started) / 1000,
    );
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}
