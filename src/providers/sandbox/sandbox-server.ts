import http, { type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A request as a sandbox sees it. */
export interface SandboxRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
}

/** A sandbox's answer. */
export interface SandboxResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What makes a sandbox one provider rather than another. */
export interface SandboxBehavior {
  /** For logs and the control API, e.g. `techea`. */
  readonly name: string;
  handle(request: SandboxRequest): Promise<SandboxResponse> | SandboxResponse;
  /** The provider's own error shape, for an injected failure with this status. */
  errorResponse(status: number): SandboxResponse;
  /** A summary of the state, for the control API and tests (what was applied, how often). */
  inspect(): unknown;
  /**
   * Routes of its own under `/__sandbox/` (e.g. a change made at the provider by
   * someone else); undefined when the path is not one of them.
   */
  control?(request: SandboxRequest): Promise<SandboxResponse | undefined> | SandboxResponse | undefined;
  /**
   * Other ways the real provider may answer a call that succeeded, as its reference
   * page's examples do rather than as our reading of the page: each turns the normal
   * 2xx answer (the change already applied) into the variant. Chosen with the fault
   * setting `answerVariant`, so tests cover the clients' tolerant readers.
   */
  readonly answerVariants?: Readonly<Record<string, (answer: SandboxResponse, request: SandboxRequest) => SandboxResponse>>;
}

/** Failures the sandbox injects, so tests and benchmarks can drive the client's error paths. */
export interface FaultSettings {
  /** Added to every provider call (not to the control API). */
  readonly latencyMs: number;
  /** Share of calls, 0 to 1, answered with `failureStatus` instead of being handled. */
  readonly failureRate: number;
  readonly failureStatus: number;
  /** The next `forceCount` calls are answered with `forceStatus`, before anything else. */
  readonly forceStatus: number;
  readonly forceCount: number;
  /** Sent as `Retry-After` on injected failures, when set. */
  readonly retryAfterSeconds: number | null;
  /** One of the behaviour's {@link SandboxBehavior.answerVariants}: how its successful answers look. */
  readonly answerVariant: string | null;
}

const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  failureRate: 0,
  failureStatus: 503,
  forceStatus: 503,
  forceCount: 0,
  retryAfterSeconds: null,
  answerVariant: null,
};

/** How many provider calls {@link SandboxServer.requests} keeps. */
const REQUEST_LOG_SIZE = 200;

/** Where the control API lives; the providers have no such paths. */
export const CONTROL_PATH = '/__sandbox';

/**
 * A provider sandbox: a real HTTP server with the provider's behaviour, in-memory
 * state, and fault injection. Controlled in-process (`setFaults`) or over HTTP:
 * `GET /__sandbox` (state and faults), `PUT /__sandbox/faults` (JSON of
 * {@link FaultSettings} fields), `DELETE /__sandbox/faults`.
 */
export class SandboxServer {
  private server: http.Server | undefined;
  private faults: FaultSettings = NO_FAULTS;
  /** Where it listens, once started. */
  baseUrl: URL | undefined;
  /** Calls answered, and calls answered with an injected failure. */
  readonly stats = { calls: 0, injectedFailures: 0 };
  /**
   * The latest provider calls as they arrived (not the control API), oldest first, at
   * most {@link REQUEST_LOG_SIZE}: what a test checks a client sent, to the byte.
   */
  readonly requests: SandboxRequest[] = [];
  /** The hold the next call waits on (see {@link holdNext}). */
  private hold: { readonly arrived: (request: SandboxRequest) => void; readonly released: Promise<void> } | undefined;

  constructor(
    readonly behavior: SandboxBehavior,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts listening; resolves with the base URL (a free port when `port` is 0). */
  async start(port = 0, host = '127.0.0.1'): Promise<URL> {
    const server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = new URL(`http://${host}:${address.port}`);
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Holds the next provider call in flight, once recorded, until `release` is called:
   * `reached` resolves when it arrives. For a test that acts while a call is in flight
   * (a rotation, a stop), on the event rather than on a delay.
   */
  holdNext(): { readonly reached: Promise<SandboxRequest>; release(): void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: (request: SandboxRequest) => void;
    const reached = new Promise<SandboxRequest>((resolve) => (arrived = resolve));
    this.hold = { arrived, released };
    return { reached, release };
  }

  setFaults(faults: Partial<FaultSettings>): void {
    this.faults = { ...this.faults, ...faults };
  }

  clearFaults(): void {
    this.faults = NO_FAULTS;
  }

  currentFaults(): FaultSettings {
    return this.faults;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let response: SandboxResponse;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const request: SandboxRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      response = request.path.startsWith(CONTROL_PATH)
        ? ((await this.behavior.control?.(request)) ?? this.control(request))
        : await this.call(request);
    } catch (error) {
      // A bug in a sandbox must look like a provider outage, not hang the client.
      response = this.behavior.errorResponse(500);
      console.error(`sandbox ${this.behavior.name}:`, error);
    }
    const body = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, {
      ...(body !== '' && { 'content-type': 'application/json' }),
      ...response.headers,
    });
    res.end(body);
  }

