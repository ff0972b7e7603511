/**
 * The raw floor on PostgreSQL: what callgate's operations cost with
 * node:http, a `pg` Pool and parameterised SQL, nothing else. It runs the
 * statements and transactions callgate's PgCallStore runs, so the database
 * does the same work for both and what differs is the work in the Node
 * process:
 *
 * - a write is one READ COMMITTED transaction that locks the call row
 *   (SELECT … FOR UPDATE), reads the field definitions inside it, deletes the
 *   cleared values in one statement, upserts the others in one statement,
 *   bumps the version and reads the values back; 40001 and 40P01 rerun it
 *   (at most 5 runs, the same back-off);
 * - a call is read with its values in one statement (one snapshot), a page of
 *   calls in one statement and their values in another;
 * - the bearer token is checked on every request: by the statement that reads the call or the page of calls (as
 *   callgate does once it has admitted a token: src/http/provisional-reads.ts), else by a statement of its own;
 * - every statement is a named prepared statement, planned once per
 *   connection, as callgate's per-request statements are;
 * - the pool has callgate's settings (size, statement_timeout 10 s, connect
 *   timeout 5 s, idle timeout 10 s, keep-alive).
 *
 * The HTTP, REST and GraphQL answering is shared with the SQLite floor
 * (bench/floor-http.ts).
 *
 *   node --import tsx bench/floor-server-pg.ts --url postgres://…?schema=name [--pool-size 10]
 *        [--synchronous-commit on|off] [--port 0] [--host 127.0.0.1]
 *
 * Without --synchronous-commit the connections keep the server's setting, as
 * callgate's do. Prints {"url": "http://127.0.0.1:PORT", …} on stdout once listening.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { decideChangeSet, type FieldEntry } from '../src/core/change-set.js';
import type { CustomFieldDefinition } from '../src/core/custom-field.js';
import type { Role } from '../src/core/permissions.js';
import { serveFloor, type CallRow, type FloorStore, type ValueRow, type Viewer, type WriteOutcome } from './floor-http.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'pool-size': { type: 'string', default: '10' },
    'synchronous-commit': { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!args.url) throw new Error('--url is required');
const poolSize = Number(args['pool-size']);
if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error('--pool-size must be a positive integer');
const synchronousCommit = args['synchronous-commit'];
if (synchronousCommit !== undefined && synchronousCommit !== 'on' && synchronousCommit !== 'off') throw new Error('--synchronous-commit must be on or off');

// callgate's `?schema=name`: every table in that schema (search_path); the rest of the URL goes to the driver.
const url = new URL(args.url);
const schema = url.searchParams.get('schema');
url.searchParams.delete('schema');
if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`--url: bad schema name ${JSON.stringify(schema)}`);
const settings = [schema && `-c search_path=${schema}`, synchronousCommit && `-c synchronous_commit=${synchronousCommit}`].filter(Boolean).join(' ');

const pool = new pg.Pool({
  connectionString: url.toString(),
  max: poolSize,
  connectionTimeoutMillis: 5_000,
  idleTimeoutMillis: 10_000,
  keepAlive: true,
  application_name: 'callgate-floor',
  statement_timeout: 10_000,
  ...(settings ? { options: settings } : {}),
  // calls.version is bigint; callgate reads it as a JS number, and so does the floor.
  types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
});
pool.on('error', () => {});
pool.on('connect', (client) => client.on('error', () => {}));

interface FieldRow {
  field_id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  type: CustomFieldDefinition['type'];
  options: string[] | null;
  max_length: number | null;
  editable: boolean;
  enabled: boolean;
  previous_names: string[];
}
type CallRecord = Omit<CallRow, 'setup_time'> & { setup_time: Date };
type ValueRecord = Omit<ValueRow, 'updated_at'> & { updated_at: Date };

const CALL_COLUMNS = 'call_id, setup_time, from_number, to_number, direction, duration, version';
/** Field names in code point order, as SQLite and callgate's PostgreSQL store sort them, whatever the database's collation. */
const BY_NAME = 'ORDER BY f.name COLLATE "C", f.field_id';
const VALUE_COLUMNS = 'v.field_id, f.name, v.value, v.updated_at, f.type';
/** The user of the token whose hash is the parameter `hash`, unless the token is revoked or the user disabled. */
const viewerByToken = (hash: string) =>
  'SELECT u.id AS "userId", u.tenant_id AS "tenantId", u.role AS role FROM api_tokens t JOIN api_users u ON u.id = t.user_id ' +
  `WHERE t.token_hash = ${hash} AND t.revoked_at IS NULL AND NOT u.disabled`;
