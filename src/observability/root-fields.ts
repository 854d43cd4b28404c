import { type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { rootFieldNames } from '../graphql/root-field-names.js';

/** More distinct root fields than this in one operation are labelled `(several)`. */
const MAX_ROOT_FIELDS = 2;

/**
 * What an operation asks for, as a metrics label: its root fields, sorted and joined
 * (`leads`, `createLead`, `lead,leads`). These are names from the schema, a closed
 * set; the operation's own name is chosen by the caller and may say more than it
 * should (`AcmeBankSecretPortfolioReview`), so it never becomes a label.
 */
export function rootFieldsLabel(operation: OperationDefinitionNode, document: DocumentNode): string {
  let label = labels.get(operation);
  if (label === undefined) {
    const names = rootFieldNames(operation, document);
    label = names.size === 0 ? '(none)' : names.size > MAX_ROOT_FIELDS ? '(several)' : [...names].sort().join(',');
    labels.set(operation, label);
  }
  return label;
}

/** Labels by operation: the same for every request of a cached document (see `rootFieldNames`). */
const labels = new WeakMap<OperationDefinitionNode, string>();
