import { type ApolloServer } from '@apollo/server';
import bodyParser from 'body-parser';
import { type Principal } from '../domain/roles.js';
import { type GraphQLContext } from '../graphql/context.js';
import { apolloHandler } from './apollo-handler.js';
import { refuseUnreadableEncoding } from './content-encoding.js';
import { sendGraphQLError } from './graphql-error-response.js';
import { type NodeErrorHandler, type NodeHandler } from './handler-chain.js';

/** What {@link graphqlOperationSteps} needs. */
export interface GraphQLHttpStepsDeps {
  readonly apollo: ApolloServer<GraphQLContext>;
  /** Sets `req.principal` or answers (see authenticate-request.ts). */
  readonly authenticate: NodeHandler;
  /** The context of one operation, for the principal authentication found. */
  readonly context: (principal: Principal) => GraphQLContext;
  readonly maxBodyBytes: number;
}

/**
 * The steps of a GraphQL request over HTTP from authentication to Apollo's answer:
 * authenticate, refuse an unreadable encoding, read the JSON body (bounded), answer a
 * malformed one as a GraphQL error, run the operation. One list, so a query sent by GET
 * (under express) and one sent by POST (without it, see server.ts) take the same steps.
 */
export function graphqlOperationSteps(deps: GraphQLHttpStepsDeps): readonly (NodeHandler | NodeErrorHandler)[] {
  return [
    deps.authenticate,
    refuseUnreadableEncoding,
    bodyParser.json({ limit: deps.maxBodyBytes }),
    malformedBodyHandler,
    apolloHandler(deps.apollo, (req) => {
      // authenticate ran first and either set this or answered 401.
      if (req.principal === undefined) throw new Error('unauthenticated request reached GraphQL');
      return Promise.resolve(deps.context(req.principal));
    }),
  ];
}

/** Where GraphQL is served, over HTTP and WebSocket alike. */
export const GRAPHQL_PATH = '/graphql';

/**
 * Whether a request target names {@link GRAPHQL_PATH} itself, as the WebSocket server
 * (`ws`) matches it: with or without a query string, origin-form or absolute-form, but
 * not a path below it nor in other letter case (which express's mounts would accept).
 */
export function isGraphQLEndpoint(target: string | undefined): boolean {
  // The target as every client sends it needs no parsing (it is what the URL parser would give).
  return target === GRAPHQL_PATH || (target !== undefined && pathOf(target) === GRAPHQL_PATH);
}

/** The path of a request target, origin-form (`/graphql?x`) or absolute-form (`http://host/graphql`); undefined if unreadable. */
export function pathOf(target: string): string | undefined {
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** The body parser's refusals, answered as GraphQL errors instead of express's HTML page. */
const malformedBodyHandler: NodeErrorHandler = (error, req, res, next) => {
  const status = (error as { status?: unknown }).status;
  const type = (error as { type?: unknown }).type;
  if (typeof status !== 'number' || status < 400 || status >= 500) {
    next(error);
    return;
  }
  const message =
    type === 'entity.parse.failed'
      ? 'The request body is not valid JSON.'
      : type === 'entity.too.large'
        ? 'The request body is too large.'
        : 'The request body could not be read.';
  // BAD_REQUEST, as Apollo Server codes its own refusals of a request; the status tells them apart.
  sendGraphQLError(req, res, { status, code: 'BAD_REQUEST', message });
};
