// @ts-check
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PROVIDERS_ROOT = path.join(import.meta.dirname, 'src', 'providers');
/** Folders under src/providers/ that are shared by every provider, not a provider. */
const SHARED_PROVIDER_FOLDERS = new Set(['sandbox']);

/**
 * A provider is one folder, reached from outside only through its `index.ts` (its
 * descriptor and what it chooses to export): importing its client, wire shapes or
 * sandbox directly would make that file part of the rest of the gateway.
 * @type {import('eslint').Rule.RuleModule}
 */
const providerInternals = {
  meta: { type: 'problem', schema: [], messages: { internal: '{{source}}: "{{file}}" is internal to the provider "{{provider}}"; import its index.ts' } },
  create(context) {
    const importer = context.filename;
    /** @param {import('estree').Node & { source?: import('estree').Expression | null }} node */
    const check = (node) => {
      const source = node.source;
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(importer), source.value);
      const parts = path.relative(PROVIDERS_ROOT, target).split(path.sep);
      if (parts[0] === '..' || parts.length < 2 || SHARED_PROVIDER_FOLDERS.has(parts[0])) return;
      if (parts.length === 2 && /^index\.[jt]s$/.test(parts[1])) return;
      if (importer.startsWith(path.join(PROVIDERS_ROOT, parts[0]) + path.sep)) return;
      context.report({ node: source, messageId: 'internal', data: { source: source.value, file: parts.slice(1).join('/'), provider: parts[0] } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/', 'node_modules/', 'bench/results/', '.leadgraph/', 'coverage/',
      // The example app's build, and its code generated from schema.graphql (`npm run example:codegen`).
      'examples/web/dist/', 'examples/web/src/gql/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Unit and contract tests test a provider's internals; everything else goes through its index.ts.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'test/support/**/*.ts', 'test/fixtures/**/*.ts'],
    plugins: { leadgraph: { rules: { 'provider-internals': providerInternals } } },
    rules: { 'leadgraph/provider-internals': 'error' },
  },
  {
    // Nothing outside src/providers/ talks HTTP to the outside world (see providers/http-client.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/providers/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Only src/providers/ calls fetch: go through a provider adapter (providers/http-client.ts).' }],
      'no-restricted-properties': ['error', { object: 'globalThis', property: 'fetch', message: 'Only src/providers/ calls fetch.' }],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**', 'scripts/**', 'bench/**', 'examples/*/scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests assert on JSON answers whose shape the assertion itself states.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
