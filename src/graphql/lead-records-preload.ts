import { type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { type LeadEntity } from '../db/entities/index.js';
import { type LeadRecords, type LeadRecordsWanted } from '../services/lead-records-store.js';
import { type GraphQLContext } from './context.js';

type Fragments = GraphQLResolveInfo['fragments'];

/**
 * Reads, in one statement, the linked records the query selects under `leads` (the
 * `Lead` fields at `path` below the resolving field, e.g. `edges.node`), and primes the
 * request's loaders with them: the field resolvers then find everything loaded, and a
 * page of leads with its application, documents, process, operations, loans and
 * history costs one round trip instead of one wave of statements per level.
 *
 * Only what is selected is read. `history` is read here only when every selection of
 * it takes the default `first`; otherwise its loader reads it, as before. The loaders
 * stay the single way resolvers read records: this only fills them early.
 */
export async function preloadLeadRecords(
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  path: readonly string[],
  leads: readonly LeadEntity[],
  defaultHistory: number,
): Promise<void> {
  if (leads.length === 0) return;
  const wanted = wantedLeadRecords(info, path, defaultHistory);
  if (wanted === undefined) return;
  const records = await ctx.services.stores.leadRecords.forLeads(
    ctx.principal.tenantId,
    leads.map((lead) => lead.id),
    wanted,
  );
  primeLeadRecords(ctx, wanted, records);
}

/**
 * The records the query selects for the `Lead` fields at `path` below the resolving
 * field; `undefined` when it selects none. For a resolver that reads them in the same
 * statement as its leads (`LeadStore.page`, `LeadStore.findWithRecords`), then primes
 * the loaders with {@link primeLeadRecords}: one round trip fewer.
 */
export function wantedLeadRecords(info: GraphQLResolveInfo, path: readonly string[], defaultHistory: number): LeadRecordsWanted | undefined {
  const wanted = wantedRecords(descend(info.fieldNodes, path, info.fragments), info.fragments, defaultHistory);
  return !wanted.application && !wanted.verification && !wanted.loans && wanted.history === undefined ? undefined : wanted;
}

/** Fills the request's loaders with records read for `wanted`, by lead id. */
export function primeLeadRecords(ctx: GraphQLContext, wanted: LeadRecordsWanted, records: ReadonlyMap<string, LeadRecords>): void {
  const { loaders } = ctx;
  for (const [leadId, found] of records) {
    if (wanted.application) loaders.applicationByLeadId.prime(leadId, found.application);
    if (wanted.documents && found.application !== null) loaders.documentsByApplicationId.prime(found.application.id, found.documents);
    if (wanted.verification) loaders.verificationByLeadId.prime(leadId, found.verification);
    if (wanted.operations && found.verification !== null) loaders.operationsByAuthUuid.prime(found.verification.authUuid, found.operations);
    if (wanted.loans) loaders.loansByLeadId.prime(leadId, found.loans);
    if (wanted.history !== undefined) loaders.historyByLeadId(wanted.history).prime(leadId, found.history);
  }
}

function wantedRecords(leadFields: readonly FieldNode[], fragments: Fragments, defaultHistory: number): LeadRecordsWanted {
  const application = selected(leadFields, 'application', fragments);
  const verification = selected(leadFields, 'verification', fragments);
  const history = selected(leadFields, 'history', fragments);
  return {
    application: application.length > 0,
    documents: selected(application, 'documents', fragments).length > 0,
    verification: verification.length > 0,
    operations: selected(verification, 'operations', fragments).length > 0,
    loans: selected(leadFields, 'loans', fragments).length > 0,
    ...(history.length > 0 && history.every((node) => (node.arguments ?? []).length === 0) && { history: defaultHistory }),
  };
}

/** The field nodes reached by following `path` (field names) from `fields`. */
function descend(fields: readonly FieldNode[], path: readonly string[], fragments: Fragments): FieldNode[] {
  let current = [...fields];
  for (const name of path) current = selected(current, name, fragments);
  return current;
}

/** The sub-field nodes named `name` of `fields`, through fragment spreads and inline fragments. */
function selected(fields: readonly FieldNode[], name: string, fragments: Fragments): FieldNode[] {
  const found: FieldNode[] = [];
  const visit = (selectionSet: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const selection of selectionSet?.selections ?? []) {
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value === name) found.push(selection);
          break;
        case Kind.INLINE_FRAGMENT:
          visit(selection.selectionSet, seen);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment: FragmentDefinitionNode | undefined = fragments[selection.name.value];
          // Validation forbids fragment cycles; `seen` keeps a broken document from looping anyway.
          if (fragment !== undefined && !seen.has(fragment.name.value)) visit(fragment.selectionSet, new Set([...seen, fragment.name.value]));
          break;
        }
      }
    }
  };
  for (const field of fields) visit(field.selectionSet, new Set());
  return found;
}
