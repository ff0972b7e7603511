import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decideImportedValues } from '../../src/core/change-set.js';
import { hashApiToken, newApiToken } from '../../src/auth/credentials.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, type CliResult } from './cli.js';
import { TEST_ORIGIN } from './origin.js';

/**
 * Shared pieces of the crash and concurrent-writer tests: a database built
 * through the real CLI, a seeded random source, a model of what each call
 * must hold, and the oracle that compares a recovered call with it.
 */

export type FieldType = 'text' | 'number' | 'date' | 'option';

export interface FieldSpec {
  id: string;
  name: string;
  type: FieldType;
  options?: string[];
  maxLength?: number;
}

/**
 * One field of each type, fixed ids so a failure names them. (Each `fields
 * create` is a process that loads the whole gateway: four keep the set-up
 * affordable on a busy machine.)
 */
export const DURABILITY_FIELDS: readonly FieldSpec[] = [
  { id: 'd0000000-0000-4000-8000-000000000001', name: 'Tag', type: 'text', maxLength: 500 },
  { id: 'd0000000-0000-4000-8000-000000000002', name: 'Amount', type: 'number' },
  { id: 'd0000000-0000-4000-8000-000000000003', name: 'Follow-up', type: 'date' },
  { id: 'd0000000-0000-4000-8000-000000000004', name: 'Status', type: 'option', options: ['open', 'pending', 'closed'] },
];

export const fieldById = (id: string) => DURABILITY_FIELDS.find((f) => f.id === id)!;

