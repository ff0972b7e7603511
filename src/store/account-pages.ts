import { and, asc, desc, sql, type SQL } from 'drizzle-orm';
import type { AccountWindow } from '../core/account-list.js';
import type { PageFacts } from '../core/call-list.js';

/**
 * The SQL of one page of an admin list in keyset order, for either dialect:
 * `columns` are the sort key (a unique one, in byte order), `values` a key's
 * values in the same order. Compared as row values, which SQLite and
 * PostgreSQL both support.
 */
export function accountPageSql<Key>(window: AccountWindow<Key>, columns: SQL[], values: (key: Key) => unknown[]) {
  const row = sql`(${sql.join(columns, sql`, `)})`;
  const compare = (operator: '<' | '>' | '<=' | '>=', key: Key) =>
    sql`${row} ${sql.raw(operator)} (${sql.join(values(key).map((value) => sql`${value}`), sql`, `)})`;
  const reading = window.fromEnd ? desc : asc;
  // Rows behind where the page starts reading: up to `after` (first), from `before` on (last).
  const behindKey = window.fromEnd ? window.before : window.after;
  return {
    where: and(window.after === null ? undefined : compare('>', window.after), window.before === null ? undefined : compare('<', window.before)),
    behind: behindKey === null ? null : compare(window.fromEnd ? '>=' : '<=', behindKey),
    orderBy: columns.map((column) => reading(column)),
    limit: window.take + 1,
  };
}

/** The page's rows in list order and its facts, from the `take + 1` rows read in reading direction. */
export function accountPageOf<Row>(window: AccountWindow<unknown>, read: Row[], behindCursor: boolean): { rows: Row[] } & PageFacts {
  const rows = read.slice(0, window.take);
  if (window.fromEnd) rows.reverse();
  return { rows, more: read.length > window.take, behindCursor };
}
