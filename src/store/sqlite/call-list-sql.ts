import { and, asc, desc, eq, exists, gte, inArray, lt, lte, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { CallFilter, CustomFieldCondition } from '../../core/call-filter.js';
import type { CallKey, CallOrder, CallWindow, SortDirection } from '../../core/call-list.js';
import { callCustomFieldValues, calls } from './schema.js';
import type * as schema from './schema.js';

type Db = BetterSQLite3Database<typeof schema>;

/**
 * The smallest string greater than every string that starts with `prefix`
 * (in code point order, which is SQLite's BINARY order of UTF-8), or null
 * when there is none.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return null;
}

const startsWith = (column: typeof calls.fromNumber | typeof calls.toNumber, prefix: string): SQL => {
  const upper = prefixUpperBound(prefix);
  return upper === null ? gte(column, prefix) : and(gte(column, prefix), lt(column, upper))!;
};

function customFieldCondition(db: Db, condition: CustomFieldCondition): SQL {
  const v = callCustomFieldValues;
  const row = (extra?: SQL) =>
    db
      .select({ one: sql`1` })
      .from(v)
      .where(and(eq(v.callId, calls.callId), eq(v.fieldId, condition.fieldId), extra));
  if ('equals' in condition) return exists(row(eq(v.value, condition.equals)));
  if ('in' in condition) return exists(row(inArray(v.value, condition.in)));
  return condition.isSet ? exists(row()) : notExists(row());
}

/**
 * The WHERE clause of a tenant's calls matching a filter. Custom field
 * conditions are EXISTS probes of the values table by its primary key
 * (call_id, field_id), so the calls index drives the scan in list order and
 * the values table is never scanned. A number search is driven by the
 * from/to number indexes instead: the tenant is repeated inside each branch
 * and disabled (`+`) outside, so SQLite takes the multi-index OR.
 * `cursorBounds` names the date bounds a keyset cursor tightens: they are
 * kept out of the index (`+`) so the scan starts at the cursor rather than at
 * the end of the date range.
 */
export function callFilterWhere(db: Db, tenantId: string, filter: CallFilter, cursorBounds: DateBounds = NO_BOUNDS): SQL {
  const conditions: (SQL | undefined)[] = [];
  if (filter.numberPrefix === null) {
    conditions.push(eq(calls.tenantId, tenantId));
  } else {
    conditions.push(sql`+${calls.tenantId} = ${tenantId}`);
    conditions.push(
      or(
        and(eq(calls.tenantId, tenantId), startsWith(calls.fromNumber, filter.numberPrefix)),
        and(eq(calls.tenantId, tenantId), startsWith(calls.toNumber, filter.numberPrefix)),
      ),
    );
  }
  if (filter.setupTimeFrom !== null) {
    conditions.push(cursorBounds.from ? sql`+${calls.setupTime} >= ${filter.setupTimeFrom}` : gte(calls.setupTime, filter.setupTimeFrom));
  }
  if (filter.setupTimeTo !== null) {
    conditions.push(cursorBounds.to ? sql`+${calls.setupTime} <= ${filter.setupTimeTo}` : lte(calls.setupTime, filter.setupTimeTo));
  }
  if (filter.direction !== null) conditions.push(eq(calls.direction, filter.direction));
  for (const condition of filter.customFields) conditions.push(customFieldCondition(db, condition));
  return and(...conditions)!;
}

export interface DateBounds {
  from: boolean;
  to: boolean;
}

const NO_BOUNDS: DateBounds = { from: false, to: false };

/**
 * Which of the filter's setup time bounds a keyset cursor makes redundant: in
 * setup time order, a cursor inside the range is a tighter bound on the same
 * side, and SQLite uses only one bound per side of an index range.
 */
export function boundsTightenedByCursor(filter: CallFilter, order: CallOrder, window: CallWindow): DateBounds {
  if (order.field !== 'setup_time') return NO_BOUNDS;
  const desc = order.direction === 'desc';
  const upper = (desc ? window.after : window.before)?.key as string | undefined;
  const lower = (desc ? window.before : window.after)?.key as string | undefined;
  return {
    from: lower !== undefined && filter.setupTimeFrom !== null && lower >= filter.setupTimeFrom,
    to: upper !== undefined && filter.setupTimeTo !== null && upper <= filter.setupTimeTo,
  };
}

export const sortColumn = (order: CallOrder) => (order.field === 'setup_time' ? calls.setupTime : calls.duration);

/** Rows on one side of a key in a list sorted `direction` by (sort key, call_id); `inclusive` takes the key's own row too. */
export function keyset(order: CallOrder, side: 'after' | 'before', key: CallKey, inclusive = false): SQL {
  const ascending = (order.direction === 'asc') === (side === 'after');
  const op = ascending ? (inclusive ? sql`>=` : sql`>`) : inclusive ? sql`<=` : sql`<`;
  return sql`(${sortColumn(order)}, ${calls.callId}) ${op} (${key.key}, ${key.callId})`;
}

/** ORDER BY the sort key and call_id, both in `direction`. */
export function orderBy(order: CallOrder, direction: SortDirection): SQL[] {
  const by = direction === 'asc' ? asc : desc;
  return [by(sortColumn(order)), by(calls.callId)];
}
