import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { assertAllowed } from '../auth/operation-roles.js';
import { type GraphQLContext } from './context.js';
import { assertStorableText } from './storable-text.js';

/**
 * Puts the gateway's two per-field checks on the fields that need them: the caller's
 * role on every root field (authorization first: a caller who may not run an operation
 * learns nothing about its input), then no NUL character in any string argument of
 * any field that takes arguments.
 *
 * Not type-graphql global middlewares: those wrap EVERY field, each scalar of each row
 * included, in a chain of async functions, and a page of 50 leads with their records
 * spent most of its CPU creating and awaiting those promises (bench/README.md, read).
 * Here a field without arguments below the root resolves as graphql-js resolves it.
 *
 * A subscription field is checked in its `subscribe`, once, when the subscription
 * starts: its `resolve` runs for every event, with the same arguments, and a replay of
 * 100,000 changes would repeat the same checks 100,000 times.
 */
export function guardFields(schema: GraphQLSchema): void {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isRoot = roots.has(type);
    for (const field of Object.values(type.getFields())) {
      const takesArguments = field.args.length > 0;
      if (!isRoot && !takesArguments) continue;
      const operation = `${type.name}.${field.name}`;
      if (type === subscriptionType) {
        const subscribe: GraphQLFieldResolver<unknown, GraphQLContext> = field.subscribe ?? defaultFieldResolver;
        field.subscribe = (source, args: Record<string, unknown>, context: GraphQLContext, info) => {
          assertAllowed(context.principal, operation);
          if (takesArguments) assertStorableText(args);
          return subscribe(source, args, context, info);
        };
        continue;
      }
      const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context: GraphQLContext, info) => {
        if (isRoot) assertAllowed(context.principal, operation);
        if (takesArguments) assertStorableText(args);
        return resolve(source, args, context, info);
      };
    }
  }
}
