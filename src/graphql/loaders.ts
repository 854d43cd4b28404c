import DataLoader from 'dataloader';
import {
  type ApplicationDocumentEntity,
  type ApplicationEntity,
  type DispatchEntity,
  type LeadEntity,
  type LoanEntity,
  type StatusChangeEntity,
  type VerificationEntity,
  type VerificationOperationEntity,
} from '../db/entities/index.js';
import { type Stores } from '../services/services.js';

/**
 * Per-request batch loaders, scoped to the caller's tenant: every nested field of a page costs one statement per
 * field, not one per row. Built anew for each operation, so a cached row never
 * outlives the request that read it.
 */
export interface Loaders {
  readonly leadById: DataLoader<string, LeadEntity | null>;
  readonly applicationByLeadId: DataLoader<string, ApplicationEntity | null>;
  readonly documentsByApplicationId: DataLoader<string, ApplicationDocumentEntity[]>;
  readonly verificationByLeadId: DataLoader<string, VerificationEntity | null>;
  readonly operationsByAuthUuid: DataLoader<string, VerificationOperationEntity[]>;
  readonly loansByLeadId: DataLoader<string, LoanEntity[]>;
  readonly applicationById: DataLoader<string, ApplicationEntity | null>;
  readonly verificationByAuthUuid: DataLoader<string, VerificationEntity | null>;
  /** Keyed by `<customerId>:<loanId>` (see {@link loanKey}). */
  readonly loanByKey: DataLoader<string, LoanEntity | null>;
  readonly dispatchById: DataLoader<string, DispatchEntity | null>;
  /** `history(first:)` takes an argument, so there is one loader per value of `first`. */
  historyByLeadId(first: number): DataLoader<string, StatusChangeEntity[]>;
}

/** Loaders for one request; they read only `tenantId`'s rows. */
export function createLoaders(stores: Stores, tenantId: string): Loaders {
  const history = new Map<number, DataLoader<string, StatusChangeEntity[]>>();
  return {
    leadById: new DataLoader(async (ids) => one(ids, await stores.leads.findByIds(tenantId, ids), (l) => l.id)),
    applicationByLeadId: new DataLoader(async (ids) =>
      one(ids, await stores.records.applicationsForLeads(tenantId, ids), (a) => a.leadId),
    ),
    documentsByApplicationId: new DataLoader(async (ids) =>
      many(ids, await stores.records.documentsForApplications(tenantId, ids), (d) => d.applicationId),
    ),
    verificationByLeadId: new DataLoader(async (ids) =>
      one(ids, await stores.records.verificationsForLeads(tenantId, ids), (v) => v.leadId),
    ),
    operationsByAuthUuid: new DataLoader(async (ids) =>
      many(ids, await stores.records.operationsForVerifications(tenantId, ids), (o) => o.authUuid),
    ),
    loansByLeadId: new DataLoader(async (ids) => many(ids, await stores.records.loansForLeads(tenantId, ids), (l) => l.leadId)),
    applicationById: new DataLoader(async (ids) => one(ids, await stores.records.applicationsByIds(tenantId, ids), (a) => a.id)),
    verificationByAuthUuid: new DataLoader(async (ids) =>
      one(ids, await stores.records.verificationsByAuthUuids(tenantId, ids), (v) => v.authUuid),
    ),
    loanByKey: new DataLoader(async (keys) => {
      const pairs = keys.map((key) => splitLoanKey(key));
      const rows = await stores.records.loansByKeys(
        tenantId,
        pairs.map((pair) => pair.customerId),
        pairs.map((pair) => pair.loanId),
      );
      return one(keys, rows, (l) => loanKey(l.customerId, l.loanId));
    }),
    dispatchById: new DataLoader(async (ids) => one(ids, await stores.records.dispatchesByIds(tenantId, ids), (d) => d.id)),
    historyByLeadId(first) {
      let loader = history.get(first);
      if (loader === undefined) {
        loader = new DataLoader(async (ids) =>
          many(ids, await stores.statusChanges.newestForLeads(tenantId, ids, first), (c) => c.leadId),
        );
        history.set(first, loader);
      }
      return loader;
    },
  };
}

/** A loan's key for {@link Loaders.loanByKey}: customer ids cannot hold ':' (see `PATH_SAFE_ID`). */
export function loanKey(customerId: string, loanId: string): string {
  return `${customerId}:${loanId}`;
}

function splitLoanKey(key: string): { customerId: string; loanId: string } {
  const colon = key.indexOf(':');
  return { customerId: key.slice(0, colon), loanId: key.slice(colon + 1) };
}

/** Answers each key with the one row whose key matches, or null. */
function one<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string | null): Array<T | null> {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) byKey.set(key, row);
  }
  return keys.map((key) => byKey.get(key) ?? null);
}

/** Answers each key with its rows, in the order the statement returned them. */
function many<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string | null): T[][] {
  const byKey = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) byKey.get(key)?.push(row);
  }
  return keys.map((key) => byKey.get(key) ?? []);
}
