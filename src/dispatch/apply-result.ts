import { type EntityManager } from 'typeorm';
import { type AnswerNotes, type ProviderRegistry } from '../providers/index.js';
import { RecordWriter } from '../services/record-writer.js';

/** A provider's confirmed result, tagged with the operation it answers. */
export interface ConfirmedResult {
  readonly operation: string;
  readonly result: AnswerNotes;
}

/**
 * Applies what the provider confirmed to the local copy, in the transaction that
 * marks the dispatch SUCCEEDED: the record, the status change it implies, the lead's
 * stage, as the provider that owns the operation says (its `CommandSpec.apply`). The
 * local record only ever shows what a provider confirmed.
 */
export async function applyConfirmedResult(
  manager: EntityManager,
  registry: ProviderRegistry,
  dispatch: { readonly id: string; readonly tenantId: string; readonly leadId: string | null },
  confirmed: ConfirmedResult,
): Promise<void> {
  await registry.apply(confirmed.operation, new RecordWriter(manager, dispatch.tenantId, dispatch.id), confirmed.result, dispatch.leadId);
}

/** A result as stored in `dispatch.result` (JSON: instants as ISO strings). */
export function storedResult(confirmed: ConfirmedResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(confirmed)) as Record<string, unknown>;
}