const must = (result: CliResult, what: string): CliResult => {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr}`);
  return result;
};

export interface CliDatabase {
  db: string;
  token: string;
  callIds: string[];
  /** Wall time of the set-up, for the summary line. */
  setupMs: number;
}

/**
 * Builds a database the way an operator would: migrate, an editor with a
 * password on stdin, a token, the fields, and `calls` imported calls (version 1,
 * no values). Independent commands run in parallel (the default tenant exists
 * once the user is created), which keeps the set-up affordable on a busy machine.
 * `onMigrated` runs once the schema and the tenant exist, e.g. to start a
 * server alongside the remaining commands (it must not be sent requests
 * before this function returns).
 */
export async function createCliDatabase(dir: string, calls: number, options: { onMigrated?: (db: string) => void } = {}): Promise<CliDatabase> {
  const started = Date.now();
  const db = join(dir, 'callgate.sqlite');
  must(await runCli(['migrate', '--db', db]), 'migrate');
  must(
    await runCli(['users', 'create', '--db', db, '--username', 'writer', '--role', 'editor', '--password-stdin'], { stdin: 'durable-passw0rd\n' }),
    'users create',
  );
  options.onMigrated?.(db);
  const callIds = Array.from({ length: calls }, () => randomUUID());
  const file = join(dir, 'calls.jsonl');
  writeFileSync(file, restCalls(callIds).map((c) => JSON.stringify(c)).join('\n') + '\n');
  const fieldArgs = (f: FieldSpec) => [
    'fields', 'create', '--db', db, '--id', f.id, '--name', f.name, '--type', f.type,
    ...(f.options ? ['--options', f.options.join(',')] : []),
    ...(f.maxLength ? ['--max-length', String(f.maxLength)] : []),
  ];
  const [token, imported] = await Promise.all([
    runCli(['tokens', 'create', '--db', db, '--username', 'writer']).then((r) => must(r, 'tokens create')),
    runCli(['calls', 'import', file, '--db', db]).then((r) => must(r, 'calls import')),
    ...DURABILITY_FIELDS.map((f) => runCli(fieldArgs(f)).then((r) => must(r, `fields create ${f.name}`))),
  ]);
  const count = (JSON.parse(imported.stdout) as { imported: number }).imported;
  if (count !== calls) throw new Error(`calls import imported ${count}, expected ${calls}`);
  return { db, token: (JSON.parse(token.stdout) as { token: string }).token, callIds, setupMs: Date.now() - started };
}

const restCalls = (callIds: readonly string[]) =>
  callIds.map((id, i) => ({
    call_id: id,
    setup_time: new Date(Date.UTC(2026, 0, 1, 8, i)).toISOString(),
    from_number: `+4930${1000 + i}`,
    to_number: `+4940${2000 + i}`,
    direction: (['inbound', 'outbound', 'unknown'] as const)[i % 3]!,
    duration: i * 7,
  }));

/**
 * The same database as createCliDatabase, written through the store in this
 * process (no CLI processes: for tests whose subject is the server, not the
 * set-up). The store is closed (WAL checkpointed) before it returns. The user
 * has no usable password; it authenticates with its token.
 */
export async function createStoreDatabase(dir: string, calls: number): Promise<CliDatabase> {
  const started = Date.now();
  const db = join(dir, 'callgate.sqlite');
  const store = new SqliteCallStore({ path: db });
  try {
    await store.migrate();
    const now = new Date().toISOString();
    const tenant = await store.createTenant({ id: randomUUID(), name: 'default', now });
    const userId = randomUUID();
    await store.createApiUser({ id: userId, tenantId: tenant.id, username: 'writer', passwordHash: 'disabled-password', role: 'editor', now });
    const token = newApiToken();
    await store.createApiToken({ id: randomUUID(), userId, name: 'test', tokenHash: hashApiToken(token), now });
    for (const f of DURABILITY_FIELDS) {
      await store.createCustomField({
        fieldId: f.id, tenantId: tenant.id, name: f.name, description: null, type: f.type,
        options: f.options ?? null, maxLength: f.maxLength ?? null, editable: true, enabled: true, now,
      });
    }
    const callIds = Array.from({ length: calls }, () => randomUUID());
    await store.importCalls({ origin: TEST_ORIGIN,
      tenantId: tenant.id,
      now,
      decide: decideImportedValues,
      calls: restCalls(callIds).map((c) => ({
        call: { callId: c.call_id, setupTime: c.setup_time, fromNumber: c.from_number, toNumber: c.to_number, direction: c.direction, duration: c.duration },
        customFields: [],
      })),
    });
    return { db, token, callIds, setupMs: Date.now() - started };
  } finally {
    await store.close();
  }
}

/** mulberry32: small, seedable, good enough to pick calls and fields reproducibly. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const sample = <T>(items: readonly T[], k: number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, k);
  };
  return { next, int, pick, sample };
}
export type Random = ReturnType<typeof seededRandom>;

/** What a call holds: its version and its values by field id (absent: no value). */
export interface CallState {
  version: number;
  values: Record<string, string>;
}

/** One request: field id -> new value, null clears. */
export type Write = { tag: string; changes: Record<string, string | null> };

/** The state after a successful write: listed fields change, the others stay, version + 1. */
export function applyWrite(state: CallState, write: Write): CallState {
  const values = { ...state.values };
  for (const [fieldId, value] of Object.entries(write.changes)) {
    if (value === null) delete values[fieldId];
    else values[fieldId] = value;
  }
  return { version: state.version + 1, values };
}

const DAY = 86_400_000;

/**
 * A value for a field that identifies the request it came from: text carries
 * the tag, a number the sequence number, a date a day derived from it; an
 * option cannot be unique, so it is one of the options.
 */
export function taggedValue(field: FieldSpec, tag: string, seq: number, random: Random): string {
  switch (field.type) {
    case 'text':
      return `${tag}:${field.name}`;
    case 'number':
      return `${seq}.${String(seq % 97).padStart(2, '0')}`;
    case 'date':
      return new Date(Date.UTC(1990, 0, 1) + seq * DAY).toISOString().slice(0, 10);
    case 'option':
      return random.pick(field.options!);
  }
}

/** A request setting `k` random distinct fields to tagged values, each cleared with probability `clearRate`. */
export function randomWrite(tag: string, seq: number, random: Random, fields: readonly FieldSpec[], k: number, clearRate = 0.15): Write {
  const changes: Record<string, string | null> = {};
  for (const field of random.sample(fields, k)) changes[field.id] = random.next() < clearRate ? null : taggedValue(field, tag, seq, random);
  return { tag, changes };
}

/** The vendor REST body for a write, referring to fields by id or by name at random. */
export function restBody(write: Write, random: Random): string {
  return JSON.stringify({
    call: {
      custom_fields: Object.entries(write.changes).map(([fieldId, value]) =>
        random.next() < 0.5 ? { field_id: fieldId, value } : { name: fieldById(fieldId).name, value },
      ),
    },
  });
}

export type Verdict = { ok: true; inflightApplied: boolean } | { ok: false; reason: string };

const sameValues = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
};

/**
 * The crash oracle for one call. Writes to a call are sent one at a time, so
 * the acknowledged ones are totally ordered and `acknowledged` is the state
 * after the last of them. At most one more write was in flight when the
 * server died; it may or may not have committed. The recovered state must be
 * exactly one of the two: anything else is a lost acknowledged write, a
 * partial request or a phantom change.
 */
export function judgeRecoveredCall(acknowledged: CallState, inflight: Write | undefined, actual: CallState): Verdict {
  if (actual.version === acknowledged.version && sameValues(actual.values, acknowledged.values)) return { ok: true, inflightApplied: false };
  if (inflight) {
    const applied = applyWrite(acknowledged, inflight);
    if (actual.version === applied.version && sameValues(actual.values, applied.values)) return { ok: true, inflightApplied: true };
  }
  const diff = describeDiff(acknowledged, actual, inflight);
  return { ok: false, reason: diff };
}

function describeDiff(expected: CallState, actual: CallState, inflight: Write | undefined): string {
  const parts: string[] = [];
  if (expected.version !== actual.version) parts.push(`version ${actual.version}, acknowledged ${expected.version}`);
  const keys = new Set([...Object.keys(expected.values), ...Object.keys(actual.values)]);
  for (const k of keys) {
    if (expected.values[k] !== actual.values[k]) {
      parts.push(`${fieldById(k)?.name ?? k}: ${JSON.stringify(actual.values[k] ?? null)}, acknowledged ${JSON.stringify(expected.values[k] ?? null)}`);
    }
  }
  if (inflight) parts.push(`in flight: ${JSON.stringify(inflight)}`);
  return parts.join('; ');
}

/** `PRAGMA integrity_check` and `foreign_key_check` on the file, read-only (a live server may hold it). */
export function checkDatabaseFile(path: string): { integrity: string; foreignKeyViolations: number } {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
    const fk = sqlite.pragma('foreign_key_check') as unknown[];
    return { integrity: rows.map((r) => r.integrity_check).join('\n'), foreignKeyViolations: fk.length };
  } finally {
    sqlite.close();
  }
}

const READ_CALL = 'query DurabilityRead($id: ID!) { call(id: $id) { version customFields { fieldId value } } }';

/** Reads every call's version and values through the running server's GraphQL API, `parallel` at a time. */
export async function readCalls(url: string, token: string, callIds: readonly string[], parallel = 8): Promise<Map<string, CallState>> {
  const result = new Map<string, CallState>();
  let next = 0;
  const worker = async () => {
    while (next < callIds.length) {
      const id = callIds[next++]!;
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: READ_CALL, variables: { id } }),
      });
      const body = (await response.json()) as { data?: { call: { version: number; customFields: { fieldId: string; value: string }[] } | null }; errors?: unknown };
      const call = body.data?.call;
      if (response.status !== 200 || !call) throw new Error(`reading call ${id}: ${response.status} ${JSON.stringify(body)}`);
      result.set(id, { version: call.version, values: Object.fromEntries(call.customFields.map((f) => [f.fieldId, f.value])) });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return result;
}

/** Reads every call straight from the file through the store (no server), e.g. after a clean shutdown. */
export async function readCallsFromFile(path: string, callIds: readonly string[]): Promise<Map<string, CallState>> {
  const store = new SqliteCallStore({ path });
  try {
    const tenant = await store.findTenantByName('default');
    const result = new Map<string, CallState>();
    for (const id of callIds) {
      const found = await store.getCall(tenant!.id, id);
      if (found) result.set(id, { version: found.call.version, values: Object.fromEntries(found.customFields.map((f) => [f.fieldId, f.value])) });
    }
    return result;
  } finally {
    await store.close();
  }
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes. */
export async function until(condition: () => boolean, timeoutMs: number, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Error-level lines of a server's JSON log (pino level 50+, or "level":"error"). */
export function errorLogLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /"level":(5\d|6\d|"error"|"fatal")/.test(line));
}