const sql = {
  viewer: viewerByToken('$1'),
  /** The call and its values in one statement, one row per value (value columns null for a call with none), as callgate reads it. */
  callWithValues:
    `SELECT c.call_id, c.setup_time, c.from_number, c.to_number, c.direction, c.duration, c.version, ${VALUE_COLUMNS} FROM calls c ` +
    'LEFT JOIN (call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id AND f.enabled) ON v.call_id = c.call_id ' +
    `WHERE c.call_id = $1 AND c.tenant_id = $2 ${BY_NAME}`,
  callForUpdate: `SELECT ${CALL_COLUMNS} FROM calls WHERE call_id = $1 AND tenant_id = $2 FOR UPDATE`,
  values: `SELECT ${VALUE_COLUMNS} FROM call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id WHERE v.call_id = $1 AND f.enabled ${BY_NAME}`,
  fields:
    'SELECT field_id, tenant_id, name, description, type, options, max_length, editable, enabled, previous_names FROM custom_fields f ' +
    `WHERE tenant_id = $1 ${BY_NAME}`,
  /** Clears ($2), writes ($3, $4) and reads back the call's values in one statement, as callgate's store does. */
  writeValues:
    'WITH cleared AS (DELETE FROM call_custom_field_values WHERE call_id = $1 AND field_id = ANY($2::uuid[])), ' +
    'written AS (INSERT INTO call_custom_field_values (call_id, field_id, value, updated_at, updated_by) ' +
    'SELECT $1::uuid, w.field_id, w.value, $5::timestamptz, $6::uuid FROM unnest($3::uuid[], $4::text[]) AS w(field_id, value) ' +
    'ON CONFLICT (call_id, field_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by ' +
    'RETURNING field_id, value, updated_at), ' +
    'kept AS (SELECT field_id, value, updated_at FROM call_custom_field_values WHERE call_id = $1 AND field_id <> ALL($2::uuid[]) AND field_id <> ALL($3::uuid[])), ' +
    `v AS (SELECT * FROM written UNION ALL SELECT * FROM kept) SELECT ${VALUE_COLUMNS} FROM v JOIN custom_fields f ON f.field_id = v.field_id WHERE f.enabled ${BY_NAME}`,
  bump: `UPDATE calls SET version = version + 1 WHERE call_id = $1 RETURNING ${CALL_COLUMNS}`,
  page: `SELECT ${CALL_COLUMNS} FROM calls WHERE tenant_id = $1 ORDER BY setup_time DESC, call_id DESC LIMIT $2`,
  /** callWithValues of the tenant of the token whose hash is $2, with its user: no row when there is no such user. */
  callWithValuesByToken:
    `WITH viewer AS (${viewerByToken('$2')}) SELECT viewer."userId", viewer."tenantId", viewer.role, ` +
    `c.call_id, c.setup_time, c.from_number, c.to_number, c.direction, c.duration, c.version, ${VALUE_COLUMNS} FROM viewer ` +
    'LEFT JOIN calls c ON c.call_id = $1 AND c.tenant_id = viewer."tenantId" ' +
    'LEFT JOIN (call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id AND f.enabled) ON v.call_id = c.call_id ' +
    BY_NAME,
  /** `page` of the tenant of the token whose hash is $1, with its user on every row (one row of nulls for no call). */
  pageByToken:
    `WITH viewer AS (${viewerByToken('$1')}) SELECT viewer."userId", viewer."tenantId", viewer.role, c.* FROM viewer LEFT JOIN LATERAL ` +
    `(SELECT ${CALL_COLUMNS} FROM calls WHERE tenant_id = viewer."tenantId" ORDER BY setup_time DESC, call_id DESC LIMIT $2) c ON true ` +
    'ORDER BY c.setup_time DESC, c.call_id DESC',
  pageValues: `SELECT v.call_id, ${VALUE_COLUMNS} FROM call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id WHERE v.call_id = ANY($1::uuid[]) AND f.enabled ${BY_NAME}`,
};

/** Runs one of the statements above as a named prepared statement, planned once per connection, as callgate runs its own. */
function run<Row extends pg.QueryResultRow>(db: pg.Pool | pg.PoolClient, statement: keyof typeof sql, values: unknown[]) {
  return db.query<Row>({ name: `floor_${statement}`, text: sql[statement], values });
}

const toCall = (r: CallRecord): CallRow => ({ ...r, setup_time: r.setup_time.toISOString() });
const toValue = <T extends ValueRecord>(r: T) => ({ ...r, updated_at: r.updated_at.toISOString() });

