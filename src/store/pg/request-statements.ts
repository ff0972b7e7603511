import pg from 'pg';
import type { CallRecord } from '../../core/call.js';
import type { CallOrder } from '../../core/call-list.js';
import type { CustomFieldValue } from '../../core/custom-field.js';
import { toCustomFieldValue, type ValueRow } from './value-row.js';
import { instantFromDriver } from './schema.js';

/**
 * The statements every REST and GraphQL request runs (authentication, reading
 * a call, reading and writing its custom field values), as fixed text sent
 * straight to node-postgres: building them with drizzle on every request cost
 * more CPU than the database spends running them. Each is a named prepared
 * statement, so a connection parses and plans it once; the names are
 * per connection, and a new connection (after an outage, say) prepares them
 * again on first use. Tables are unqualified: they resolve through the
 * connection's search_path, which `?schema=` fixes when the connection opens.
 *
 * They select exactly the columns the drizzle queries they replace did, under
 * the same (camelCase) names; timestamps arrive as text and are read as the
 * drizzle schema reads them (instantFromDriver), booleans, integers and jsonb
 * as node-postgres parses them, as under drizzle.
 */
export interface RequestStatement {
  readonly name: string;
  readonly text: string;
}

const USER_COLUMNS = 'u.id, u.tenant_id as "tenantId", t.name as "tenantName", u.username, u.role, u.password_hash as "passwordHash", u.disabled';
const USER_FROM = 'from api_users u join tenants t on t.id = u.tenant_id';
const USER = `select ${USER_COLUMNS} ${USER_FROM}`;
const CALL_COLUMNS = `call_id as "callId", tenant_id as "tenantId", setup_time as "setupTime", from_number as "fromNumber", to_number as "toNumber",
  direction, duration, version`;
const FIELD = `select field_id as "fieldId", tenant_id as "tenantId", name, description, type, options, max_length as "maxLength", editable, enabled,
  previous_names as "previousNames"
  from custom_fields where tenant_id = $1`;
/** Field names sort by code point, as SQLite's BINARY collation does, whatever the database's collation. */
const BY_NAME = 'order by name collate "C", field_id';

/**
 * The row of the user a credential names as one JSON value in userByTokenHash's or userByUsername's shape, or
 * null when there is none: a column a read adds to carry its request's authentication (CredentialedReads).
 * `parameter` is the placeholder of the token's hash or the username.
 */
export function credentialHolder(kind: 'token' | 'username', parameter: string): string {
  const user = `'id', u.id, 'tenantId', u.tenant_id, 'tenantName', t.name, 'username', u.username, 'role', u.role, 'passwordHash', u.password_hash,
    'disabled', u.disabled`;
  return kind === 'token'
    ? `(select json_build_object(${user}, 'tokenId', k.id) ${USER_FROM} join api_tokens k on k.user_id = u.id
    where k.token_hash = ${parameter} and k.revoked_at is null)`
    : `(select json_build_object(${user}) ${USER_FROM} where u.username = ${parameter})`;
}

/**
 * A call with its values (those of enabled fields, as `values` reads them) in one statement: one snapshot, so the
 * version and the values belong together without a transaction of their own. $1 call, $2 tenant; `holder`, a
 * credentialHolder column.
 */
const callWithValues = (holder?: string) => `select ${CALL_COLUMNS}, coalesce((
    select json_agg(json_build_object('fieldId', v.field_id, 'name', f.name, 'value', v.value, 'updatedAt', v.updated_at, 'updatedBy', u.username,
      'type', f.type, 'options', f.options, 'maxLength', f.max_length) order by f.name collate "C", f.field_id)
    from call_custom_field_values v
    join custom_fields f on f.field_id = v.field_id
    left join api_users u on u.id = v.updated_by
    where v.call_id = calls.call_id and f.enabled), '[]') as "customFields"${holder ? `,
  ${holder} as "holder"` : ''}
  from calls where call_id = $1 and tenant_id = $2`;

const statement = (name: string, text: string): RequestStatement => ({ name: `callgate_${name}`, text });

