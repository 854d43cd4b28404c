import { type ApolloServerPlugin } from '@apollo/server';

/**
 * `Cache-Control: no-store` on every GraphQL answer: each is one caller's data. This is
 * what Apollo's default cache-control plugin answered too (the schema sets no cache
 * hints, so its policy was always uncacheable), without that plugin's hook on every
 * field resolution, which a page of leads with their records paid thousands of times.
 */
export function noStorePlugin(): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
          return Promise.resolve();
        },
      });
    },
  };
}
