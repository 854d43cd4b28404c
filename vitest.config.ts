import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Without this alias vitest can load a second copy of graphql
    // ("Cannot use GraphQLObjectType from another module or realm").
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: every integration file owns a database, so files may run side by side.
    pool: 'forks',
    maxWorkers: 2,
  },
});