export const REQUEST_SQL = {
  userByUsername: statement('user_by_username', `${USER} where u.username = $1`),
  userByTokenHash: statement(
    'user_by_token_hash',
    `select ${USER_COLUMNS}, k.id as "tokenId" ${USER_FROM} join api_tokens k on k.user_id = u.id where k.token_hash = $1 and k.revoked_at is null`,
  ),
  callForUpdate: statement('call_for_update', `select ${CALL_COLUMNS} from calls where call_id = $1 and tenant_id = $2 for update`),
  values: statement(
    'values',
    `select v.field_id as "fieldId", f.name, v.value, v.updated_at as "updatedAt", u.username as "updatedBy", f.type, f.options, f.max_length as "maxLength"
  from call_custom_field_values v
  join custom_fields f on f.field_id = v.field_id
  left join api_users u on u.id = v.updated_by
  where v.call_id = $1 and f.enabled
  order by f.name collate "C", f.field_id`,
  ),
  /** The values of a page of calls (listCustomFieldValues), as `values` reads them, with their call: $1 the call ids, $2 tenant. */
  valuesOfCalls: statement(
    'values_of_calls',
    `select v.call_id as "callId", v.field_id as "fieldId", f.name, v.value, v.updated_at as "updatedAt", u.username as "updatedBy", f.type, f.options,
    f.max_length as "maxLength"
  from call_custom_field_values v
  join custom_fields f on f.field_id = v.field_id
  left join api_users u on u.id = v.updated_by
  where v.call_id = any($1::uuid[]) and f.tenant_id = $2 and f.enabled
  order by f.name collate "C", f.field_id`,
  ),
  /** $1 call, $2 tenant (see callWithValues). */
  callWithValues: statement('call_with_values', callWithValues()),
  /** callWithValues, and the user of the token whose hash is $3 (credentialHolder). */
  callWithValuesByToken: statement('call_with_values_by_token', callWithValues(credentialHolder('token', '$3'))),
  /** callWithValues, and the user named $3 (credentialHolder). */
  callWithValuesByUsername: statement('call_with_values_by_username', callWithValues(credentialHolder('username', '$3'))),
  allFields: statement('all_fields', `${FIELD} ${BY_NAME}`),
  enabledFields: statement('enabled_fields', `${FIELD} and enabled ${BY_NAME}`),
  /**
   * Clears and writes a call's values and reads them all back, in one statement. $1 call, $2 the field ids cleared,
   * $3 and $4 the field ids and values written (rows are written, and locked, in that order), $5 time, $6 user. A
   * statement does not see its own writes, so the values read are those it wrote (RETURNING) and, of the others, what
   * its snapshot holds: taken after the call's row lock, as a separate read would be. Read as `values` reads.
   */
  writeValues: statement(
    'write_values',
    `with cleared as (delete from call_custom_field_values where call_id = $1 and field_id = any($2::uuid[])),
  written as (
    insert into call_custom_field_values (call_id, field_id, value, updated_at, updated_by)
    select $1::uuid, w.field_id, w.value, $5::timestamptz, $6::uuid from unnest($3::uuid[], $4::text[]) as w(field_id, value)
    on conflict (call_id, field_id) do update set value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
    returning field_id, value, updated_at, updated_by),
  kept as (
    select field_id, value, updated_at, updated_by from call_custom_field_values
    where call_id = $1 and field_id <> all($2::uuid[]) and field_id <> all($3::uuid[])),
  stored as (select * from written union all select * from kept)
  select v.field_id as "fieldId", f.name, v.value, v.updated_at as "updatedAt", u.username as "updatedBy", f.type, f.options, f.max_length as "maxLength"
  from stored v
  join custom_fields f on f.field_id = v.field_id
  left join api_users u on u.id = v.updated_by
  where f.enabled
  order by f.name collate "C", f.field_id`,
  ),
  bumpVersion: statement('bump_version', `update calls set version = version + 1 where call_id = $1 returning ${CALL_COLUMNS}`),
  /** The tenant's fields and the call's stored value of each (null where none): one round trip for what a change decides on and replaces. */
  fieldsAndValues: statement(
    'fields_and_values',
    `select f.field_id as "fieldId", f.tenant_id as "tenantId", f.name, f.description, f.type, f.options, f.max_length as "maxLength", f.editable,
    f.enabled, f.previous_names as "previousNames", v.value as "current"
  from custom_fields f left join call_custom_field_values v on v.field_id = f.field_id and v.call_id = $2
  where f.tenant_id = $1
  order by f.name collate "C", f.field_id`,
  ),
  /**
   * Bumps the call's version and appends one change set at that version, in
   * one statement. $1 call, $2 tenant, $3 change set id, $4 commit time (at
   * least the tenant's last), $5-$9 the entries' field ids, names, kinds, old
   * and new values, $10-$15 actor user, username and token, channel, request
   * id, client address. The head row's lock (see schema.ts, changeLogHeads) is
   * the statement's last effect and holds until COMMIT; the notification to
   * `callgate_changes` (change-notifier.ts) is delivered at COMMIT.
   */
  bumpVersionAndLog: statement(
    'bump_version_and_log',
    `with bumped as (update calls set version = version + 1 where call_id = $1::uuid returning ${CALL_COLUMNS}),
  entries as (select * from unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[]) with ordinality as e(field_id, field_name, kind, old_value, new_value, n)),
  head as (
    insert into change_log_heads as h (tenant_id, last_sequence, last_committed_at) values ($2::uuid, (select count(*) from entries), $4::timestamptz)
    on conflict (tenant_id) do update set last_sequence = h.last_sequence + excluded.last_sequence,
      last_committed_at = greatest(h.last_committed_at, excluded.last_committed_at)
    returning last_sequence, last_committed_at),
  logged as (
    insert into call_changes (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value, call_version,
      actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at)
    select $2::uuid, head.last_sequence - (select count(*) from entries) + e.n, $3::uuid, $1::uuid, e.field_id, e.field_name, e.kind, e.old_value,
      e.new_value, bumped.version, $10::uuid, $11::text, $12::uuid, $13::text, $14::text, $15::text, head.last_committed_at
    from entries e, head, bumped)
  select bumped.* from bumped, head, lateral (select pg_notify('callgate_changes', $2::text || ':' || head.last_sequence)) notified`,
  ),
  /** The live feed's read (isTailRead): $1 tenant, records after sequence $2, oldest first, at most $3. */
  changeTail: statement(
    'change_tail',
    `select tenant_id as "tenantId", sequence, change_set_id as "changeSetId", call_id as "callId", field_id as "fieldId", field_name as "fieldName",
    kind, old_value as "oldValue", new_value as "newValue", call_version as "callVersion", actor_user_id as "actorUserId",
    actor_username as "actorUsername", actor_token_id as "actorTokenId", channel, request_id as "requestId", client_address as "clientAddress",
    committed_at as "committedAt"
  from call_changes where tenant_id = $1 and sequence > $2 order by sequence limit $3`,
  ),
} as const;

