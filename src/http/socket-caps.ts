import type http from 'node:http';
import { type ClientAddressOf } from './client-address.js';

/** The caps, from `WS_MAX_PENDING_PER_ADDRESS` and `WS_MAX_CONNECTIONS_PER_CREDENTIAL`. */
export interface SocketCapsOptions {
  /** WebSockets one address may hold before their `connection_init` succeeds. */
  readonly pendingPerAddress: number;
  /** WebSockets one credential (API key or JWT subject) may hold open. */
  readonly perCredential: number;
  /** Who the client of an upgrade is (the TCP peer, or what trusted proxies say). */
  readonly addressOf: ClientAddressOf;
}

/** The part of a socket whose end a cap waits for. */
interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Caps on the WebSockets of one instance. A socket lives on the instance it reached, so
 * these count in its memory and hold per instance, unlike the rate limits, which the
 * fleet shares:
 * - sockets not yet authenticated, per client address: a slot is taken at the upgrade
 *   and given back when `connection_init` succeeds or the connection ends, however it
 *   ends; past the cap the upgrade is refused before a socket exists. Such a socket
 *   costs memory and a timer and has proved nothing (graphql-ws gives it 10 s);
 * - open sockets per credential: a slot is taken at `connection_init` and given back
 *   when the socket closes.
 */
export class SocketCaps {
  private readonly pending = new Map<string, number>();
  private readonly pendingReleases = new WeakMap<http.IncomingMessage, () => void>();
  private readonly open = new Map<string, number>();

  constructor(readonly options: SocketCapsOptions) {}

  /** Takes a slot for an upgrade from its address; false (take none) when the address has none left. */
  admitUpgrade(request: http.IncomingMessage): boolean {
    const address = this.options.addressOf(request);
    if ((this.pending.get(address) ?? 0) >= this.options.pendingPerAddress) return false;
    const release = take(this.pending, address);
    const once = () => {
      request.socket.off('close', once);
      this.pendingReleases.delete(request);
      release();
    };
    // The TCP connection's end, whichever way: closed, refused later in the handshake, timed out.
    request.socket.once('close', once);
    this.pendingReleases.set(request, once);
    return true;
  }

  /** The socket of this upgrade has authenticated: its address's slot is free again. */
  authenticated(request: http.IncomingMessage): void {
    this.pendingReleases.get(request)?.();
  }

  /** Takes one of the credential's slots until `socket` closes; false (take none) when it has none left. */
  claim(credential: string, socket: Closable): boolean {
    if ((this.open.get(credential) ?? 0) >= this.options.perCredential) return false;
    socket.once('close', take(this.open, credential));
    return true;
  }
}

/** Counts one for `key`; returns the call that gives it back (once), dropping keys at zero. */
function take(counts: Map<string, number>, key: string): () => void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  let given = false;
  return () => {
    if (given) return;
    given = true;
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
}
