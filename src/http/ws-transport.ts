import { CloseCode, handleProtocols, makeServer, MessageType, type ServerOptions } from 'graphql-ws';
import type http from 'node:http';
import { type Duplex } from 'node:stream';
import { type WebSocket, type WebSocketServer } from 'ws';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { type Logger } from '../logger.js';
import { spliceSerializedPayload } from './serialized-payload.js';

/** What the graphql-ws server sees of a connection, besides its own state. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: http.IncomingMessage;
}

/** RFC 6455's "Try Again Later". */
const TRY_AGAIN_LATER = 1013;

/** Bytes a connection may have waiting in its socket before a send waits for its write. */
const SEND_BUFFER_BYTES = 256 * 1024;

/** Message types only a server may send: a client sending one breaks the protocol. */
const SERVER_ONLY: ReadonlySet<string> = new Set([MessageType.ConnectionAck, MessageType.Next, MessageType.Error]);

/**
 * Runs a graphql-ws protocol server on a `ws` server. This is graphql-ws's own
 * `use/ws` glue with three changes: a client that sends a server-only message is
 * closed with 4400 (graphql-ws would throw and close with 4500), socket errors such
 * as an oversized frame (which `ws` already closes with 1009) are logged at debug
 * level instead of printed with `console.error`, and unexpected errors go to the
 * gateway's log (a database down or hung closes with 1013 "try again later", not 4500).
 */
export function serveGraphQLOverWebSocket<E extends Record<PropertyKey, unknown>>(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown>, WsExtra & Partial<E>>,
  logger: Logger,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => logger.error({ err: error }, 'WebSocket server error'));

  wss.on('connection', (socket, request) => {
    socket.on('error', (error) => logger.debug({ err: error }, 'WebSocket closed on a protocol error'));

    // Messages sent in one turn of the event loop (a replayed page of changes, the events of
    // one read of the log) leave in one write instead of one system call each: the TCP
    // socket under `ws` is corked at the first and uncorked once the turn is over.
    // (`_socket` is ws's own field for it; ws itself corks it around each frame.)
    const tcp = (socket as unknown as { _socket?: Duplex })._socket;
    let corked = false;
    const batchWrites = () => {
      if (corked || tcp === undefined) return;
      corked = true;
      tcp.cork();
      setImmediate(() => {
        corked = false;
        tcp.uncork();
      });
    };

    // Keep-alive: a peer that does not answer a ping within the interval is dropped.
    let pongWait: NodeJS.Timeout | undefined;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, keepAliveMs);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        // graphql-ws awaits each message before it takes the next from the operation. Waiting
        // for the socket to flush every one would cost a round of the event loop per event
        // (a replay of 100,000 changes is 100,000 of them); so a message resolves at once
        // while little is buffered, and waits for its write only above SEND_BUFFER_BYTES,
        // which keeps a slow reader's buffer bounded all the same.
        send: (message) =>
          new Promise<void>((resolve, reject) => {
            // First, while the message graphql-ws just serialized is the last one (see serialized-payload.ts).
            const data = spliceSerializedPayload(message);
            if (socket.readyState !== socket.OPEN) return resolve();
            batchWrites();
            if (socket.bufferedAmount < SEND_BUFFER_BYTES) {
              socket.send(data);
              return resolve();
            }
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => {
          // A database down or hung is no bug: "try again later" (1013), which clients retry.
          const failed = (error: unknown) => {
            if (isDatabaseUnavailable(error)) {
              logger.warn({ err: error }, 'the database is unavailable; WebSocket closed with 1013');
              socket.close(TRY_AGAIN_LATER, 'SERVICE_UNAVAILABLE: try again shortly');
              return;
            }
            logger.error({ err: error }, 'error while handling a WebSocket message');
            socket.close(CloseCode.InternalServerError, 'Internal server error');
          };
          socket.on('message', (data, isBinary) => {
            // Parsed once, here: graphql-ws takes a parsed message as it is (its `parseMessage`
            // parses only a string), and its handling of a `subscribe` lasts as long as the
            // subscription and holds what it was given; the message's text is then garbage at once.
            const message = isBinary ? undefined : parsedOrText(textOf(data));
            if (message === undefined || SERVER_ONLY.has(typeOf(message))) {
              socket.close(CloseCode.BadRequest, 'Invalid message received');
              return;
            }
            // Not awaited in an async function: graphql-ws's handling of a `subscribe` lasts
            // as long as the subscription, and a frame waiting on it would hold the message
            // for all that time too (see bench/README.md, "what an idle subscription holds").
            let handled: Promise<void>;
            try {
              // Typed as the text it usually is; a text that is no JSON goes as it came, for graphql-ws to refuse.
              handled = handle(message as string);
            } catch (error) {
              return failed(error);
            }
            handled.catch(failed);
          });
        },
      },
      { socket, request } as WsExtra & Partial<E>,
    );

    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A text frame's content, whichever form `ws` delivered it in. */
function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

/**
 * The text parsed as JSON, or the text itself when it is not JSON, or when it is a JSON
 * string: graphql-ws would parse that string again, and a message sent encoded twice
 * must be refused as any other text that is no message.
 */
function parsedOrText(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'string' ? text : parsed;
  } catch {
    return text;
  }
}

/** The `type` of a parsed protocol message, or '' when it is not one (graphql-ws answers those itself). */
function typeOf(message: unknown): string {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : '';
}
