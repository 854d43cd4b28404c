/**
 * Object-type options for types whose fields are plain properties, read by graphql-js
 * itself. Without them type-graphql wraps every such field in a resolver of its own
 * (for field middlewares, which the gateway does not use), paid once per field of every
 * row: thousands of calls for a page of leads with their records. Field resolvers
 * (`@FieldResolver`) are not affected.
 */
export const PLAIN_FIELDS = { simpleResolvers: true } as const;
