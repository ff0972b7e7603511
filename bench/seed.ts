/**
 * Seeds a fresh benchmark database: callgate's own migrations (through its
 * CLI), then one tenant, an editor and a viewer with bearer tokens, 20 custom
 * fields of mixed types, and N calls with about 5 values each, in one
 * transaction with prepared statements.
 *
 *   tsx bench/seed.ts --db bench/.work/seed.sqlite [--calls 10000]
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { distinct, generator, sampleValue, SEED_FIELDS, type Manifest } from './workload.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = resolve(ROOT, 'bin/callgate.js');

export interface SeedOptions {
  calls?: number;
  valuesPerCall?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newToken = () => `cg_${randomBytes(32).toString('base64url')}`;

/** callgate's hash format; a low cost is enough here, the benchmark authenticates with tokens. */
function passwordHash(password: string): string {
  const cost = { N: 2 ** 14, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * `count` distinct version-4 UUIDs in ascending order: the first 48 bits
 * step evenly through the id space with a random offset in each step, the
 * other 74 are random.
 */
function ascendingUuids(count: number, pick: () => number): string[] {
  const hex = (digits: number) => Math.floor(pick() * 16 ** digits).toString(16).padStart(digits, '0');
  const step = 2 ** 48 / count;
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const high = Math.floor((i + pick()) * step).toString(16).padStart(12, '0');
    ids[i] = `${high.slice(0, 8)}-${high.slice(8)}-4${hex(3)}-${'89ab'[Math.floor(pick() * 4)]}${hex(3)}-${hex(8)}${hex(4)}`;
  }
  return ids;
}

/** 0 … count-1 in random order (Fisher-Yates). */
function shuffled(count: number, pick: () => number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(pick() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Everything the seed writes, generated once so that both databases get the same rows. */
export interface SeedData {
  now: string;
  tenantId: string;
  users: { id: string; username: string; passwordHash: string; role: 'editor' | 'viewer' }[];
  tokens: { id: string; userId: string; tokenHash: string }[];
  /** Each call with its values (about 5 distinct fields), in ascending call id order. */
  calls: { callId: string; setupTime: string; fromNumber: string; toNumber: string; direction: string; duration: number; values: { fieldId: string; value: string }[] }[];
  manifest: Manifest;
}

/** The benchmark's data: the calls and values come from a fixed seed, the tenant, user and token ids and the tokens are new each time. */
export function seedData(options: SeedOptions = {}): SeedData {
  const count = options.calls ?? 10_000;
  const perCall = options.valuesPerCall ?? 5;
  const now = new Date().toISOString();
  const tenantId = randomUUID();
  const editorId = randomUUID();
  const viewerId = randomUUID();
  const editorToken = newToken();
  const viewerToken = newToken();
  const pick = generator(20_240_905);
  const callIds = ascendingUuids(count, pick);
  const age = shuffled(count, pick);
  const calls: SeedData['calls'] = new Array(count);
  const newest = Date.parse('2026-06-01T00:00:00Z');
  const number = () => `+49${Math.floor(30_000_000 + pick() * 69_999_999)}`;
  for (let i = 0; i < count; i++) {
    const callId = callIds[i]!;
    // distinct setup times, one call every 7.919 s going back from `newest`, in an order unrelated to the ids
    const setupTime = new Date(newest - age[i]! * 7919).toISOString();
    const fromNumber = number();
    const toNumber = number();
    const direction = ['inbound', 'outbound', 'inbound', 'unknown'][Math.floor(pick() * 4)]!;
    const duration = Math.floor(pick() * 1800);
    const values = distinct(SEED_FIELDS, perCall, pick).map((f) => ({ fieldId: f.fieldId, value: sampleValue(f, pick) }));
    calls[i] = { callId, setupTime, fromNumber, toNumber, direction, duration, values };
  }
  return {
    now,
    tenantId,
    users: [
      { id: editorId, username: 'editor', passwordHash: passwordHash('bench-editor-password'), role: 'editor' },
      { id: viewerId, username: 'viewer', passwordHash: passwordHash('bench-viewer-password'), role: 'viewer' },
    ],
    tokens: [
      { id: randomUUID(), userId: editorId, tokenHash: sha256(editorToken) },
      { id: randomUUID(), userId: viewerId, tokenHash: sha256(viewerToken) },
    ],
    calls,
    manifest: { tenant: 'default', editorToken, viewerToken, fields: SEED_FIELDS, callIds },
  };
}

/**
 * A fresh SQLite file at `path`: callgate's migrations (through its CLI),
 * then the seed data in one transaction. Loading is tuned for 1,000,000 calls
 * (BENCH_CALLS): no journal, no fsync and no foreign key checks on a file
 * nobody else has open (the rows are consistent by construction); call ids in
 * ascending order, so both primary-key indexes grow at their end; the
 * secondary indexes dropped and recreated from their own SQL afterwards,
 * which sorts once instead of splitting pages on every insert. The file ends
 * in WAL mode, as callgate and the floor open it.
 */
export function seedDatabase(path: string, options: SeedOptions = {}): Manifest {
  mkdirSync(dirname(path), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  execFileSync(process.execPath, [CLI, 'migrate', '--db', path], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DATABASE_URL: '' } });
  const data = seedData(options);

  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB
  db.pragma('foreign_keys = OFF');
  const { now } = data;

  const insertCall = db.prepare(
    'INSERT INTO calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)',
  );
  const insertValue = db.prepare(
    'INSERT INTO call_custom_field_values (call_id, field_id, value, updated_at, updated_by) VALUES (?, ?, ?, ?, NULL)',
  );
  const insertField = db.prepare(
    'INSERT INTO custom_fields (field_id, tenant_id, name, description, type, options, max_length, editable, enabled, created_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)',
  );
  const insertUser = db.prepare(
    'INSERT INTO api_users (id, tenant_id, username, password_hash, role, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
  );
  const insertToken = db.prepare('INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)');
  const secondaryIndexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('calls', 'call_custom_field_values') AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];

  db.transaction(() => {
    db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(data.tenantId, data.manifest.tenant, now);
    for (const u of data.users) insertUser.run(u.id, data.tenantId, u.username, u.passwordHash, u.role, now);
    for (const t of data.tokens) insertToken.run(t.id, t.userId, 'bench', t.tokenHash, now);
    for (const f of SEED_FIELDS) {
      insertField.run(f.fieldId, data.tenantId, f.name, f.type, f.options ? JSON.stringify(f.options) : null, f.maxLength, f.editable ? 1 : 0, f.enabled ? 1 : 0, now);
    }
    for (const index of secondaryIndexes) db.exec(`DROP INDEX "${index.name}"`);
    for (const c of data.calls) {
      insertCall.run(c.callId, data.tenantId, c.setupTime, c.fromNumber, c.toNumber, c.direction, c.duration);
      for (const v of c.values) insertValue.run(c.callId, v.fieldId, v.value, now);
    }
    for (const index of secondaryIndexes) db.exec(index.sql);
  }).immediate();

  db.pragma('journal_mode = WAL');
  db.close();
  return data.manifest;
}

function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { db: { type: 'string' }, calls: { type: 'string' } } });
  if (!values.db) {
    process.stderr.write('usage: tsx bench/seed.ts --db <file> [--calls 10000]\n');
    process.exit(1);
  }
  const started = performance.now();
  const manifest = seedDatabase(values.db, { calls: values.calls ? Number(values.calls) : undefined });
  process.stdout.write(
    `${JSON.stringify({ db: values.db, calls: manifest.callIds.length, fields: manifest.fields.length, editorToken: manifest.editorToken, ms: Math.round(performance.now() - started) }, null, 2)}\n`,
  );
}
