import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * The root fields an operation selects, named as in the schema: directly, in inline
 * fragments and in named fragments (each followed once). What the metrics label an
 * operation by, and how `statusHead` is found to be read first.
 */
export function rootFieldNames(operation: OperationDefinitionNode, document: DocumentNode): Set<string> {
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
