import { type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';

/** Only the status update's answer varies; the other routes answer as usual. */
const onStatusUpdate =
  (vary: (answer: SandboxResponse) => SandboxResponse) =>
  (answer: SandboxResponse, request: SandboxRequest): SandboxResponse =>
    request.method === 'PATCH' ? vary(answer) : answer;

const bodyOf = (answer: SandboxResponse) => (answer.body ?? {}) as Record<string, unknown>;

/**
 * How TECHEA may really answer a status update that it accepted (fault setting
 * `answerVariant`): the reference page's own example answers `"event": "registration"`
 * to a `loan_issued` update; a status the page does not list; no body at all.
 */
export const TECHEA_ANSWER_VARIANTS = {
  'reference-example': onStatusUpdate((answer) => ({ ...answer, body: { ...bodyOf(answer), event: 'registration' } })),
  'unknown-status': onStatusUpdate((answer) => ({ ...answer, body: { ...bodyOf(answer), status: 'queued' } })),
  'no-body': onStatusUpdate((answer) => ({ status: answer.status })),
} as const;
