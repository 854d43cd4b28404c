import { type ClientOptions } from 'graphql-ws/client';
import type WebSocket from 'ws';
import { Waiters } from './waiters.js';

/**
 * What a graphql-ws client's connections went through, from its `on` listeners: how
 * many were acknowledged, every close code, and the socket in use, so a test can cut it.
 */
export class ConnectionWatch {
  connected = 0;
  readonly closeCodes: number[] = [];
  /** The acknowledged socket in use (undefined between a close and the next ack). */
  socket: WebSocket | undefined;
  private readonly waiters = new Waiters();

  /** Pass as the client's `on`. */
  readonly listeners: NonNullable<ClientOptions['on']> = {
    connected: (socket) => {
      this.socket = socket as WebSocket;
      this.connected++;
      this.waiters.check();
    },
    closed: (event) => {
      this.socket = undefined;
      // A connection refused (gateway down) closes with 1006 too; every close is recorded.
      this.closeCodes.push((event as { code?: number }).code ?? 0);
      this.waiters.check();
    },
  };

  /** Resolves once `count` connections in all have been acknowledged. */
  untilConnected(count: number): Promise<void> {
    return this.waiters.until(() => this.connected >= count, `connection number ${count}`);
  }

  /** Resolves once `count` connections in all have closed with `code`. */
  untilClosedWith(code: number, count = 1): Promise<void> {
    return this.waiters.until(() => this.closesWith(code) >= count, `close number ${count} with ${code}`);
  }

  /** How many connections closed with `code`. */
  closesWith(code: number): number {
    return this.closeCodes.filter((c) => c === code).length;
  }

  /** Resolves once `count` closes in all (failed attempts included) have been seen. */
  untilCloses(count: number): Promise<void> {
    return this.waiters.until(() => this.closeCodes.length >= count, `close number ${count}`);
  }

  /** Resolves once a connection is acknowledged and open. */
  untilOpen(): Promise<void> {
    return this.waiters.until(() => this.socket !== undefined, 'an open connection');
  }

  /** Cuts the current connection from this side, as a network failure would (no close frame). */
  terminate(): void {
    if (this.socket === undefined) throw new Error('no connection to terminate');
    this.socket.terminate();
  }
}
