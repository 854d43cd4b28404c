import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Names found, by operation. Apollo and the WebSocket server hand every request of one
 * document text the same parsed document (their document caches), so the metrics label
 * and the `statusHead` check of a request are a lookup instead of a walk of its
 * selections. An operation node belongs to one document and is never modified, so its
 * root fields never change; entries go with the documents.
 */
const found = new WeakMap<OperationDefinitionNode, ReadonlySet<string>>();

/**
 * The root fields an operation selects, named as in the schema: directly, in inline
 * fragments and in named fragments (each followed once). What the metrics label an
 * operation by, and how `statusHead` is found to be read first.
 */
export function rootFieldNames(operation: OperationDefinitionNode, document: DocumentNode): ReadonlySet<string> {
  let names = found.get(operation);
  if (names === undefined) {
    names = collectRootFieldNames(operation, document);
    found.set(operation, names);
  }
  return names;
}

function collectRootFieldNames(operation: OperationDefinitionNode, document: DocumentNode): Set<string> {
  const names = new Set<string>();
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          names.add(selection.name.value);
          break;
        case Kind.INLINE_FRAGMENT:
          collect(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (fragment !== undefined && !visited.has(fragment.name.value)) {
            visited.add(fragment.name.value);
            collect(fragment.selectionSet);
          }
          break;
        }
      }
    }
  };
  collect(operation.selectionSet);
  return names;
}
