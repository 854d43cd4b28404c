import { type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { type LimitsConfig } from '../config.js';

/** The limits every GraphQL document must keep, whichever transport it came by. */
export interface QueryLimits {
  /** graphql-js's own token limit: parsing stops early and answers a syntax error (HTTP 400). */
  readonly parseOptions: ParseOptions;
  /** GraphQL Armor's depth, cost, alias and directive rules. */
  readonly validationRules: ValidationRule[];
  /** GraphQL Armor's Apollo plugins. */
  readonly plugins: ApolloServerPlugin[];
}

/** What Armor puts before every refusal of its rules, though the document parsed: it is over a limit. */
const ARMOR_PREFIX = 'Syntax Error: ';

/**
 * How Armor reports a document over a limit: as a validation error of the document, in
 * Armor's words without its "Syntax Error: " (Armor's own reporter adds the same error
 * with it). This is the one place that prefix is dropped, for HTTP and WebSocket alike.
 */
function reportOverLimit() {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(new GraphQLError(error.message.startsWith(ARMOR_PREFIX) ? error.message.slice(ARMOR_PREFIX.length) : error.message)),
    ],
  };
}

export function createQueryLimits(limits: LimitsConfig): QueryLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...reportOverLimit() },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...reportOverLimit() },
    maxAliases: { n: limits.maxAliases, ...reportOverLimit() },
    maxDirectives: { n: limits.maxDirectives, ...reportOverLimit() },
    // Armor's token limit runs as an Apollo plugin that answers 500; graphql-js's own
    // `maxTokens` parse option (above) does the same job and answers 400.
    maxTokens: { enabled: false },
    // "Did you mean …?" hints are removed in production by the error formatter, on HTTP and
    // WebSocket alike and for every kind (fields, arguments, enum values); Armor's plugin
    // covers fields over HTTP only and leaves "[Suggestion hidden]?" behind.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: armor.validationRules,
    // Armor's typings name Apollo's CommonJS build; the plugin objects are the same either way.
    plugins: armor.plugins as unknown as ApolloServerPlugin[],
  };
}
