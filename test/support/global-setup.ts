import pg from 'pg';
import { ensureBuilt } from '../../scripts/build.js';

/**
 * Compiles src/ to dist/ once, before any worker starts, so the e2e tests'
 * CLI processes run current code without racing each other to build it; then
 * says which store the suite runs against and what it skips.
 */
export default async function setUpSuite(): Promise<void> {
  await ensureBuilt();
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (!url) {
    console.log(
      [
        'Store under test: SQLite (in-memory and temporary files).',
        'PostgreSQL-only tests are SKIPPED (multi-instance, outage, locking and retry tests).',
        'Run them with: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test',
      ].join('\n'),
    );
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL=${url} cannot be reached: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  console.log(`Store under test: PostgreSQL at ${url} (a fresh schema per test database, dropped afterwards).`);
}
