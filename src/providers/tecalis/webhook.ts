import { type VerificationRecord } from '../../domain/records.js';
import { readProcess, type UnreadPart } from './read-process.js';
import { isJsonObject } from '../json.js';

/**
 * Where the shared token travels in a process's `metadata`: whoever creates a Tecalis
 * process for leadgraph puts it there, and Tecalis sends the metadata back with
 * every callback.
 */
export const TECALIS_TOKEN_FIELD = 'leadgraph_token';

/** What a Tecalis callback says, in the unified model. */
export type TecalisCallback =
  | {
      readonly kind: 'process';
      readonly token: string | undefined;
      readonly verification: VerificationRecord;
      /** What in the process could not be read (it is applied all the same). */
      readonly unread: readonly UnreadPart[];
    }
  | { readonly kind: 'invalid'; readonly problem: string };

/**
 * ours (Tecalis publishes no payload): a callback is a POST of the process `data` plus
 * its `metadata`. The process is read tolerantly (`read-process.ts`); only a callback
 * that names no process is invalid.
 */
export function parseTecalisCallback(body: unknown): TecalisCallback {
  const payload = isJsonObject(body) ? body : undefined;
  const reading = readProcess(payload?.data);
  if (payload === undefined || reading === undefined) return { kind: 'invalid', problem: 'not a Tecalis callback (data: no process with an auth_uuid)' };
  const metadata = isJsonObject(payload.metadata) ? payload.metadata : undefined;
  const token = metadata?.[TECALIS_TOKEN_FIELD];
  return { kind: 'process', token: typeof token === 'string' ? token : undefined, verification: reading.record, unread: reading.unread };
}
