import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { jsonBody, type SandboxBehavior, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import {
  formatWireTimestamp,
  statusUpdate,
  WIRE_FINAL_STATES,
  WIRE_OPERATION_TYPES,
  type WireError,
  type WireFinalState,
  type WireOperationState,
  type WireOperationType,
  type WireProcess,
  type WireProcessStatus,
} from './wire.js';
import { TECALIS_ANSWER_VARIANTS } from './sandbox-variants.js';
import { isJsonObject } from '../json.js';

/** Credentials and seed data of a Tecalis sandbox. */
export interface TecalisSandboxOptions {
  /** The customer's API key, checked in the body of every call. */
  readonly apiKey: string;
  /** The one verification profile of this customer (`profile_uuid` of `POST /api/auth`). */
  readonly profileUuid: string;
  /** Answered as `profile_alias`; "Debug" when absent, as in the reference page. */
  readonly profileAlias?: string;
  /** Answered as `company`; "Tecalis" when absent, as in the reference page. */
  readonly company?: string;
  /** Processes (pending, no name yet) that exist from the start. */
  readonly seedAuthUuids?: readonly string[];
}

/** A process for {@link TecalisSandbox.addProcess}; anything absent takes the value of a fresh, pending process. */
export interface TecalisProcessSeed {
  readonly authUuid?: string;
  readonly status?: WireProcessStatus;
  readonly statusReasons?: string | null;
  readonly name?: string | null;
  readonly documentNumber?: string | null;
  readonly documentType?: string | null;
  readonly nationality?: string | null;
  /** Per operation type; NOT_STARTED when absent. */
  readonly operationStates?: Partial<Record<WireOperationType, WireOperationState>>;
  /** As `POST /api/auth` takes them: `callback`, `callback_ko`, … */
  readonly replacements?: Record<string, unknown>;
  readonly metadata?: unknown;
}

/**
 * A process as the sandbox keeps it: what Tecalis answers in `data`, and what was
 * given at creation. The callbacks POST the `data` object plus `metadata` to the
 * callback URLs.
 */
export interface TecalisSandboxProcess {
  readonly data: WireProcess;
  readonly replacements: Record<string, unknown>;
  readonly callback: string | null;
  readonly callbackKo: string | null;
  readonly metadata: unknown;
}

/** One effective change made by `PATCH /customer/status`. */
export interface TecalisAppliedChange {
  readonly authUuid: string;
  readonly from: WireProcessStatus;
  readonly to: WireFinalState;
  readonly statusReasons: string | null;
}

/**
 * Tecalis as CONTRACTS.md describes it: credentials in the body, 401 "Not authorized"
 * for a bad key or an unknown process, `{internal_code, message}` errors, `reasons`
 * kept when absent and replaced when present, processes created by `POST /api/auth`.
 */
export class TecalisSandbox implements SandboxBehavior {
  readonly name = 'tecalis';
  readonly answerVariants = TECALIS_ANSWER_VARIANTS;
  private readonly processes = new Map<string, { data: WireProcess; replacements: Record<string, unknown>; metadata: unknown }>();
  /** Every callback sent, and the answer. */
  readonly callbacksSent: Array<{ authUuid: string; status: string; url: string; answer: number | 'unreachable' }> = [];
  /** Emits `callback-sent` with each entry of {@link callbacksSent}, once the gateway has answered it. */
  readonly events = new EventEmitter();
  /** Every state update that changed a process, in order: what the sandbox applied (replays are not in it). */
  readonly applied: TecalisAppliedChange[] = [];
  /** The auth_uuid of every process created over `POST /api/auth`, in order. */
  readonly created: string[] = [];

  constructor(private readonly options: TecalisSandboxOptions) {
    for (const authUuid of options.seedAuthUuids ?? []) this.addProcess({ authUuid });
  }

  /** The key and profile this sandbox accepts, to hand to a client or print for a person. */
  get credentials(): { apiKey: string; profileUuid: string } {
    return { apiKey: this.options.apiKey, profileUuid: this.options.profileUuid };
  }

  /** Creates a process with its five operations, as if a flow had been started; returns its auth_uuid. */
  addProcess(seed: TecalisProcessSeed = {}): string {
    const authUuid = (seed.authUuid ?? randomUUID()).toLowerCase();
    const now = formatWireTimestamp(new Date());
    const data: WireProcess = {
      // Tecalis joins first and last name: " " until the user has given them.
      name: seed.name === undefined ? ' ' : seed.name,
      document_number: seed.documentNumber ?? null,
      document_type: seed.documentType ?? null,
      process_uuid: randomUUID(),
      nationality: seed.nationality ?? null,
      auth_uuid: authUuid,
      company: this.options.company ?? 'Tecalis',
      profile_alias: this.options.profileAlias ?? 'Debug',
      status: seed.status ?? 'PENDING',
      status_reasons: seed.statusReasons ?? null,
      created_at: now,
      updated_at: now,
      cleaned: false,
      operations: WIRE_OPERATION_TYPES.map((type) => {
        const state = seed.operationStates?.[type] ?? 'NOT_STARTED';
        // ours: a step that ran took some seconds; one that did not start took none.
        return { type, operation: randomUUID(), state, total_time: state === 'NOT_STARTED' ? 0 : 12 };
      }),
    };
    this.processes.set(authUuid, { data, replacements: { ...seed.replacements }, metadata: seed.metadata ?? null });
    return authUuid;
  }

  /** A copy of a process as stored, or undefined when there is none. */
  processOf(authUuid: string): TecalisSandboxProcess | undefined {
    const stored = this.processes.get(authUuid.toLowerCase());
    if (stored === undefined) return undefined;
    const { callback, callback_ko: callbackKo } = stored.replacements;
    return {
      ...structuredClone(stored),
      callback: typeof callback === 'string' ? callback : null,
      callbackKo: typeof callbackKo === 'string' ? callbackKo : null,
    };
  }

  inspect() {
    return { processes: this.processes.size, created: this.created.length, applied: this.applied.length };
  }

  errorResponse(status: number): SandboxResponse {
    return error(status, MESSAGES[status] ?? (status >= 500 ? 'Server Error' : `Request failed with status ${status}`));
  }

  handle(request: SandboxRequest): SandboxResponse {
    // ours: the sandbox's root is Tecalis's `{url}`; both paths are served as CONTRACTS.md writes them.
    if (request.path === '/customer/status' && request.method === 'PATCH') return this.updateStatus(request);
    if (request.path === '/api/auth' && request.method === 'POST') return this.createProcess(request);
    return error(404, 'Not found');
  }

  /**
   * Gives an existing process its callback URLs (and metadata entries), as if they had
   * been given at its creation: for processes that exist before anyone calls the
   * sandbox (seeded, mirrored), whose creator hands the URLs over later. A process calls
   * back only the URLs it was given, never a default one. False for an unknown process.
   */
  setCallbacks(authUuid: string, callbacks: { readonly callback?: string; readonly callback_ko?: string }, metadata?: Record<string, unknown>): boolean {
    const stored = this.processes.get(authUuid.toLowerCase());
    if (stored === undefined) return false;
    stored.replacements = { ...stored.replacements, ...callbacks };
    if (metadata !== undefined) stored.metadata = { ...(isJsonObject(stored.metadata) ? stored.metadata : {}), ...metadata };
    return true;
  }

  /**
   * A change made at Tecalis by someone else (the customer finishing the flow, an
   * agent): `POST /__sandbox/processes/{auth_uuid}` with `{status, reasons?}`, then the
   * callback. And `PUT /__sandbox/processes/{auth_uuid}/callbacks` with `{callback?,
   * callback_ko?, metadata?}`: {@link setCallbacks} over HTTP, for a sandbox run on its own.
   */
  control(request: SandboxRequest): SandboxResponse | undefined {
    const callbacks = /^\/__sandbox\/processes\/([^/]+)\/callbacks$/.exec(request.path);
    if (callbacks?.[1] !== undefined && request.method === 'PUT') return this.putCallbacks(decodeURIComponent(callbacks[1]), request);
    const match = /^\/__sandbox\/processes\/([^/]+)$/.exec(request.path);
    if (match?.[1] === undefined || request.method !== 'POST') return undefined;
    const stored = this.processes.get(decodeURIComponent(match[1]).toLowerCase());
    if (stored === undefined) return error(404, 'Not found');
    const fields = objectBody(request);
    const status = fields?.status;
    if (typeof status !== 'string' || !(WIRE_FINAL_STATES as readonly string[]).includes(status)) {
      return error(422, `The status must be one of ${WIRE_FINAL_STATES.join(', ')}.`);
    }
    const process = stored.data;
    this.applied.push({ authUuid: process.auth_uuid, from: process.status as WireProcessStatus, to: status as WireFinalState, statusReasons: process.status_reasons });
    process.status = status;
    if (typeof fields?.reasons === 'string') process.status_reasons = fields.reasons;
    process.updated_at = formatWireTimestamp(new Date());
    void this.notify(process.auth_uuid);
    return { status: 200, body: { data: structuredClone(process) } };
  }

  private putCallbacks(authUuid: string, request: SandboxRequest): SandboxResponse {
    const fields = objectBody(request);
    if (fields === undefined) return error(422, 'The request body must be a JSON object.');
    for (const key of ['callback', 'callback_ko']) {
      if (fields[key] !== undefined && !isHttpUrl(fields[key])) return error(422, `The ${key} field must be a valid URL.`);
    }
    if (fields.metadata !== undefined && !isJsonObject(fields.metadata)) return error(422, 'The metadata field must be an object.');
    const given = {
      ...(typeof fields.callback === 'string' && { callback: fields.callback }),
      ...(typeof fields.callback_ko === 'string' && { callback_ko: fields.callback_ko }),
    };
    if (!this.setCallbacks(authUuid, given, isJsonObject(fields.metadata) ? fields.metadata : undefined)) return error(404, 'Not found');
    return { status: 200, body: this.processOf(authUuid) };
  }

  /**
   * ours: a POST of the process `data` plus its `metadata`, to `callback_ko` for KO or
   * CANCELLED (when set), else `callback`; nothing for a process given no URL.
   */
  private async notify(authUuid: string): Promise<void> {
    const stored = this.processes.get(authUuid.toLowerCase());
    if (stored === undefined) return;
    const { callback, callback_ko: callbackKo } = stored.replacements;
    const failed = stored.data.status === 'KO' || stored.data.status === 'CANCELLED';
    const url = failed && typeof callbackKo === 'string' ? callbackKo : typeof callback === 'string' ? callback : undefined;
    if (url === undefined) return;
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: stored.data, metadata: stored.metadata ?? null }),
      signal: AbortSignal.timeout(5_000),
    }).then(
      (response) => response.status,
      () => 'unreachable' as const,
    );
    const sent = { authUuid: stored.data.auth_uuid, status: stored.data.status, url, answer };
    this.callbacksSent.push(sent);
    this.events.emit('callback-sent', sent);
  }

  private updateStatus(request: SandboxRequest): SandboxResponse {
    const fields = objectBody(request);
    // ours: a body that is not a JSON object is a validation error, in Tecalis's shape.
    if (fields === undefined) return error(422, 'The request body must be a JSON object.');
    // ours: the credentials are checked before the state, so a stranger learns nothing about the body.
    if (!this.authorized(fields.api_key)) return notAuthorized();
    // ours: an unknown auth_uuid is refused like a bad key (the pair identifies the caller's process).
    const stored = typeof fields.auth_uuid === 'string' ? this.processes.get(fields.auth_uuid.toLowerCase()) : undefined;
    if (stored === undefined) return notAuthorized();
    // The credentials are strings here (checked above), so the first broken rule is the state's or the reasons'.
    const parsed = statusUpdate.safeParse(fields);
    const broken = parsed.error?.issues[0];
    if (!parsed.success) return broken === undefined ? this.errorResponse(422) : error(422, broken.message);

    const { state } = parsed.data;
    const process = stored.data;
    // The key absent leaves status_reasons as stored; present, even "", replaces it.
    const reasons = parsed.data.reasons ?? process.status_reasons;
    if (process.status !== state || process.status_reasons !== reasons) {
      this.applied.push({ authUuid: process.auth_uuid, from: process.status as WireProcessStatus, to: state, statusReasons: reasons });
      process.status = state;
      process.status_reasons = reasons;
      process.updated_at = formatWireTimestamp(new Date());
      void this.notify(process.auth_uuid);
    }
    return { status: 200, body: { data: structuredClone(process) } };
  }

  /** `POST /api/auth` (doc): starts a process. ours: 201 with `{"data": process}`, the new auth_uuid in it. */
  private createProcess(request: SandboxRequest): SandboxResponse {
    const fields = objectBody(request);
    if (fields === undefined) return error(422, 'The request body must be a JSON object.');
    if (!this.authorized(fields.api_key)) return notAuthorized();
    if (fields.profile_uuid === undefined || fields.profile_uuid === null || fields.profile_uuid === '') {
      return error(422, 'The profile uuid field is required.');
    }
    if (fields.profile_uuid !== this.options.profileUuid) return error(422, 'The selected profile uuid is invalid.');
    const replacements = fields.replacements ?? {};
    if (!isJsonObject(replacements)) return error(422, 'The replacements field must be an object.');
    for (const key of ['callback', 'callback_ko']) {
      if (replacements[key] !== undefined && !isHttpUrl(replacements[key])) return error(422, `The replacements.${key} field must be a valid URL.`);
    }
    const authUuid = this.addProcess({ replacements, metadata: fields.metadata });
    this.created.push(authUuid);
    return { status: 201, body: { data: structuredClone(this.processes.get(authUuid)?.data) } };
  }

  private authorized(apiKey: unknown): boolean {
    return typeof apiKey === 'string' && constantTimeEqual(apiKey, this.options.apiKey);
  }
}

/** Messages of injected failures. ours: Tecalis publishes only the 401 one. */
const MESSAGES: Readonly<Record<number, string>> = {
  401: 'Not authorized',
  404: 'Not found',
  422: 'The given data was invalid.',
  429: 'Too Many Attempts.',
};

function objectBody(request: SandboxRequest): Record<string, unknown> | undefined {
  const body = jsonBody(request);
  return isJsonObject(body) ? body : undefined;
}


function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}


function notAuthorized(): SandboxResponse {
  return error(401, 'Not authorized');
}

function error(status: number, message: string): SandboxResponse {
  return { status, body: { internal_code: status, message } satisfies WireError };
}
