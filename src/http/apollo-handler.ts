import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type http from 'node:http';
import { sendText } from './graphql-error-response.js';
import { type NodeHandler } from './handler-chain.js';

/** A request once the JSON body parser has read it (`undefined`: no JSON body). */
type ParsedRequest = http.IncomingMessage & { readonly body?: unknown };

/**
 * The last step of `/graphql`: hands the request (its body already parsed) to Apollo
 * Server and writes Apollo's answer. What `@as-integrations/express5` does, on node's
 * own request and response, so the same step serves under express and without it
 * (see handler-chain.ts).
 */
export function apolloHandler<TContext extends BaseContext>(apollo: ApolloServer<TContext>, context: (req: http.IncomingMessage) => Promise<TContext>): NodeHandler {
  apollo.assertStarted('apolloHandler()');
  return async (req: ParsedRequest, res) => {
    const headers = new HeaderMap();
    for (const name in req.headers) {
      const value = req.headers[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const target = req.url ?? '';
    const queryAt = target.indexOf('?');
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: queryAt === -1 ? '' : target.slice(queryAt), body: req.body },
      context: () => context(req),
    });
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      sendText(req, res, answer.body.string);
      return;
    }
    // Incremental delivery (@defer, @stream): the schema offers neither, but Apollo's type allows it.
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
