import { setTimeout as delay } from 'node:timers/promises';
import { canonicalJson } from '../json.js';
import { headerOf, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import { problem } from './sandbox-answers.js';

type IdempotencyEntry = { fingerprint: string; state: 'in_flight' } | { fingerprint: string; state: 'done'; response: SandboxResponse };

/**
 * Lead Bank's idempotency: no key → 400; the same key with another request → 422;
 * while the first is in flight → 409; after a success → its response replayed. Only a
 * success keeps the key, so a refused request can be corrected and sent again.
 * ours: keys are per sandbox (one client); the request is the method, path and JSON body.
 */
export class IdempotencyKeys {
  private readonly entries = new Map<string, IdempotencyEntry>();
  private readonly holds = new Set<AbortController>();
  private inFlightListeners: Array<(key: string) => void> = [];

  /** How long a write holds its key in flight before it is processed (0: not at all). */
  constructor(public processingDelayMs: number) {}

  /** Keys that stored a response, and keys in flight. */
  summary(): { stored: number; inFlight: number } {
    const keys = [...this.entries.values()];
    return { stored: keys.filter((k) => k.state === 'done').length, inFlight: keys.filter((k) => k.state === 'in_flight').length };
  }

  /** Resolves with the key when a write next takes its idempotency key in flight. */
  nextInFlight(): Promise<string> {
    return new Promise((resolve) => this.inFlightListeners.push(resolve));
  }

  /** Ends every processing delay now, so a held write completes without waiting out `processingDelayMs`. */
  release(): void {
    for (const hold of this.holds) hold.abort();
  }

  /** Runs `process` for `request` under its key, or answers as the key's state says. */
  async run(request: SandboxRequest, process: () => SandboxResponse): Promise<SandboxResponse> {
    const key = headerOf(request, 'idempotency-key');
    if (key === undefined || key === '') return problem(400, 'operation_not_allowed', 'The Idempotency-Key header is required');
    if (key.length > 255) return problem(400, 'operation_not_allowed', 'The Idempotency-Key header must be at most 255 characters');
    const fingerprint = `${request.method} ${request.path} ${canonical(request.rawBody)}`;
    const known = this.entries.get(key);
    if (known !== undefined && known.fingerprint !== fingerprint) {
      return problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request');
    }
    if (known?.state === 'in_flight') return problem(409, 'idempotency_key_in_flight', 'A request with this Idempotency-Key is still being processed');
    if (known?.state === 'done') return structuredClone(known.response);

    this.entries.set(key, { fingerprint, state: 'in_flight' });
    const listeners = this.inFlightListeners;
    this.inFlightListeners = [];
    for (const listener of listeners) listener(key);
    try {
      await this.hold();
      const response = process();
      if (response.status >= 200 && response.status < 300) this.entries.set(key, { fingerprint, state: 'done', response: structuredClone(response) });
      else this.entries.delete(key);
      return response;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
  }

  private async hold(): Promise<void> {
    if (this.processingDelayMs <= 0) return;
    const controller = new AbortController();
    this.holds.add(controller);
    try {
      await delay(this.processingDelayMs, undefined, { signal: controller.signal });
    } catch {
      // Released early by release().
    } finally {
      this.holds.delete(controller);
    }
  }
}

/** The body as JSON with sorted keys, so the same request in another key order is the same request (nulls kept: in a merge patch they remove). */
function canonical(rawBody: string): string {
  try {
    return canonicalJson(JSON.parse(rawBody), { omitNull: false });
  } catch {
    return rawBody;
  }
}
