import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for the schema and yoga, or instanceof checks fail across "realms".
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker per core but one; on a 2-core machine that is a single worker, idle while
    // the e2e tests wait on the processes they start. Two workers there took the SQLite suite from 607 s to 381 s.
    // The PostgreSQL run keeps the default (undefined): with the database server on the same two cores it gained less
    // (825 s to 692 s) and its timing-sensitive tests (webhook retries, lock waits) ran close to their limits.
    maxWorkers: process.env.TEST_DATABASE_URL?.trim() ? undefined : Math.max(2, availableParallelism() - 1),
  },
});
