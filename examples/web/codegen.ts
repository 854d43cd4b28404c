/**
 * GraphQL Code Generator: the named operations in src/ against the gateway's schema, as
 * typed documents in src/gql/ (commit them; `npm run example:check` fails when they are stale).
 * Run it with `npm run example:codegen`.
 */
import { type CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Plain types for every selection, fragments included: this app reads what it asked for.
        fragmentMasking: false,
      },
      config: {
        // leadgraph's custom scalars, as they travel in JSON.
        scalars: {
          DateTimeISO: { input: 'string', output: 'string' },
          JSONObject: { input: 'Record<string, unknown>', output: 'Record<string, unknown>' },
        },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
