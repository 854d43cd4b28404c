/** Where to send an operation, and with which credential (none: unauthenticated). */
export interface Target {
  readonly url: string;
  readonly token?: string;
}

/** What `/graphql` answered. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers?: Headers;
  readonly data?: T | null;
  readonly errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: { code?: string; field?: string; [key: string]: unknown };
  }>;
}

/** Posts one operation over real HTTP, as a frontend would. A bare URL sends no credential. */
export async function postGraphQL<T = Record<string, unknown>>(
  target: Target | string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  const { url, token } = typeof target === 'string' ? { url: target, token: undefined } : target;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** Like {@link postGraphQL}, but fails the test on any error and returns `data`. */
export async function queryData<T = Record<string, unknown>>(
  target: Target | string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await postGraphQL<T>(target, query, variables);
  if (response.errors !== undefined || response.data == null) {
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}
