import { and, eq, gt, gte, inArray, isNull, lt, or, sql, type Column, type SQL } from 'drizzle-orm';
import { CLI_ACTOR, type ChangeRecord } from '../core/change-log.js';
import type { ChangeQuery } from './call-store.js';
import type { LogAppend } from './workflows.js';

/** The change log's columns, as both dialects' schemas name them. */
export interface ChangeColumns {
  tenantId: Column;
  sequence: Column;
  callId: Column;
  fieldId: Column;
  fieldName: Column;
  actorUserId: Column;
  actorUsername: Column;
  channel: Column;
  committedAt: Column;
}

/** A condition no row meets: a filter given with no value that can match. */
const NOTHING = sql`1 = 0`;

/** No field name or username holds a NUL character (PostgreSQL's text cannot), so such a filter value matches nothing. */
const storable = (text: string) => !text.includes('\0');

/**
 * The WHERE of a change query. Every query names its tenant and reads in
 * sequence order, so it walks the (tenant, sequence) key or, for one call's
 * records, the (tenant, call, sequence) index: a page costs the same however
 * long the log is.
 */
export function changeQueryWhere(c: ChangeColumns, q: ChangeQuery, validId: (id: string) => boolean = () => true): SQL {
  const conditions: (SQL | undefined)[] = [eq(c.tenantId, q.tenantId)];
  if (q.callIds) {
    const ids = q.callIds.filter(validId);
    conditions.push(ids.length > 0 ? inArray(c.callId, ids) : NOTHING);
  }
  if (q.fields) {
    const ids = q.fields.ids.filter(validId);
    const names = q.fields.names.filter(storable);
    conditions.push(or(ids.length > 0 ? inArray(c.fieldId, ids) : undefined, names.length > 0 ? inArray(c.fieldName, names) : undefined) ?? NOTHING);
  }
  if (q.actors) {
    const usernames = q.actors.filter((a) => a !== CLI_ACTOR && storable(a));
    conditions.push(
      or(usernames.length > 0 ? inArray(c.actorUsername, usernames) : undefined, q.actors.includes(CLI_ACTOR) ? isNull(c.actorUserId) : undefined) ?? NOTHING,
    );
  }
  if (q.channels) conditions.push(q.channels.length > 0 ? inArray(c.channel, [...q.channels]) : NOTHING);
  if (q.committedFrom !== undefined) conditions.push(gte(c.committedAt, q.committedFrom));
  if (q.committedBefore !== undefined) conditions.push(lt(c.committedAt, q.committedBefore));
  if (q.afterSequence !== undefined) conditions.push(gt(c.sequence, q.afterSequence));
  if (q.beforeSequence !== undefined) conditions.push(lt(c.sequence, q.beforeSequence));
  return and(...conditions)!;
}

/**
 * The live feed's read, made on every wake-up: a tenant's records after a
 * sequence, oldest first, with no other condition. The stores keep it as one
 * prepared statement instead of building the SQL each time.
 */
export function isTailRead(q: ChangeQuery): q is ChangeQuery & { afterSequence: number } {
  return (
    q.order === 'asc' &&
    q.afterSequence !== undefined &&
    q.callIds === undefined &&
    q.fields === undefined &&
    q.actors === undefined &&
    q.channels === undefined &&
    q.committedFrom === undefined &&
    q.committedBefore === undefined &&
    q.beforeSequence === undefined
  );
}

/** A row of either dialect's call_changes table. */
export interface ChangeRow {
  tenantId: string;
  sequence: number;
  changeSetId: string;
  callId: string;
  fieldId: string;
  fieldName: string;
  kind: ChangeRecord['kind'];
  oldValue: string | null;
  newValue: string | null;
  callVersion: number;
  actorUserId: string | null;
  actorUsername: string | null;
  actorTokenId: string | null;
  channel: ChangeRecord['channel'];
  requestId: string | null;
  clientAddress: string | null;
  committedAt: string;
}

export const toChangeRecord = (row: ChangeRow): ChangeRecord => ({
  sequence: row.sequence,
  changeSetId: row.changeSetId,
  callId: row.callId,
  fieldId: row.fieldId,
  fieldName: row.fieldName,
  kind: row.kind,
  oldValue: row.oldValue,
  newValue: row.newValue,
  callVersion: row.callVersion,
  actor: row.actorUserId === null ? null : { userId: row.actorUserId, username: row.actorUsername ?? '', tokenId: row.actorTokenId },
  channel: row.channel,
  requestId: row.requestId,
  clientAddress: row.clientAddress,
  committedAt: row.committedAt,
});

/** The rows an append writes, numbered from `firstSequence`, all at `committedAt`. */
export function changeRows({ tenantId, origin, sets }: LogAppend, firstSequence: number, committedAt: string): ChangeRow[] {
  const { actor, channel, requestId, clientAddress } = origin;
  let sequence = firstSequence;
  return sets.flatMap((set) =>
    set.entries.map((entry) => ({
      tenantId,
      sequence: sequence++,
      changeSetId: set.id,
      ...entry,
      callVersion: set.callVersion,
      actorUserId: actor?.userId ?? null,
      actorUsername: actor?.username ?? null,
      actorTokenId: actor?.tokenId ?? null,
      channel,
      requestId,
      clientAddress,
      committedAt,
    })),
  );
}
