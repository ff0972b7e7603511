import type { CallStore } from './call-store.js';
import { SqliteCallStore } from './sqlite/sqlite-store.js';

export const DEFAULT_DATABASE = './data/callgate.sqlite';

/** Where a database URL points; `sqlite:`/`file:` prefixes and plain paths are SQLite files. */
export function describeDatabase(url: string): { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  return { dialect: 'sqlite', path: url.replace(/^(sqlite|file):(\/\/)?/i, '') };
}

export class UnsupportedDatabaseError extends Error {}

export interface StoreOptions {
  /** SQLite only: share one transaction and fsync among concurrent writes. */
  groupCommit?: boolean;
}

/** Opens the store a database URL names. Nothing outside src/store knows which adapter it is. */
export function openStore(url: string, options: StoreOptions = {}): CallStore {
  const target = describeDatabase(url);
  if (target.dialect === 'postgres') {
    throw new UnsupportedDatabaseError('PostgreSQL is not supported by this build yet; use a SQLite file path');
  }
  return new SqliteCallStore({ path: target.path, groupCommit: options.groupCommit });
}