const toDefinition = (r: FieldRow): CustomFieldDefinition => ({
  fieldId: r.field_id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  type: r.type,
  options: r.options,
  maxLength: r.max_length,
  editable: r.editable,
  enabled: r.enabled,
  previousNames: r.previous_names,
});

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** `run` in one transaction on a pooled connection; rerun from the start on a serialization failure or deadlock. */
async function transaction<T>(begin: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      try {
        const result = await run(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      }
    } catch (error) {
      if (RETRYABLE.has((error as { code?: string }).code ?? '') && attempt < MAX_ATTEMPTS) {
        await sleep(Math.random() * 10 * 2 ** attempt);
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function readValues(client: pg.PoolClient, callId: string): Promise<ValueRow[]> {
  return (await run<ValueRecord>(client, 'values', [callId])).rows.map(toValue);
}

const store: FloorStore = {
  async viewer(tokenHash) {
    return (await run<Viewer & { role: Role }>(pool, 'viewer', [tokenHash])).rows[0] ?? null;
  },

  async call(tenantId, callId) {
    const rows = (await run<CallWithValueRecord>(pool, 'callWithValues', [callId, tenantId])).rows;
    return rows.length === 0 ? null : callWithValuesOf(rows);
  },

  writeCustomFields(viewer: Viewer, callId: string, entries: FieldEntry[], now: string) {
    return transaction('BEGIN', async (client): Promise<WriteOutcome> => {
      // The row lock first: whoever holds it decides on the field definitions as they are now.
      const [call] = (await run<CallRecord>(client, 'callForUpdate', [callId, viewer.tenantId])).rows;
      if (!call) return { kind: 'not_found' };
      const fields = (await run<FieldRow>(client, 'fields', [viewer.tenantId])).rows.map(toDefinition);
      const decision = decideChangeSet(entries, fields);
      if (!decision.ok) return { kind: 'invalid', problems: decision.problems };
      if (decision.changes.length === 0) return { kind: 'updated', call: toCall(call), values: await readValues(client, callId) };
      const cleared = decision.changes.filter((c) => c.value === null).map((c) => c.fieldId);
      const written = decision.changes.filter((c) => c.value !== null);
      const params = [callId, cleared, written.map((c) => c.fieldId), written.map((c) => c.value), now, viewer.userId];
      const values = (await run<ValueRecord>(client, 'writeValues', params)).rows.map(toValue);
      const [bumped] = (await run<CallRecord>(client, 'bump', [callId])).rows;
      return { kind: 'updated', call: toCall(bumped!), values };
    });
  },

  async callPage(tenantId, limit) {
    return pageWithValues((await run<CallRecord>(pool, 'page', [tenantId, limit])).rows);
  },

  withToken: {
    async call(tokenHash, callId) {
      const rows = (await run<ViewerColumns & CallWithValueRecord>(pool, 'callWithValuesByToken', [callId, tokenHash])).rows;
      if (rows.length === 0) return { viewer: null, found: null };
      return { viewer: viewerOf(rows[0]!), found: rows[0]!.call_id === null ? null : callWithValuesOf(rows) };
    },
    async callPage(tokenHash, limit) {
      const rows = (await run<ViewerColumns & { [K in keyof CallRecord]: CallRecord[K] | null }>(pool, 'pageByToken', [tokenHash, limit])).rows;
      if (rows.length === 0) return { viewer: null, page: { calls: [], values: [] } };
      const calls = rows.filter((r): r is typeof r & CallRecord => r.call_id !== null).map(({ userId: _u, tenantId: _t, role: _r, ...call }) => call);
      return { viewer: viewerOf(rows[0]!), page: await pageWithValues(calls) };
    },
  },
};

type ViewerColumns = Viewer & { role: Role };
/** A row of callWithValues: the call, and one of its values or nulls. */
type CallWithValueRecord = CallRecord & { [K in keyof ValueRecord]: ValueRecord[K] | null };

const viewerOf = ({ userId, tenantId, role }: ViewerColumns): Viewer => ({ userId, tenantId, role });

function callWithValuesOf(rows: CallWithValueRecord[]) {
  const { call_id, setup_time, from_number, to_number, direction, duration, version } = rows[0]!;
  const values = rows
    .filter((r): r is typeof r & ValueRecord => r.field_id !== null)
    .map(({ field_id, name, value, updated_at, type }) => toValue({ field_id, name, value, updated_at, type }));
  return { call: toCall({ call_id, setup_time, from_number, to_number, direction, duration, version }), values };
}

/** A page of calls with the values of those calls (a second statement, as callgate reads them). */
async function pageWithValues(records: CallRecord[]) {
  const calls = records.map(toCall);
  const values = (await run<ValueRecord & { call_id: string }>(pool, 'pageValues', [calls.map((c) => c.call_id)])).rows.map(toValue);
  return { calls, values };
}

serveFloor(store, {
  port: Number(args.port),
  host: args.host,
  announce: { poolSize, synchronousCommit: synchronousCommit ?? 'server default' },
  close: () => pool.end(),
});