  private async call(request: SandboxRequest): Promise<SandboxResponse> {
    this.stats.calls++;
    this.requests.push(request);
    if (this.requests.length > REQUEST_LOG_SIZE) this.requests.shift();
    const hold = this.hold;
    if (hold !== undefined) {
      this.hold = undefined;
      hold.arrived(request);
      await hold.released;
    }
    // The fate of the call is decided on arrival, before any latency: overlapping calls each
    // take their own share of `forceCount`, and a change to the faults during the delay stands.
    const faults = this.faults;
    let injected: number | undefined;
    if (faults.forceCount > 0) {
      this.faults = { ...faults, forceCount: faults.forceCount - 1 };
      injected = faults.forceStatus;
    } else if (faults.failureRate > 0 && this.random() < faults.failureRate) {
      injected = faults.failureStatus;
    }
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (injected !== undefined) {
      this.stats.injectedFailures++;
      const response = this.behavior.errorResponse(injected);
      return faults.retryAfterSeconds === null
        ? response
        : { ...response, headers: { ...response.headers, 'retry-after': String(faults.retryAfterSeconds) } };
    }
    const answer = await this.behavior.handle(request);
    const variant = faults.answerVariant === null ? undefined : this.behavior.answerVariants?.[faults.answerVariant];
    return variant !== undefined && answer.status >= 200 && answer.status <= 299 ? variant(answer, request) : answer;
  }

  private control(request: SandboxRequest): SandboxResponse {
    if (request.path === CONTROL_PATH && request.method === 'GET') {
      return { status: 200, body: { name: this.behavior.name, faults: this.faults, stats: this.stats, state: this.behavior.inspect() } };
    }
    if (request.path === `${CONTROL_PATH}/faults` && request.method === 'PUT') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.rawBody);
      } catch {
        return { status: 400, body: { error: 'the body must be a JSON object of fault settings' } };
      }
      const problem = checkFaults(parsed, Object.keys(this.behavior.answerVariants ?? {}));
      if (problem !== undefined) return { status: 400, body: { error: problem } };
      this.setFaults(parsed as Partial<FaultSettings>);
      return { status: 200, body: this.faults };
    }
    if (request.path === `${CONTROL_PATH}/faults` && request.method === 'DELETE') {
      this.clearFaults();
      return { status: 200, body: this.faults };
    }
    return { status: 404, body: { error: `no sandbox control route ${request.method} ${request.path}` } };
  }
}

function checkFaults(value: unknown, variants: readonly string[]): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object of fault settings';
  for (const [key, v] of Object.entries(value)) {
    if (!(key in NO_FAULTS)) return `unknown fault setting "${key}"`;
    if (key === 'answerVariant') {
      if (v === null || (typeof v === 'string' && variants.includes(v))) continue;
      return `answerVariant must be null or one of: ${variants.join(', ') || '(none for this provider)'}`;
    }
    if (key === 'retryAfterSeconds' && v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${key} must be a non-negative number`;
    if (key === 'failureRate' && v > 1) return 'failureRate must be between 0 and 1';
    if ((key === 'failureStatus' || key === 'forceStatus') && (v < 400 || v > 599 || !Number.isInteger(v))) {
      return `${key} must be an HTTP error status (400 to 599)`;
    }
  }
  return undefined;
}

/** A request header's value (the first, if sent more than once). */
export function headerOf(request: SandboxRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a JSON body, or answers `undefined` for a body that is not JSON. */
export function jsonBody(request: SandboxRequest): unknown {
  try {
    return JSON.parse(request.rawBody) as unknown;
  } catch {
    return undefined;
  }
}
