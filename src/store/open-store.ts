import type { CallStore } from './call-store.js';
import { PgCallStore } from './pg/pg-store.js';
import { SqliteCallStore } from './sqlite/sqlite-store.js';

export const DEFAULT_DATABASE = './data/callgate.sqlite';

/** Where a database URL points; `sqlite:`/`file:` prefixes and plain paths are SQLite files. */
export function describeDatabase(url: string): { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  return { dialect: 'sqlite', path: url.replace(/^(sqlite|file):(\/\/)?/i, '') };
}

/** What describeDatabase returns, safe to print: a PostgreSQL URL loses its password. */
export function describeDatabaseForHumans(url: string) {
  const target = describeDatabase(url);
  if (target.dialect === 'sqlite') return target;
  try {
    const parsed = new URL(target.url);
    if (parsed.password) parsed.password = '***';
    return { dialect: target.dialect, url: parsed.toString() };
  } catch {
    return { dialect: target.dialect, url: 'postgres://…' };
  }
}

export interface StoreOptions {
  /** PostgreSQL only: pool size, timeouts, and whether request statements are named prepared statements. */
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  preparedStatements?: boolean;
  /** SQLite only: share one transaction and fsync among concurrent writes. */
  groupCommit?: boolean;
  /** Called with the text of every SQL statement the store runs; tests count them. */
  onStatement?: (sql: string) => void;
}

/** Opens the store a database URL names. Nothing outside src/store knows which adapter it is. */
export function openStore(url: string, options: StoreOptions = {}): CallStore {
  const target = describeDatabase(url);
  if (target.dialect === 'postgres') {
    const { groupCommit: _sqliteOnly, ...pgOptions } = options;
    return new PgCallStore({ url: target.url, ...pgOptions });
  }
  return new SqliteCallStore({ path: target.path, groupCommit: options.groupCommit, onStatement: options.onStatement });
}
