import { type DataSource } from 'typeorm';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { type LeadBankSandbox } from '../../src/providers/leadbank/index.js';
import { RecordWriter } from '../../src/services/record-writer.js';
import { applicationRecord } from './fixtures.js';
import { postGraphQL, type Target } from './graphql-client.js';

/** A dispatch as the mutations answer it. */
export interface DispatchView {
  readonly id: string;
  readonly state: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  readonly attempts: number;
  readonly idempotencyKey: string;
  readonly lastError: { readonly code: string; readonly httpStatus: number | null; readonly message: string } | null;
}

export const UPDATE_APPLICATION = `mutation ($i: UpdateApplicationInput!) {
  updateApplication(input: $i) { dispatch { id state attempts idempotencyKey lastError { code httpStatus message } } }
}`;

/**
 * Applications a mutation may change: known locally (stored as a sync would store
 * them) and present in the Lead Bank sandbox with the same id.
 */
export async function knownApplications(db: DataSource, leadBank: LeadBankSandbox, count: number, tenantId = DEFAULT_TENANT): Promise<string[]> {
  const records = Array.from({ length: count }, () => applicationRecord());
  await db.transaction(async (manager) => {
    const writer = new RecordWriter(manager, tenantId);
    for (const record of records) await writer.applyApplication(record);
  });
  for (const record of records) leadBank.addApplication({ id: record.id });
  return records.map((r) => r.id);
}

/** `updateApplication` of one field; fails the test on any GraphQL error and answers the dispatch. */
export async function updateApplication(
  target: Target,
  applicationId: string,
  input: Record<string, unknown> = {},
): Promise<DispatchView> {
  const response = await postGraphQL<{ updateApplication: { dispatch: DispatchView } }>(target, UPDATE_APPLICATION, {
    i: { applicationId, productName: 'Dispatch test product', ...input },
  });
  if (response.errors !== undefined || response.data == null) {
    throw new Error(`updateApplication failed (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data.updateApplication.dispatch;
}
