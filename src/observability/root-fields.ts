import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** More distinct root fields than this in one operation are labelled `(several)`. */
const MAX_ROOT_FIELDS = 2;

/**
 * What an operation asks for, as a metrics label: its root fields, sorted and joined
 * (`leads`, `createLead`, `lead,leads`). These are names from the schema, a closed
 * set; the operation's own name is chosen by the caller and may say more than it
 * should (`AcmeBankSecretPortfolioReview`), so it never becomes a label.
 */
export function rootFieldsLabel(operation: OperationDefinitionNode, document: DocumentNode): string {
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
  if (names.size === 0) return '(none)';
  if (names.size > MAX_ROOT_FIELDS) return '(several)';
  return [...names].sort().join(',');
}
