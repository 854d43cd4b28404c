import { type SandboxBehavior, SandboxServer } from './sandbox-server.js';

/** A sandbox that is up: its server, its behaviour (state, counters), and how to connect a client to it. */
export interface RunningSandbox<B extends SandboxBehavior, Connection> {
  readonly server: SandboxServer;
  readonly behavior: B;
  readonly baseUrl: URL;
  /** The settings a client needs to talk to this sandbox (as if it were the live provider). */
  readonly connection: Connection;
  stop(): Promise<void>;
}

/** Starts `behavior` on a sandbox server; `connectionFor` builds the client settings from the base URL. */
export async function runSandbox<B extends SandboxBehavior, Connection>(
  behavior: B,
  connectionFor: (baseUrl: URL) => Connection,
  port = 0,
  host = '127.0.0.1',
): Promise<RunningSandbox<B, Connection>> {
  const server = new SandboxServer(behavior);
  const baseUrl = await server.start(port, host);
  return { server, behavior, baseUrl, connection: connectionFor(baseUrl), stop: () => server.stop() };
}
