import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, onTestFinished } from 'vitest';
import type { CallStore, CredentialedReads } from '../../src/store/call-store.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';

/**
 * The store under test. With TEST_DATABASE_URL (a postgres:// URL) every test
 * database is a fresh schema there, dropped afterwards; without it, SQLite.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;
export const onPostgres = TEST_DATABASE_URL !== undefined;
export const STORE_UNDER_TEST = onPostgres ? 'PostgreSQL' : 'SQLite';

/** For describe.skipIf: the name says why the block is skipped on a plain run. */
export const POSTGRES_ONLY = onPostgres
  ? '(PostgreSQL)'
  : '(PostgreSQL only: skipped, set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run)';

if (TEST_DATABASE_URL && !/^postgres(ql)?:\/\//i.test(TEST_DATABASE_URL)) {
  throw new Error(`TEST_DATABASE_URL must be a postgres:// URL, not ${JSON.stringify(TEST_DATABASE_URL)}`);
}

const fileCleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of fileCleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` when the current test ends, or at the end of the file when called from beforeAll. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  try {
    onTestFinished(async () => {
      await cleanup();
    });
  } catch {
    fileCleanups.push(cleanup);
  }
}

/** A plain `pg` client on the test database (PostgreSQL runs only), closed at cleanup. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  return client;
}

/** A new, empty schema on TEST_DATABASE_URL, dropped at cleanup; returns its name and a URL that selects it. */
export async function freshSchema(): Promise<{ schema: string; url: string }> {
  const schema = `cg_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('schema', schema);
  onCleanup(async () => {
    const client = await adminClient();
    try {
      await client.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await client.end();
    }
  });
  return { schema, url: url.toString() };
}

/**
 * A URL naming a fresh, empty database for one test (or one file, from
 * beforeAll): a new schema on PostgreSQL, else a SQLite file in a temporary
 * directory (or `:memory:` when `inMemory` and no other process needs it).
 */
export async function freshDatabaseUrl(options: { inMemory?: boolean } = {}): Promise<string> {
  if (onPostgres) return (await freshSchema()).url;
  if (options.inMemory) return ':memory:';
  const dir = mkdtempSync(join(tmpdir(), 'callgate-test-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'callgate.sqlite');
}

/** A migrated store on a fresh database, closed (and its schema dropped) at cleanup. */
export async function openTestStore(options: StoreOptions & { url?: string } = {}): Promise<CallStore> {
  const { url, ...storeOptions } = options;
  // Few connections per test store: many worlds live side by side in one test file.
  const store = openStore(url ?? (await freshDatabaseUrl({ inMemory: true })), { poolSize: 3, ...storeOptions });
  onCleanup(() => store.close());
  await store.migrate();
  return store;
}

/**
 * Runs one SQL statement on a store's database behind its back, as an
 * operator's console would: `?` placeholders, portable SQL only.
 */
export async function rawSql(store: CallStore, statement: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (store.dialect === 'sqlite') {
    const sqlite = (store as unknown as { sqlite: import('better-sqlite3').Database }).sqlite;
    const prepared = sqlite.prepare(statement);
    return prepared.reader ? (prepared.all(...params) as Record<string, unknown>[]) : (prepared.run(...params), []);
  }
  let n = 0;
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const result = await pool.query(statement.replace(/\?/g, () => `$${++n}`), params);
  return result.rows;
}

/** Runs one read-only query on the database a URL names (a test's view from outside callgate). */
export async function queryDatabase(url: string, statement: string): Promise<Record<string, unknown>[]> {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const { default: Database } = await import('better-sqlite3');
    const sqlite = new Database(url, { readonly: true, fileMustExist: true });
    try {
      return sqlite.prepare(statement).all() as Record<string, unknown>[];
    } finally {
      sqlite.close();
    }
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString(), ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Makes every read of a call fail with `error()`: getCall, and its credentialed form where the store has one
 * (a request on a recalled viewer reads through it); returns the undo.
 */
export function failCallReads(store: CallStore, error: () => Error): () => void {
  const writable = store as { getCall: CallStore['getCall']; credentialed?: CredentialedReads };
  const { getCall, credentialed } = writable;
  const fail = async (): Promise<never> => {
    throw error();
  };
  writable.getCall = fail;
  if (credentialed) writable.credentialed = { ...credentialed, getCall: fail };
  return () => {
    writable.getCall = getCall;
    writable.credentialed = credentialed;
  };
}
