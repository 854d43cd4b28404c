import { statusTitle } from '../sandbox/problem-title.js';
import { type SandboxResponse } from '../sandbox/sandbox-server.js';
import { type WireInvalidParameter, type WireInvalidParametersError, type WireProblem } from './wire.js';

/** A path segment decoded; a malformed escape is left as sent (and then fails the id pattern). */
export function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** RFC 7807. ours: `type` is `about:blank` (Lead Bank publishes no problem type URIs). */
export function problem(status: number, code: string, detail: string): SandboxResponse {
  return { status, body: { type: 'about:blank', status, title: statusTitle(status), detail, code } satisfies WireProblem };
}

/** Lead Bank's 422 for request parameters: `invalid_parameters`, one entry per parameter. */
export function invalid(parameters: WireInvalidParameter[], message = 'The request contains invalid parameters'): SandboxResponse {
  return { status: 422, body: { error_type: 'invalid_parameters', error_message: message, invalid_parameters: parameters } satisfies WireInvalidParametersError };
}