/**
 * timestamptz as text, as drizzle asks for it; bigint (a call's version) as a
 * number, as drizzle's `mode: 'number'` maps it (node-postgres would give a
 * string); every other type as node-postgres parses it by default.
 */
const TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.TIMESTAMPTZ) return (value: string) => value;
    if (oid === pg.types.builtins.INT8) return Number;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const firstPages = new Map<string, RequestStatement>();

/**
 * The first page of a tenant's calls in `order`, every call matching (the call list's commonest request), as the
 * list's general query reads it: $1 tenant, $2 how many rows (a page and one more, to tell whether there are more);
 * with `withTotal`, every call counted; with `holder`, a credentialHolder column of the credential $3.
 */
export function firstPageStatement(order: CallOrder, withTotal: boolean, holder: 'token' | 'username' | null): RequestStatement {
  const key = `${order.field}_${order.direction}${withTotal ? '_total' : ''}${holder ? `_by_${holder}` : ''}`;
  let found = firstPages.get(key);
  if (!found) {
    const column = order.field === 'setup_time' ? 'setup_time' : 'duration';
    const total = withTotal ? '(select count(*)::int from calls where tenant_id = $1)' : 'null::int';
    found = statement(
      `first_page_${key}`,
      `select ${CALL_COLUMNS}, ${total} as total${holder ? `, ${credentialHolder(holder, '$3')} as "holder"` : ''}
  from calls where tenant_id = $1 order by ${column} ${order.direction}, call_id ${order.direction} limit $2`,
    );
    firstPages.set(key, found);
  }
  return found;
}

/** Something that runs a query: the pool, or a client checked out for a transaction. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Runs a request statement with its parameters; a fresh config each time
 * (node-postgres writes into the one it gets). `named: false` sends it
 * unnamed, planned on every run, for poolers that cannot keep a connection's
 * prepared statements.
 */
export async function runStatement<Row extends pg.QueryResultRow>(
  db: Queryable,
  statement: RequestStatement,
  values: unknown[],
  named = true,
): Promise<Row[]> {
  const result = await db.query<Row>({ name: named ? statement.name : undefined, text: statement.text, values, types: TYPES });
  return result.rows;
}

/** A call row as drizzle mapped it: setupTime as an ISO string. Takes over the row. */
export function toCall(row: CallRecord): CallRecord {
  row.setupTime = instantFromDriver(row.setupTime);
  return row;
}

/** A value row as drizzle mapped it (updatedAt as an ISO string), its rule nested. Takes over the row. */
export function toValue(row: ValueRow): CustomFieldValue {
  row.updatedAt = instantFromDriver(row.updatedAt);
  return toCustomFieldValue(row);
}
