import { type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';

/** Only the status update's answer varies. */
const onStatusUpdate =
  (vary: (process: Record<string, unknown>) => Record<string, unknown>) =>
  (answer: SandboxResponse, request: SandboxRequest): SandboxResponse =>
    request.method === 'PATCH' && request.path === '/customer/status'
      ? { ...answer, body: { data: vary({ ...((answer.body as { data?: Record<string, unknown> } | undefined)?.data ?? {}) }) } }
      : answer;

/**
 * How Tecalis may really answer a state it set (fault setting `answerVariant`): its
 * page shows the process in one example, so keys left out (`sparse`), and operation
 * types, states and times beyond the example (`unknown-values`).
 */
export const TECALIS_ANSWER_VARIANTS = {
  sparse: onStatusUpdate((process) => {
    for (const key of ['cleaned', 'company', 'profile_alias', 'nationality', 'created_at', 'operations']) delete process[key];
    return process;
  }),
  'unknown-values': onStatusUpdate((process) => ({
    ...process,
    operations: ((process.operations ?? []) as Array<Record<string, unknown>>).map((op, i) =>
      i === 0 ? { ...op, type: 'SELFIE', state: 'IN_REVIEW', total_time: 2.75 } : op,
    ),
  })),
} as const;
