import { EventEmitter } from 'node:events';
import { type SandboxBehavior, type SandboxRequest } from '../../src/providers/sandbox/sandbox-server.js';

/** A request that got past the sandbox's fault injection, as the provider's logic sees it. */
export interface ProbedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
}

/** A request the provider's logic answered. */
export interface HandledRequest extends ProbedRequest {
  readonly status: number;
}

/** Holds back the answer to the next request `match` selects until `release()`; the request itself is processed. */
export interface AnswerHold {
  /** Resolves when the held request has been processed and its answer is waiting. */
  readonly reached: Promise<HandledRequest>;
  release(): void;
}

/** Stops the requests `match` selects before the provider's logic sees them, until released. */
export interface RequestGate {
  /** Requests stopped at the gate now. */
  readonly waiting: number;
  /** Resolves once `count` requests are stopped at the gate. */
  untilWaiting(count: number): Promise<void>;
  /** Lets the `count` oldest waiting requests through; without a count, opens the gate for good. */
  release(count?: number): void;
}

/** Watches what a sandbox in this process handles: every request, as it is answered. */
export interface SandboxProbe {
  /** In the order the provider's logic answered them. */
  readonly handled: readonly HandledRequest[];
  /**
   * Runs `action` synchronously as soon as `condition` holds (at once if it already does),
   * checking after every request the sandbox answers or stops at a gate. The check runs
   * inside the sandbox's handler, before the answer is sent, and nothing else the sandbox
   * does runs in between: a test can SIGKILL a client at an exact point of the provider's progress.
   */
  when(condition: () => boolean, action: () => void): void;
  /** Resolves once `condition` holds; checked as {@link when} checks. */
  until(condition: () => boolean): Promise<void>;
  /** See {@link AnswerHold}. */
  holdNextAnswer(match: (request: HandledRequest) => boolean): AnswerHold;
  /** See {@link RequestGate}. */
  gate(match: (request: ProbedRequest) => boolean): RequestGate;
  /** Puts the sandbox's own handler back and lets everything held or stopped go. */
  detach(): void;
}

interface Hold {
  readonly match: (request: HandledRequest) => boolean;
  readonly released: Promise<void>;
  readonly reached: (request: HandledRequest) => void;
  readonly release: () => void;
}

interface Gate {
  readonly match: (request: ProbedRequest) => boolean;
  readonly queue: Array<() => void>;
}

/**
 * Wraps `behavior.handle`, so a test sees the requests a sandbox processed (with the
 * idempotency key each carried), can hold them at chosen points, and can wait for the
 * sandbox's progress on events rather than on time. The sandbox counts calls but neither
 * keeps the requests nor tells anyone when it is done with one; this is the smallest way
 * to learn both.
 */
export function probeSandbox(behavior: SandboxBehavior): SandboxProbe {
  const handled: HandledRequest[] = [];
  const events = new EventEmitter().setMaxListeners(0);
  const holds: Hold[] = [];
  const unreleased = new Set<Hold>();
  const gates: Gate[] = [];
  const original = behavior.handle.bind(behavior);

  behavior.handle = async (request: SandboxRequest) => {
    const key = request.headers['idempotency-key'];
    const seen: ProbedRequest = { method: request.method, path: request.path, idempotencyKey: Array.isArray(key) ? key[0] : key };
    const gate = gates.find((g) => g.match(seen));
    if (gate !== undefined) {
      await new Promise<void>((pass) => {
        gate.queue.push(pass);
        events.emit('progress');
      });
    }
    const response = await original(request);
    const entry: HandledRequest = { ...seen, status: response.status };
    handled.push(entry);
    events.emit('progress');
    const hold = holds.find((h) => h.match(entry));
    if (hold !== undefined) {
      holds.splice(holds.indexOf(hold), 1);
      hold.reached(entry);
      await hold.released;
    }
    return response;
  };

  const when = (condition: () => boolean, action: () => void) => {
    if (condition()) {
      action();
      return;
    }
    const check = () => {
      if (!condition()) return;
      events.off('progress', check);
      action();
    };
    events.on('progress', check);
  };
  const until = (condition: () => boolean) => new Promise<void>((resolve) => when(condition, resolve));

  return {
    handled,
    when,
    until,
    holdNextAnswer(match) {
      let release!: () => void;
      let reached!: (r: HandledRequest) => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const reachedPromise = new Promise<HandledRequest>((resolve) => (reached = resolve));
      const hold: Hold = { match, released, reached, release };
      holds.push(hold);
      unreleased.add(hold);
      return {
        reached: reachedPromise,
        release() {
          const at = holds.indexOf(hold);
          if (at >= 0) holds.splice(at, 1);
          unreleased.delete(hold);
          release();
        },
      };
    },
    gate(match) {
      const gate: Gate = { match, queue: [] };
      gates.push(gate);
      return {
        get waiting() {
          return gate.queue.length;
        },
        untilWaiting: (count) => until(() => gate.queue.length >= count),
        release(count) {
          if (count === undefined) {
            const at = gates.indexOf(gate);
            if (at >= 0) gates.splice(at, 1);
          }
          for (const pass of gate.queue.splice(0, count ?? gate.queue.length)) pass();
        },
      };
    },
    detach() {
      // The wrapper is an own property over the class's method: removing it restores the method.
      Reflect.deleteProperty(behavior, 'handle');
      for (const gate of gates.splice(0)) for (const pass of gate.queue.splice(0)) pass();
      holds.splice(0);
      for (const hold of unreleased) hold.release();
      unreleased.clear();
      events.removeAllListeners();
    },
  };
}
