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

/** Settings that only the PostgreSQL adapter uses; SQLite ignores them. */
export interface StoreOptions {
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Opens the store a database URL names. Nothing outside src/store knows which adapter it is. */
export function openStore(url: string, options: StoreOptions = {}): CallStore {
  const target = describeDatabase(url);
  if (target.dialect === 'postgres') return new PgCallStore({ url: target.url, ...options });
  return new SqliteCallStore({ path: target.path });
}
