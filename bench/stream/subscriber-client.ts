import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BenchProcess, startNodeScript } from '../lib/child-process.js';
import { type AwaitRequest, type AwaitResult, type OpenResult } from './control.js';
import { type ClientPlan, type StreamPlan } from './plan.js';

/** A subscriber process, seen from the orchestrator. */
export interface SubscriberClient {
  readonly process: BenchProcess;
  /** Opens every connection and subscription of its plan. */
  open(): Promise<OpenResult>;
  /** Forgets what was received so far and restarts its CPU and event-loop measurement. */
  mark(): Promise<void>;
  /** Resolves once `expected` events arrived since the mark, or after the timeout. */
  awaitEvents(request: AwaitRequest): Promise<AwaitResult>;
  stop(): Promise<void>;
}

/** Starts `subscriber-process.ts` on `plan` (handed over in a temporary file: a plan of 20k subscriptions is too long for argv). */
export async function startSubscriber(plan: ClientPlan): Promise<SubscriberClient> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-stream-'));
  const file = path.join(dir, 'plan.json');
  await fs.writeFile(file, JSON.stringify(plan));
  const child = startNodeScript('bench/stream/subscriber-process.ts', [file], { readyPattern: /SUBSCRIBER_READY (\d+)\n/ });
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  let port: string;
  try {
    port = (await child.ready)[1] ?? '';
  } catch (error) {
    await cleanup();
    throw error;
  }
  const call = async <T>(route: string, body?: object): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      // An await may last as long as its drain timeout.
      signal: AbortSignal.timeout(600_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`subscriber ${route} failed: ${text}\n${child.output().slice(-2000)}`);
    return JSON.parse(text) as T;
  };
  return {
    process: child,
    open: () => call<OpenResult>('/open'),
    mark: () => call<object>('/mark').then(() => undefined),
    awaitEvents: (request) => call<AwaitResult>('/await', request),
    stop: async () => {
      await child.stop();
      await cleanup();
    },
  };
}

/** Starts a subscriber process for each of the plan's clients (each added to `started`, to stop later) and opens them all. */
export async function openPlan(plan: StreamPlan, started: SubscriberClient[]): Promise<void> {
  for (const client of plan.clients) started.push(await startSubscriber(client));
  await Promise.all(started.map((client) => client.open()));
}
