import { type ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, Kind, type OperationDefinitionNode, OperationTypeNode, type SelectionSetNode } from 'graphql';
import { type GraphQLContext } from './context.js';

/**
 * `Query.statusHead` as read when its operation started, before any other field: a
 * client that loads state and `statusHead` in one operation, then subscribes with
 * `after: statusHead`, may be sent a change its state already shows (harmless: ids
 * order them), never miss one that its state does not show.
 */
const headsAtStart = new WeakMap<GraphQLContext, string>();

/** Whether the operation selects `statusHead` at its root (directly, or in a fragment). */
export function selectsStatusHead(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  if (operation.operation !== OperationTypeNode.QUERY) return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === 'statusHead';
        case Kind.INLINE_FRAGMENT:
          return inSet(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (fragment === undefined || seen.has(fragment.name.value)) return false;
          seen.add(fragment.name.value);
          return inSet(fragment.selectionSet);
        }
      }
    });
  return inSet(operation.selectionSet);
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
