/**
 * A browser page using `leadgraph/client` with the browser's own WebSocket (no
 * `webSocketImpl`). Bundled by esbuild at test time (browser.test.ts); it reports every
 * event, connection and close through functions the test exposes on the page, and can
 * drop its connection on request.
 */
import { createResumableClient } from 'leadgraph/client';

/** What the test hands the page. */
export interface StreamConfig {
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly leadId: string;
  readonly after: string;
}

/** What the page offers the test. */
export interface PageStream {
  start(config: StreamConfig): void;
  /** Closes the connection from the page's side (code 3000), as a flaky network or a tab being suspended might. */
  drop(): void;
}

/** The socket graphql-ws hands its `connected` listeners, as far as this page uses it. */
interface BrowserSocket {
  close(code?: number, reason?: string): void;
}

declare global {
  var leadgraphStream: PageStream | undefined;
  /** Exposed by the test (playwright's exposeFunction). */
  var reportEvent: (id: string, to: string) => Promise<void>;
  var reportConnection: (event: string) => Promise<void>;
}

let socket: BrowserSocket | undefined;

globalThis.leadgraphStream = {
  start(config) {
    const client = createResumableClient({
      url: config.wsUrl,
      connectionParams: () => ({ authorization: `Bearer ${config.apiKey}` }),
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 10)),
      on: {
        connected: (connected) => {
          socket = connected as BrowserSocket;
          void globalThis.reportConnection('connected');
        },
        closed: (event) => {
          socket = undefined;
          void globalThis.reportConnection(`closed ${(event as { code: number }).code}`);
        },
      },
    });
    client.subscribe<{ statusChanged: { id: string; to: string } }>(
      {
        query: `subscription ($after: ID, $leadId: ID) { statusChanged(after: $after, leadId: $leadId) { id to } }`,
        variables: { leadId: config.leadId },
        after: config.after,
      },
      {
        next: ({ id, data }) => void globalThis.reportEvent(id, data.statusChanged.to),
        error: (error) => void globalThis.reportConnection(`error ${error.message}`),
      },
    );
  },
  drop() {
    socket?.close(3000, 'dropped by the page');
  },
};
