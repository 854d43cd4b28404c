/**
 * The connection to leadgraph: Apollo Client for queries and mutations (HTTP, the key as a
 * header), and `leadgraph/client` for the live streams (graphql-ws, the key in
 * `connection_init`), which resumes every subscription where it was after a drop or a
 * gateway restart.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type DocumentNode, type TypePolicies } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { addTypenameToDocument, print, relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { cappedBackoff, createResumableClient, type ResumableClient } from 'leadgraph/client';

export const typePolicies: TypePolicies = {
  Query: {
    fields: {
      // `leads(first, after, filter)`: one list per filter, pages appended by cursor.
      leads: relayStylePagination(['filter']),
    },
  },
  // Parts of a record with no id of their own: merged into the record they belong to
  // (otherwise Apollo replaces them whole and warns that cache data may be lost).
  Credit: { merge: true },
  AdverseActionNotice: { merge: true },
  ApplicationDecision: { merge: true },
  ApplicationEntities: { merge: true },
  ProviderError: { merge: true },
};

/** Where the gateway is, and the credential for both transports. */
export interface GatewaySettings {
  /** `http(s)://…/graphql`; the WebSocket URL is the same with `ws(s)`. */
  readonly httpUrl: string;
  /** An API key (`lgk_…`) or a JWT. */
  readonly credential: string;
}

/** What the socket is doing, for the page's connection indicator: `idle` when no stream needs it. */
export type SocketState = 'idle' | 'connecting' | 'live' | `closed ${number}`;

export interface Gateway {
  readonly apollo: ApolloClient;
  readonly leadgraph: ResumableClient;
  close(): Promise<void>;
}

export function connect({ httpUrl, credential }: GatewaySettings, onSocket: (state: SocketState) => void): Gateway {
  const authorization = `Bearer ${credential}`;
  const leadgraph = createResumableClient({
    url: httpUrl.replace(/^http/, 'ws'),
    // A function: called on every (re)connection, so a fresh credential can go out each time (4419).
    connectionParams: () => ({ authorization }),
    // Retries for ever (the module's default), waiting at most 5 s between tries: a page
    // is back within seconds of its gateway.
    retryWait: cappedBackoff({ maxMs: 5_000 }),
    on: {
      connecting: () => onSocket('connecting'),
      connected: () => onSocket('live'),
      // 1000: closed by this page, once no subscription needs the socket; anything else was lost.
      closed: (event) => onSocket((event as CloseEvent).code === 1000 ? 'idle' : `closed ${(event as CloseEvent).code}`),
    },
  });

  const apollo = new ApolloClient({
    link: ApolloLink.split(
      (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
      // Apollo's own subscriptions (none here) would share the one socket.
      new GraphQLWsLink(leadgraph.client),
      new HttpLink({ uri: httpUrl, headers: { authorization } }),
    ),
    cache: new InMemoryCache({ typePolicies }),
  });

  return {
    apollo,
    leadgraph,
    async close() {
      apollo.stop();
      await apollo.clearStore();
      await leadgraph.dispose();
    },
  };
}

/**
 * A subscription document as text for `leadgraph/client`, with `__typename` added to every
 * selection as Apollo adds it to what it sends itself: the results then normalize when
 * written to the cache (`Lead:<id>`, `Application:<id>`…).
 */
export function subscriptionText(document: DocumentNode): string {
  return print(addTypenameToDocument(document));
}
