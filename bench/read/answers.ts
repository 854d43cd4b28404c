import { type ServerName, type Workload } from './servers.js';

/** A parsed JSON value. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * What an answer holds, counted the same way whatever the server's schema: which
 * leads in which order, and how many of each linked record. Enough to compare the peer
 * (whose answer has another shape) with the gateway, and cheap enough to check every
 * `lead(id)` answer during a load.
 */
export interface AnswerSummary {
  /** GraphQL errors in the answer (PostGraphile answers HTTP 200 with errors). */
  readonly errors: number;
  readonly leadIds: readonly string[];
  readonly totalCount: number | null;
  readonly documents: number;
  readonly operations: number;
  /** Loan ids in answer order, for every lead. */
  readonly loanIds: readonly string[];
  /** Status-change ids in answer order, for every lead. */
  readonly historyIds: readonly string[];
}

/** Field names of one server's schema, from the lead down. */
interface Names {
  readonly root: Record<Workload, string>;
  readonly id: string;
  readonly application: string;
  readonly documents: readonly string[];
  readonly verification: string;
  readonly operations: readonly string[];
  readonly loans: readonly string[];
  readonly history: readonly string[];
}

const GATEWAY_NAMES: Names = {
  root: { leads: 'leads', lead: 'lead' },
  id: 'id',
  application: 'application',
  documents: ['documents'],
  verification: 'verification',
  operations: ['operations'],
  loans: ['loans'],
  history: ['history'],
};

const PEER_NAMES: Names = {
  root: { leads: 'allLeads', lead: 'leadByTenantIdAndRowId' },
  id: 'rowId',
  application: 'applicationByTenantIdAndLeadId',
  documents: ['applicationDocumentsByTenantIdAndApplicationId', 'nodes'],
  verification: 'verificationByTenantIdAndLeadId',
  operations: ['verificationOperationsByTenantIdAndAuthUuid', 'nodes'],
  loans: ['loansByTenantIdAndLeadId', 'nodes'],
  history: ['statusChangesByTenantIdAndLeadId', 'nodes'],
};

/** The floor answers exactly the gateway's JSON. */
const NAMES: Record<ServerName, Names> = { gateway: GATEWAY_NAMES, floor: GATEWAY_NAMES, peer: PEER_NAMES };

function at(value: Json | undefined, ...path: readonly string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

const text = (value: Json | undefined) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** Summarizes `body`, one server's answer to `workload`; throws if it is not JSON. */
export function summarizeAnswer(server: ServerName, workload: Workload, body: string): AnswerSummary {
  const names = NAMES[server];
  const answer = JSON.parse(body) as Json;
  const root = at(answer, 'data', names.root[workload]);
  const leads = workload === 'lead' ? (root === null || root === undefined ? [] : [root]) : list(at(root, 'edges')).map((edge) => at(edge, 'node'));
  const totalCount = at(root, 'totalCount');
  return {
    errors: list(at(answer, 'errors')).length,
    leadIds: leads.map((lead) => text(at(lead, names.id))),
    totalCount: typeof totalCount === 'number' ? totalCount : null,
    documents: leads.reduce<number>((sum, lead) => sum + list(at(lead, names.application, ...names.documents)).length, 0),
    operations: leads.reduce<number>((sum, lead) => sum + list(at(lead, names.verification, ...names.operations)).length, 0),
    loanIds: leads.flatMap((lead) => list(at(lead, ...names.loans)).map((loan) => text(at(loan, 'loanId')))),
    historyIds: leads.flatMap((lead) => list(at(lead, ...names.history)).map((change) => text(at(change, names.id)))),
  };
}

/** What two summaries disagree on, in words; empty when they agree. */
export function summaryDifferences(expected: AnswerSummary, actual: AnswerSummary): string[] {
  const differences: string[] = [];
  if (actual.errors > 0) differences.push(`${actual.errors} error(s)`);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
  if (!same(expected.leadIds, actual.leadIds)) differences.push(`leads ${actual.leadIds.length} (expected ${expected.leadIds.length}, same order)`);
  if (expected.totalCount !== actual.totalCount) differences.push(`totalCount ${actual.totalCount} (expected ${expected.totalCount})`);
  if (expected.documents !== actual.documents) differences.push(`documents ${actual.documents} (expected ${expected.documents})`);
  if (expected.operations !== actual.operations) differences.push(`operations ${actual.operations} (expected ${expected.operations})`);
  if (!same(expected.loanIds, actual.loanIds)) differences.push(`loans ${actual.loanIds.length} (expected ${expected.loanIds.length}, same order)`);
  if (!same(expected.historyIds, actual.historyIds)) differences.push(`history ${actual.historyIds.length} (expected ${expected.historyIds.length}, same order)`);
  return differences;
}

/** Record counts of one lead's summary, to check `lead(id)` answers during a load without knowing which lead was asked. */
export function recordCounts(summary: AnswerSummary): string {
  return `${summary.leadIds.length}/${summary.documents}/${summary.operations}/${summary.loanIds.length}/${summary.historyIds.length}`;
}
