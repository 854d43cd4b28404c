/**
 * A browser app on another origin using the gateway through Apollo Client 4: queries and
 * mutations over HTTP, subscriptions over graphql-ws on the same /graphql, both with the
 * API key. Bundled by esbuild at test time (test/e2e/browser-apollo-client.test.ts), it
 * exposes `globalThis.leadgraphApp` to the test, which drives it with `page.evaluate` and
 * gets plain JSON back.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError, gql, type TypedDocumentNode } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

/** Where the gateway is, and the key to use on both transports. */
export interface AppConfig {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
}

/** An error as Apollo Client surfaced it, flattened to JSON. */
export interface ErrorReport {
  /** The error's class: `CombinedGraphQLErrors`, `ServerError`, `TypeError` (fetch), `Error` (the WebSocket link)… */
  readonly name: string;
  readonly message: string;
  /** For `ServerError`: the HTTP status. */
  readonly statusCode?: number;
  /** For `CombinedGraphQLErrors`: what the gateway answered. */
  readonly errors?: ReadonlyArray<{ message: string; code?: unknown }>;
}

/** The outcome of one HTTP operation. */
export type Outcome<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly error: ErrorReport };

/** What a subscription has delivered so far, in order. */
export type SubscriptionEvent =
  | { readonly type: 'data'; readonly data: unknown }
  | { readonly type: 'error'; readonly error: ErrorReport }
  | { readonly type: 'complete' };

/** What the page's graphql-ws client went through: `connecting`, `opened`, `connected`, `closed <code>`, `error`. */
export type SocketEvent = string;

export type ListLeadsData = { leads: { totalCount: number; edges: Array<{ node: { id: string; techeaLeadId: string | null } }> } };
export type CreateLeadData = { createLead: { id: string; techeaLeadId: string | null; stage: string } };
export type ReportRegistrationData = { reportLeadEvent: { outcome: string; lead: { id: string; lastEvent: string | null } } };

export interface LeadgraphApp {
  /** Creates the ApolloClient: HttpLink for queries and mutations, GraphQLWsLink for subscriptions. */
  connect(config: AppConfig): void;
  listLeads(first: number): Promise<Outcome<ListLeadsData>>;
  createLead(techeaLeadId: string): Promise<Outcome<CreateLeadData>>;
  reportRegistration(leadId: string): Promise<Outcome<ReportRegistrationData>>;
  /** Starts `statusChanged` for one lead, replaying what followed `after`; results go to {@link events}. */
  watchStatus(leadId: string, after: string): void;
  /** Resolves once the subscription has delivered `count` events (data, error or completion). */
  events(count: number): Promise<SubscriptionEvent[]>;
  socketEvents(): SocketEvent[];
}

declare global {
  var leadgraphApp: LeadgraphApp | undefined;
}

const LIST_LEADS: TypedDocumentNode<ListLeadsData, { first: number }> = gql`
  query ListLeads($first: Int) {
    leads(first: $first) {
      totalCount
      edges {
        node {
          id
          techeaLeadId
        }
      }
    }
  }
`;
const CREATE_LEAD: TypedDocumentNode<CreateLeadData, { input: { techeaLeadId: string } }> = gql`
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      id
      techeaLeadId
      stage
    }
  }
`;
const REPORT_REGISTRATION: TypedDocumentNode<ReportRegistrationData, { leadId: string }> = gql`
  mutation ReportRegistration($leadId: ID!) {
    reportLeadEvent(input: { leadId: $leadId, event: REGISTRATION }) {
      outcome
      lead {
        id
        lastEvent
      }
    }
  }
`;
const STATUS_CHANGED = gql`
  subscription StatusChanged($leadId: ID, $after: ID) {
    statusChanged(leadId: $leadId, after: $after) {
      id
      leadId
      provider
      from
      to
    }
  }
`;

function report(error: unknown): ErrorReport {
  if (CombinedGraphQLErrors.is(error)) {
    return { name: 'CombinedGraphQLErrors', message: error.message, errors: error.errors.map((e) => ({ message: e.message, code: e.extensions?.code })) };
  }
  if (ServerError.is(error)) return { name: 'ServerError', message: error.message, statusCode: error.statusCode };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

async function outcome<T>(operation: Promise<{ data?: T | undefined }>): Promise<Outcome<T>> {
  try {
    const { data } = await operation;
    if (data === undefined) return { ok: false, error: { name: 'NoData', message: 'no data and no error' } };
    return { ok: true, data };
  } catch (error) {
    return { ok: false, error: report(error) };
  }
}

let client: ApolloClient | undefined;
const subscriptionEvents: SubscriptionEvent[] = [];
const socketEvents: SocketEvent[] = [];
let waiters: Array<{ count: number; resolve: (events: SubscriptionEvent[]) => void }> = [];

function record(event: SubscriptionEvent): void {
  subscriptionEvents.push(event);
  waiters = waiters.filter((waiter) => {
    if (subscriptionEvents.length < waiter.count) return true;
    waiter.resolve([...subscriptionEvents]);
    return false;
  });
}

function connected(): ApolloClient {
  if (client === undefined) throw new Error('connect() first');
  return client;
}

globalThis.leadgraphApp = {
  connect({ httpUrl, wsUrl, apiKey }) {
    const authorization = `Bearer ${apiKey}`;
    const http = new HttpLink({ uri: httpUrl, headers: { authorization } });
    const ws = new GraphQLWsLink(
      createClient({
        url: wsUrl,
        connectionParams: { authorization },
        // A refused socket is an answer, not a blip: report it instead of retrying.
        retryAttempts: 0,
        on: {
          connecting: () => socketEvents.push('connecting'),
          opened: () => socketEvents.push('opened'),
          connected: () => socketEvents.push('connected'),
          closed: (event) => socketEvents.push(`closed ${(event as { code?: number }).code ?? '?'}`),
          error: () => socketEvents.push('error'),
        },
      }),
    );
    client = new ApolloClient({
      link: ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
      cache: new InMemoryCache(),
    });
  },
  listLeads: (first) => outcome(connected().query({ query: LIST_LEADS, variables: { first }, fetchPolicy: 'network-only' })),
  createLead: (techeaLeadId) => outcome(connected().mutate({ mutation: CREATE_LEAD, variables: { input: { techeaLeadId } } })),
  reportRegistration: (leadId) => outcome(connected().mutate({ mutation: REPORT_REGISTRATION, variables: { leadId } })),
  watchStatus(leadId, after) {
    connected()
      .subscribe({ query: STATUS_CHANGED, variables: { leadId, after } })
      .subscribe({
        // Apollo Client 4 hands GraphQL and transport errors to `next` as `error`, then completes.
        next: ({ data, error }) => record(error === undefined ? { type: 'data', data } : { type: 'error', error: report(error) }),
        error: (error: unknown) => record({ type: 'error', error: report(error) }),
        complete: () => record({ type: 'complete' }),
      });
  },
  events: (count) =>
    new Promise((resolve) => {
      if (subscriptionEvents.length >= count) return resolve([...subscriptionEvents]);
      waiters.push({ count, resolve });
    }),
  socketEvents: () => [...socketEvents],
};
