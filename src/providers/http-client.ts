import { request as undiciRequest } from 'undici';
import { PATH_SAFE_ID } from '../domain/ids.js';
import { type Logger } from '../logger.js';
import { type ProviderRequestOutcome } from '../observability/observers.js';
import { currentScope } from '../observability/request-context.js';
import { codeForStatus, ProviderCallError } from './provider-error.js';
import { redact } from './redact.js';

/** One request to a provider. */
export interface ProviderRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  readonly form?: Readonly<Record<string, string>>;
}

/** A response's headers, read by name (any case). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/** What the provider answered, whatever the status. */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
  /** The body as received. */
  readonly text: string;
}

/** How much of a provider's answer is kept with a dispatch. */
const KEPT_ANSWER_CHARS = 4_096;

/** How one provider is talked to. */
export interface ProviderHttpOptions {
  /** For logs: `techea`, `leadbank`, … */
  readonly provider: string;
  /** Bounds every call, connection included. */
  readonly timeoutMs: number;
  /** Values to remove from anything that reaches an error or a log. */
  readonly secrets: readonly string[];
  readonly logger: Logger;
}

/**
 * The one place that calls the providers: a bounded timeout, JSON in and out,
 * transport failures turned into neutral codes, timings logged without bodies. Calls
 * go through undici's `request`, the client behind Node's `fetch` without its WHATWG
 * streams: the same keep-alive pool, at a third of `fetch`'s CPU per call.
 */
export class ProviderHttpClient {
  /** Secrets learnt while running (bearer tokens); only the newest few are kept. */
  private readonly learnt: string[] = [];

  constructor(readonly options: ProviderHttpOptions) {}

  /** Adds a secret issued at run time (an access token) to what is removed from messages. */
  rememberSecret(value: string): void {
    if (this.learnt.includes(value)) return;
    this.learnt.push(value);
    if (this.learnt.length > 4) this.learnt.shift();
  }

  async send(request: ProviderRequest): Promise<ProviderResponse> {
    const { provider, timeoutMs, logger } = this.options;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    // Counted by the gateway instance whose work this is (labels: provider and outcome only, no URL).
    const observer = currentScope()?.providerCalls;
    const started = performance.now();
    let status: number;
    let responseHeaders: ResponseHeaders;
    let text: string;
    // The signal bounds the whole call: connection, request, answer and its body. Not
    // `AbortSignal.timeout`: its timer cannot be cleared, so every call's would fire
    // long after the answer, building a TimeoutError and running undici's abort
    // listeners for nothing (5 % of a mutation's CPU, measured with cpu-per-mutation.ts).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`${provider} did not answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const response = await undiciRequest(request.url, { method: request.method, headers, body, signal: deadline.signal });
      status = response.statusCode;
      responseHeaders = headersOf(response.headers);
      // A body that cannot be read whole leaves the status to speak (a 2xx stays a success).
      text = await response.body.text().catch(() => '');
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      logger.warn({ provider, method: request.method, path: request.url.pathname, timedOut }, 'provider call failed');
      observer?.providerRequest(provider, timedOut ? 'timeout' : 'unreachable', (performance.now() - started) / 1000);
      observer?.providerError(provider, timedOut ? 'TIMEOUT' : 'UNAVAILABLE');
      throw timedOut
        ? new ProviderCallError('TIMEOUT', `${provider} did not answer within ${timeoutMs} ms`)
        : new ProviderCallError('UNAVAILABLE', `${provider} could not be reached: ${this.clean(describe(error))}`);
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const elapsedMs = performance.now() - started;
    logger.debug({ provider, method: request.method, path: request.url.pathname, status, ms: Math.round(elapsedMs) }, 'provider call');
    observer?.providerRequest(provider, statusClass(status), elapsedMs / 1000);
    return { status, headers: responseHeaders, body: parsed, text };
  }

  /** The error for a non-2xx answer: the neutral code of its status, the provider's message, Retry-After. */
  failure(response: ProviderResponse, providerMessage: string): ProviderCallError {
    const code = codeForStatus(response.status);
    currentScope()?.providerCalls?.providerError(this.options.provider, code);
    return new ProviderCallError(code, this.clean(providerMessage), response.status, parseRetryAfter(response.headers.get('retry-after')));
  }

  /**
   * A part of a successful answer that could not be read. The provider did what it
   * was asked, so this is never a failure: it is logged, counted per provider and
   * field, and returned as a note to keep with the dispatch.
   */
  unread(response: ProviderResponse, field: string, problem: string): string {
    const note = this.clean(`${field}: ${problem}`);
    currentScope()?.providerCalls?.providerAnswerUnread(this.options.provider, field);
    this.options.logger.warn({ provider: this.options.provider, status: response.status, field, note }, 'provider answer partly unreadable');
    return note;
  }

  /** The answer as received, bounded and without secrets: kept with the dispatch for whoever has to look later. */
  keptAnswer(response: ProviderResponse): string {
    const text = response.text.length > KEPT_ANSWER_CHARS ? `${response.text.slice(0, KEPT_ANSWER_CHARS)}…` : response.text;
    return this.clean(text);
  }

  /** A 2xx answer that breaks the provider's contract. */
  invalidResponse(response: ProviderResponse, problem: string): ProviderCallError {
    currentScope()?.providerCalls?.providerError(this.options.provider, 'INVALID_RESPONSE');
    return new ProviderCallError('INVALID_RESPONSE', this.clean(`${this.options.provider} answered ${response.status} with ${problem}`), response.status);
  }

  /** Text with every configured secret removed. */
  clean(text: string): string {
    return redact(text, [...this.options.secrets, ...this.learnt]);
  }
}

/** `base` + `path`, keeping the base URL's own path (e.g. TECHEA's `/api/v1`). */
/**
 * One id as a URL path segment. The inputs were checked already (`requirePathSafeId`,
 * UUIDs, `application_…`); this is the last line, at the place the URL is made: a
 * segment that could leave its path is a bug, and nothing is sent.
 */
export function pathSegment(id: string): string {
  if (!PATH_SAFE_ID.test(id)) throw new Error(`refusing to put ${JSON.stringify(id.slice(0, 40))} in a provider URL path`);
  return id;
}

export function endpoint(base: URL, path: string): URL {
  return new URL(path, base.href.endsWith('/') ? base : new URL(`${base.href}/`));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function statusClass(status: number): ProviderRequestOutcome {
  return status < 200 ? '1xx' : status < 300 ? '2xx' : status < 400 ? '3xx' : status < 500 ? '4xx' : '5xx';
}

function describe(error: unknown): string {
  // undici's own errors carry the code (ECONNREFUSED, UND_ERR_SOCKET, …); fetch's put it in their cause.
  const { code, cause } = error as { code?: unknown; cause?: { code?: string; message?: string } };
  if (typeof code === 'string') return code;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** undici's header object (lower-case names; a repeated header as a list) read by name. */
function headersOf(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  return {
    get: (name) => {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
