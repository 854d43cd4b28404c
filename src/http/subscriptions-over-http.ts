import { type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';

/**
 * Apollo would run a subscription sent over HTTP as if it were a query (and fail
 * inside it). Subscriptions are served over graphql-ws on the same path: say so,
 * as a request error, before anything runs.
 */
export function refuseSubscriptionsOverHttp(): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ operation }) {
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
            return Promise.reject(
              new GraphQLError('Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at this same URL.', {
                extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
              }),
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}
