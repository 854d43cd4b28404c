import autocannon from 'autocannon';
import { type LatencySummary, summarize } from './stats.js';

/** One HTTP request of a load run. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A closed-loop load: `connections` clients, each sending its next request when the last is answered. */
export interface LoadOptions {
  /** Origin of the server, e.g. `http://127.0.0.1:4000`. */
  readonly origin: string;
  readonly connections: number;
  readonly seconds: number;
  /** The n-th request of the run (n counts from 0 across all connections): lets every request be distinct. */
  readonly request: (n: number) => LoadRequest;
  /** Whether an answer is a right one; a body that is not counts in `wrong` (HTTP 200 with errors, say). */
  readonly check: (status: number, body: string) => boolean;
}

/** What a load run measured. Latency is per request, in ms; a run with `wrong` answers is not a valid measurement. */
export interface LoadResult {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  /** Right answers per second. */
  readonly throughput: number;
  readonly latency: LatencySummary;
  /** Answers that failed `check`, and socket errors or timeouts. */
  readonly wrong: number;
  readonly errors: number;
  /** The first wrong answer, to show what went wrong. */
  readonly firstWrong?: string;
}

/**
 * Runs one load with autocannon. Latencies are taken from autocannon's per-response
 * event, in fractional milliseconds (its own histogram rounds to whole ms, too coarse
 * for sub-millisecond differences). Throughput counts right answers only.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  let issued = 0;
  const latencies: number[] = [];
  let wrong = 0;
  let firstWrong: string | undefined;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        duration: options.seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (request: autocannon.Request) => ({ ...request, ...options.request(issued++) }),
            onResponse: (status: number, body: string) => {
              if (!options.check(status, body)) {
                wrong++;
                firstWrong ??= `${status} ${body.slice(0, 500)}`;
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const summary = summarize(latencies);
        resolve({
          connections: options.connections,
          seconds: options.seconds,
          requests: result.requests.total,
          throughput: (result.requests.total - wrong) / options.seconds,
          latency: summary,
          wrong,
          errors: result.errors + result.timeouts,
          ...(firstWrong !== undefined && { firstWrong }),
        });
      },
    );
    // autocannon 9 emits (client, statusCode, bytes, responseTime); its typings omit the client.
    (instance as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}
