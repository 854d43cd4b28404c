import { CombinedGraphQLErrors } from '@apollo/client';

/**
 * An error as a person should read it: the gateway's `extensions.code` first (see the
 * guide's "Errors" section), and the field at fault for a `BAD_USER_INPUT`.
 */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors
      .map(({ message, extensions }) => {
        const code = typeof extensions?.code === 'string' ? extensions.code : 'ERROR';
        const field = typeof extensions?.field === 'string' ? ` (${extensions.field})` : '';
        return `${code}${field}: ${message}`;
      })
      .join('; ');
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
