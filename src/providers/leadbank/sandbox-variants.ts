import { type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';

/** Only the patch's answer varies; the token endpoint and the reads answer as usual. */
const onPatch =
  (vary: (answer: SandboxResponse) => SandboxResponse) =>
  (answer: SandboxResponse, request: SandboxRequest): SandboxResponse =>
    request.method === 'PATCH' && request.path.startsWith('/v0/applications/') ? vary(answer) : answer;

/**
 * How Lead Bank may really answer a patch it applied (fault setting `answerVariant`):
 * a status its page does not list, or no body at all.
 */
export const LEAD_BANK_ANSWER_VARIANTS = {
  'unknown-status': onPatch((answer) => ({ ...answer, body: { ...(answer.body as Record<string, unknown>), status: 'in_review' } })),
  'no-body': onPatch((answer) => ({ status: answer.status })),
} as const;
