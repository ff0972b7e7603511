import { and, asc, desc, eq, exists, gte, inArray, lte, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { CallFilter, CustomFieldCondition } from '../../core/call-filter.js';
import type { CallKey, CallOrder, SortDirection } from '../../core/call-list.js';
import { callCustomFieldValues, calls, VALUE_INDEX_PREFIX } from './schema.js';
import type * as schema from './schema.js';

type Db = NodePgDatabase<typeof schema>;

/** `column LIKE 'prefix%'`, the prefix taken literally: the same rows as SQLite's code point range, served by the text_pattern_ops indexes. */
const startsWith = (column: typeof calls.fromNumber | typeof calls.toNumber, prefix: string): SQL =>
  sql`${column} like ${prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%'}`;

/** The indexed prefix of a value, spelled exactly as in call_custom_field_values_field_value_prefix_idx so the planner matches it. */
const valuePrefix = (value: typeof callCustomFieldValues.value | string): SQL => sql`left(${value}, ${sql.raw(String(VALUE_INDEX_PREFIX))}) collate "C"`;

/**
 * PostgreSQL's text cannot hold a NUL character, so no stored number or value
 * contains one: a search for such text matches nothing (SQLite finds no row
 * either), rather than sending text the server refuses.
 */
const hasNul = (text: string) => text.includes('\0');
const NOTHING = sql`false`;

function customFieldCondition(db: Db, condition: CustomFieldCondition): SQL {
  const v = callCustomFieldValues;
  const row = (extra?: SQL) =>
    db
      .select({ one: sql`1` })
      .from(v)
      .where(and(eq(v.callId, calls.callId), eq(v.fieldId, condition.fieldId), extra));
  if ('equals' in condition && hasNul(condition.equals)) return NOTHING;
  if ('in' in condition && condition.in.some(hasNul)) {
    const storable = condition.in.filter((value) => !hasNul(value));
    return storable.length === 0 ? NOTHING : customFieldCondition(db, { ...condition, in: storable });
  }
  if ('equals' in condition) return exists(row(and(eq(valuePrefix(v.value), valuePrefix(condition.equals)), eq(v.value, condition.equals))));
  if ('in' in condition) {
    // An empty list matches nothing; inArray says so without a prefix list.
    if (condition.in.length === 0) return exists(row(inArray(v.value, [])));
    const prefixes = sql.join(condition.in.map((value) => valuePrefix(value)), sql`, `);
    return exists(row(and(sql`${valuePrefix(v.value)} in (${prefixes})`, inArray(v.value, condition.in))));
  }
  return condition.isSet ? exists(row()) : notExists(row());
}

/**
 * The WHERE clause of a tenant's calls matching a filter (the PostgreSQL
 * counterpart of the SQLite store's callFilterWhere): custom field conditions
 * are EXISTS probes of the values table, by its primary key or, for a value
 * to match, by the (field, value prefix) index; a number search an OR of two
 * prefix matches.
 */
export function callFilterWhere(db: Db, tenantId: string, filter: CallFilter): SQL {
  const conditions: (SQL | undefined)[] = [eq(calls.tenantId, tenantId)];
  if (filter.numberPrefix !== null && hasNul(filter.numberPrefix)) conditions.push(NOTHING);
  else if (filter.numberPrefix !== null) {
    conditions.push(or(startsWith(calls.fromNumber, filter.numberPrefix), startsWith(calls.toNumber, filter.numberPrefix)));
  }
  if (filter.setupTimeFrom !== null) conditions.push(gte(calls.setupTime, filter.setupTimeFrom));
  if (filter.setupTimeTo !== null) conditions.push(lte(calls.setupTime, filter.setupTimeTo));
  if (filter.direction !== null) conditions.push(eq(calls.direction, filter.direction));
  for (const condition of filter.customFields) conditions.push(customFieldCondition(db, condition));
  return and(...conditions)!;
}

export const sortColumn = (order: CallOrder) => (order.field === 'setup_time' ? calls.setupTime : calls.duration);

/** Rows on one side of a key in a list sorted `direction` by (sort key, call_id); `inclusive` takes the key's own row too. */
export function keyset(order: CallOrder, side: 'after' | 'before', key: CallKey, inclusive = false): SQL {
  const ascending = (order.direction === 'asc') === (side === 'after');
  const op = ascending ? (inclusive ? sql`>=` : sql`>`) : inclusive ? sql`<=` : sql`<`;
  const value = order.field === 'setup_time' ? sql`${key.key}::timestamptz` : sql`${key.key}::integer`;
  return sql`(${sortColumn(order)}, ${calls.callId}) ${op} (${value}, ${key.callId}::uuid)`;
}

/** ORDER BY the sort key and call_id, both in `direction`. */
export function orderBy(order: CallOrder, direction: SortDirection): SQL[] {
  const by = direction === 'asc' ? asc : desc;
  return [by(sortColumn(order)), by(calls.callId)];
}
