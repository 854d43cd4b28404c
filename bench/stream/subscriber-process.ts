/**
 * The load client of the stream benchmark, in a process of its own so that its CPU is
 * not the gateway's: opens the connections of its plan (graphql-transport-ws, several
 * subscriptions per connection), records each event's receive time, and answers the
 * orchestrator on a small HTTP control port. Prints `SUBSCRIBER_READY <port>`.
 * Usage: subscriber-process.ts <plan.json>
 *
 * It speaks the protocol over `ws` directly rather than through graphql-ws's client: the
 * client side must cost as little per message as possible (one JSON.parse, two pushes).
 */
import fs from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { type AwaitRequest, type AwaitResult, type OpenResult, sharedClock } from './control.js';
import { type ClientPlan, type PlannedConnection } from './plan.js';

const planFile = process.argv[2];
if (planFile === undefined) throw new Error('usage: subscriber-process.ts <plan.json>');
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as ClientPlan;

const QUERY = `subscription ($leadId: ID, $after: ID) { statusChanged(leadId: $leadId, after: $after) { id leadId provider entityId from to occurredAt } }`;
/** Connections opened at once: enough to be quick, few enough not to overflow the accept backlog. */
const OPEN_CONCURRENCY = 50;

interface ServerMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: { data?: { statusChanged?: { id: string } } } | readonly unknown[];
}

const ids = new Map<number, number[]>();
const times = new Map<number, number[]>();
const sockets: WebSocket[] = [];
let received = 0;
let lastEventAt = 0;
let ended = 0;
const endReasons: string[] = [];
let subscribedAt = 0;
/** Set on SIGTERM: closes from then on are ours, not the gateway's. */
let stopping = false;
let waiter: { expected: number; resolve: () => void } | undefined;
let markedAt = sharedClock();
let cpuAtMark = process.cpuUsage();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function end(reason: string): void {
  ended++;
  if (endReasons.length < 20) endReasons.push(reason);
}

function onEvent(index: number, id: number): void {
  ids.get(index)?.push(id);
  times.get(index)?.push(sharedClock());
  received++;
  lastEventAt = performance.now();
  if (waiter !== undefined && received >= waiter.expected) waiter.resolve();
}

/** Opens one connection, waits for its ack, then sends its subscriptions. */
function open(connection: PlannedConnection): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(plan.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    sockets.push(socket);
    let acked = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${plan.token}` } })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      switch (message.type) {
        case 'next': {
          const payload = message.payload as { data?: { statusChanged?: { id: string } } };
          const id = payload.data?.statusChanged?.id;
          if (id === undefined) end(`next without data on ${message.id}: ${JSON.stringify(message.payload).slice(0, 300)}`);
          else onEvent(Number(message.id), Number(id));
          return;
        }
        case 'connection_ack':
          acked = true;
          for (const s of connection.subscriptions) {
            const variables = { ...(s.leadId !== null && { leadId: s.leadId }), ...(s.after !== undefined && { after: s.after }) };
            socket.send(JSON.stringify({ id: String(s.index), type: 'subscribe', payload: { query: QUERY, variables } }));
          }
          subscribedAt = sharedClock();
          resolve();
          return;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          return;
        case 'error':
          end(`error on ${message.id}: ${JSON.stringify(message.payload).slice(0, 300)}`);
          return;
        case 'complete':
          end(`complete on ${message.id}`);
          return;
        default:
          return;
      }
    });
    socket.on('error', (error) => {
      if (!acked) reject(error);
    });
    socket.on('close', (code, reason) => {
      if (!acked) reject(new Error(`closed before the ack: ${code} ${String(reason)}`));
      else if (!stopping) end(`connection closed: ${code} ${String(reason)}`);
    });
  });
}

async function openAll(): Promise<OpenResult> {
  const started = performance.now();
  for (const connection of plan.connections) {
    for (const s of connection.subscriptions) {
      ids.set(s.index, []);
      times.set(s.index, []);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < plan.connections.length) {
      const connection = plan.connections[next++];
      if (connection !== undefined) await open(connection);
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
  const subscriptions = plan.connections.reduce((n, c) => n + c.subscriptions.length, 0);
  return { connections: plan.connections.length, subscriptions, ms: performance.now() - started };
}

function mark(): void {
  for (const list of ids.values()) list.length = 0;
  for (const list of times.values()) list.length = 0;
  received = 0;
  markedAt = sharedClock();
  cpuAtMark = process.cpuUsage();
  loopDelay.reset();
}

async function awaitEvents(request: AwaitRequest): Promise<AwaitResult> {
  let complete = received >= request.expected;
  if (!complete) {
    lastEventAt = Math.max(lastEventAt, performance.now());
    complete = await new Promise<boolean>((resolve) => {
      // Checked twice a second rather than a timer reset per event (tens of thousands a second).
      const stall = setInterval(() => {
        if (performance.now() - lastEventAt > request.stallMs) {
          clearInterval(stall);
          resolve(false);
        }
      }, 500);
      waiter = {
        expected: request.expected,
        resolve: () => {
          clearInterval(stall);
          resolve(true);
        },
      };
    });
    waiter = undefined;
  }
  const cpu = process.cpuUsage(cpuAtMark);
  return {
    received,
    complete,
    records: [...ids.entries()].map(([index, list]) => ({ index, ids: list, times: times.get(index) ?? [] })),
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: sharedClock() - markedAt,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    subscribedAt,
    ended,
    endReasons,
  };
}

async function body(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const control = http.createServer((request, response) => {
  void (async () => {
    try {
      let answer: object;
      if (request.url === '/open') answer = await openAll();
      else if (request.url === '/mark') {
        mark();
        answer = {};
      } else if (request.url === '/await') answer = await awaitEvents(JSON.parse(await body(request)) as AwaitRequest);
      else {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error instanceof Error ? error.stack : error));
    }
  })();
});
control.listen(0, '127.0.0.1', () => {
  const address = control.address();
  process.stdout.write(`SUBSCRIBER_READY ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});

const stop = () => {
  stopping = true;
  for (const socket of sockets) socket.terminate();
  control.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
