import { type WebSocket } from 'ws';

/** RFC 6455: no status code was present in the close frame. */
const NO_STATUS = 1005;

/**
 * Calls `ended` once, when `socket` has closed, with the code it ended with: the one the
 * gateway closed it with, whichever part did (graphql-ws, `ws` itself on a bad frame,
 * the credential watch, a slow consumer, shutdown); otherwise the client's, or 1006 when
 * the connection dropped without a close frame. `ws` reports the peer's echo at its
 * `close` event (a client may echo anything, or nothing), so the gateway's own code is
 * taken from its first call to `close` on this socket.
 */
export function onSocketEnd(socket: WebSocket, ended: (code: number) => void): void {
  let sent: number | undefined;
  const close = socket.close.bind(socket);
  // An own property shadows the prototype's method for every caller, `ws`'s own included.
  socket.close = (code?: number, reason?: string | Buffer) => {
    if (sent === undefined && socket.readyState === socket.OPEN) sent = code ?? NO_STATUS;
    close(code, reason);
  };
  socket.once('close', (code: number) => ended(sent ?? code));
}
