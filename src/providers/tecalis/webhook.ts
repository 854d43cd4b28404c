import { z } from 'zod';
import { type VerificationRecord } from '../../domain/records.js';
import { toVerificationRecord } from './mapping.js';
import { wireProcess } from './wire.js';

/**
 * Where the shared token travels in a process's `metadata`: whoever creates a Tecalis
 * process for leadgraph puts it there, and Tecalis sends the metadata back with
 * every callback.
 */
export const TECALIS_TOKEN_FIELD = 'leadgraph_token';

/** ours (Tecalis publishes no payload): a callback is a POST of the process `data` plus its `metadata`. */
const callbackPayload = z.object({ data: wireProcess, metadata: z.record(z.string(), z.unknown()).nullable().optional() });

/** What a Tecalis callback says, in the unified model. */
export type TecalisCallback =
  | { readonly kind: 'process'; readonly token: string | undefined; readonly verification: VerificationRecord }
  | { readonly kind: 'invalid'; readonly problem: string };

export function parseTecalisCallback(body: unknown): TecalisCallback {
  const payload = callbackPayload.safeParse(body);
  if (!payload.success) return { kind: 'invalid', problem: `not a Tecalis callback (${payload.error.issues[0]?.path.join('.')}: ${payload.error.issues[0]?.message})` };
  const token = payload.data.metadata?.[TECALIS_TOKEN_FIELD];
  const mapped = toVerificationRecord(payload.data.data);
  if ('problem' in mapped) return { kind: 'invalid', problem: mapped.problem };
  return { kind: 'process', token: typeof token === 'string' ? token : undefined, verification: mapped.record };
}
