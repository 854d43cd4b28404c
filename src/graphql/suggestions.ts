/**
 * graphql-js ends many request errors with a hint drawn from the schema: `Did you mean
 * "leads"?`, `Did you mean the enum value "APPROVED"?`. Outside production they help a
 * developer; in production they map the schema for whoever probes it, field by field
 * and enum by enum, with introspection off. This removes the hint, keeping the verdict.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?\s*$/, '');
}
