import { type ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type OperationDefinitionNode, OperationTypeNode } from 'graphql';
import { type GraphQLContext } from './context.js';
import { rootFieldNames } from './root-field-names.js';

/**
 * `Query.statusHead` as read when its operation started, before any other field: a
 * client that loads state and `statusHead` in one operation, then subscribes with
 * `after: statusHead`, may be sent a change its state already shows (harmless: ids
 * order them), never miss one that its state does not show.
 */
const headsAtStart = new WeakMap<GraphQLContext, string>();

/** Whether the operation is a query selecting `statusHead` at its root (directly, or in a fragment). */
export function selectsStatusHead(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  return operation.operation === OperationTypeNode.QUERY && rootFieldNames(operation, document).has('statusHead');
}

/** Reads the head before execution begins, when the operation asks for it (HTTP: an Apollo plugin; WebSocket: `onSubscribe`). */
export async function readStatusHeadFirst(context: GraphQLContext, operation: OperationDefinitionNode, document: DocumentNode): Promise<void> {
  if (!selectsStatusHead(operation, document)) return;
  headsAtStart.set(context, await context.services.stores.statusChanges.lastId(context.principal.tenantId));
}

/** The head read at the start of the operation (or now, when it was not read then). */
export async function statusHeadOf(context: GraphQLContext): Promise<string> {
  return headsAtStart.get(context) ?? context.services.stores.statusChanges.lastId(context.principal.tenantId);
}

/** Over HTTP: reads the head once the operation is known, before Apollo executes it. */
export function statusHeadPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation !== undefined) await readStatusHeadFirst(contextValue, operation, document);
        },
      });
    },
  };
}
