/**
 * The raw floor on SQLite: what callgate's operations cost with node:http,
 * better-sqlite3 prepared statements and nothing else, on the same database
 * file with the same SQLite settings and the same observable semantics
 * (bearer auth by SHA-256, id-over-name, validation, one BEGIN IMMEDIATE
 * transaction per write, version + 1, the same status codes and JSON). The
 * HTTP, REST and GraphQL answering is shared with the PostgreSQL floor
 * (bench/floor-http.ts); this file holds the statements.
 *
 *   node --import tsx bench/floor-server.ts --db <file> [--port 0] [--host 127.0.0.1] [--synchronous FULL|NORMAL]
 *
 * Prints {"url": "http://127.0.0.1:PORT"} on stdout once listening.
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { decideChangeSet, type FieldEntry } from '../src/core/change-set.js';
import type { CustomFieldDefinition } from '../src/core/custom-field.js';
import { serveFloor, type CallRow, type FloorStore, type ValueRow, type Viewer, type WriteOutcome } from './floor-http.js';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    synchronous: { type: 'string', default: 'FULL' },
  },
});
if (!args.db) throw new Error('--db is required');
const synchronous = args.synchronous.toUpperCase();
if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new Error('--synchronous must be FULL or NORMAL');

const db = new Database(args.db);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');

interface FieldRow {
  field_id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  type: CustomFieldDefinition['type'];
  options: string | null;
  max_length: number | null;
  editable: number;
  enabled: number;
  previous_names: string;
}

const CALL_COLUMNS = 'call_id, setup_time, from_number, to_number, direction, duration, version';
const sql = {
  viewer: db.prepare<[string], Viewer>(
    'SELECT u.id AS userId, u.tenant_id AS tenantId, u.role AS role FROM api_tokens t JOIN api_users u ON u.id = t.user_id ' +
      'WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0',
  ),
  call: db.prepare<[string, string], CallRow>(`SELECT ${CALL_COLUMNS} FROM calls WHERE call_id = ? AND tenant_id = ?`),
  values: db.prepare<[string], ValueRow>(
    'SELECT v.field_id, f.name, v.value, v.updated_at, f.type FROM call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id ' +
      'WHERE v.call_id = ? AND f.enabled = 1 ORDER BY f.name, f.field_id',
  ),
  fields: db.prepare<[string], FieldRow>(
    'SELECT field_id, tenant_id, name, description, type, options, max_length, editable, enabled, previous_names FROM custom_fields ' +
      'WHERE tenant_id = ? ORDER BY name, field_id',
  ),
  upsert: db.prepare<[string, string, string, string, string]>(
    'INSERT INTO call_custom_field_values (call_id, field_id, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (call_id, field_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
  ),
  clear: db.prepare<[string, string]>('DELETE FROM call_custom_field_values WHERE call_id = ? AND field_id = ?'),
  bump: db.prepare<[string], CallRow>(`UPDATE calls SET version = version + 1 WHERE call_id = ? RETURNING ${CALL_COLUMNS}`),
  page: db.prepare<[string, number], CallRow>(`SELECT ${CALL_COLUMNS} FROM calls WHERE tenant_id = ? ORDER BY setup_time DESC, call_id DESC LIMIT ?`),
  pageValues: db.prepare<[string], ValueRow & { call_id: string }>(
    'SELECT v.call_id, v.field_id, f.name, v.value, v.updated_at, f.type FROM call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id ' +
      'WHERE v.call_id IN (SELECT value FROM json_each(?)) AND f.enabled = 1 ORDER BY f.name, f.field_id',
  ),
};

const toDefinition = (r: FieldRow): CustomFieldDefinition => ({
  fieldId: r.field_id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  type: r.type,
  options: r.options === null ? null : (JSON.parse(r.options) as string[]),
  maxLength: r.max_length,
  editable: r.editable === 1,
  enabled: r.enabled === 1,
  previousNames: JSON.parse(r.previous_names) as string[],
});

/** One request's change set in one BEGIN IMMEDIATE transaction; the field definitions are read inside it. */
const writeCustomFields = db.transaction((viewer: Viewer, callId: string, entries: FieldEntry[], now: string): WriteOutcome => {
  const call = sql.call.get(callId, viewer.tenantId);
  if (!call) return { kind: 'not_found' };
  const decision = decideChangeSet(entries, sql.fields.all(viewer.tenantId).map(toDefinition));
  if (!decision.ok) return { kind: 'invalid', problems: decision.problems };
  if (decision.changes.length === 0) return { kind: 'updated', call, values: sql.values.all(callId) };
  for (const change of decision.changes) {
    if (change.value === null) sql.clear.run(callId, change.fieldId);
    else sql.upsert.run(callId, change.fieldId, change.value, now, viewer.userId);
  }
  return { kind: 'updated', call: sql.bump.get(callId)!, values: sql.values.all(callId) };
});

/** Synchronous answers: the shared HTTP code uses them at once, no promise in between. */
const store: FloorStore = {
  viewer: (tokenHash) => sql.viewer.get(tokenHash) ?? null,
  call(tenantId, callId) {
    const call = sql.call.get(callId, tenantId);
    return call ? { call, values: sql.values.all(call.call_id) } : null;
  },
  writeCustomFields: (viewer, callId, entries, now) => writeCustomFields.immediate(viewer, callId, entries, now),
  callPage(tenantId, limit) {
    const calls = sql.page.all(tenantId, limit);
    return { calls, values: sql.pageValues.all(JSON.stringify(calls.map((c) => c.call_id))) };
  },
};

serveFloor(store, { port: Number(args.port), host: args.host, announce: { synchronous }, close: () => void db.close() });
