/**
 * One-off: peak RSS and rate of `callgate calls import` on a generated file of
 * N calls with 5 values each (issue 21 target: <= 250 MB for 1,000,000, >= 20,000 calls/s).
 * Usage: npx tsx bench/import-memory.ts [N] [--floor]
 *
 * --floor: instead of the import, the database work alone: the rows the
 * import writes for the same calls (a call, 5 values, 5 change records),
 * by the same statements as the SQLite store's, in one transaction, nothing
 * read, parsed or decided. No import of this schema can be faster.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const n = Number(process.argv[2] ?? 200_000);
const floor = process.argv.includes('--floor');
const dir = mkdtempSync(join(tmpdir(), 'callgate-import-bench-'));
const db = join(dir, 'bench.sqlite');
const file = join(dir, 'calls.jsonl');
const cli = (args: string[]) => spawnSync('node', ['bin/callgate.js', ...args, '--db', db], { encoding: 'utf8' });

for (const args of [
  ['--name', 'Status', '--type', 'option', '--options', 'Unknown,Paid,Unpaid'],
  ['--name', 'Notes', '--type', 'text'],
  ['--name', 'Channels', '--type', 'multiselect', '--options', 'Email,Phone,Letter'],
  ['--name', 'Callback', '--type', 'boolean'],
  ['--name', 'Amount', '--type', 'number'],
]) {
  const r = cli(['fields', 'create', ...args]);
  if (r.status !== 0) throw new Error(r.stderr);
}

if (floor) {
  const sqlite = new Database(db);
  for (const pragma of ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'cache_size = -32768']) sqlite.pragma(pragma);
  const tenant = sqlite.prepare<[], string>('select id from tenants').pluck().get()!;
  const fieldId = new Map(sqlite.prepare<[], [string, string]>('select name, field_id from custom_fields').raw().all());
  const insertCall = sqlite.prepare('insert into calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertValue = sqlite.prepare('insert into call_custom_field_values (call_id, field_id, value, updated_at, updated_by) values (?, ?, ?, ?, ?)');
  const appendChange = sqlite.prepare(`insert into call_changes (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value,
    call_version, actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const now = new Date().toISOString();
  const started = Date.now();
  sqlite.exec('begin immediate');
  for (let i = 0, sequence = 0; i < n; i++) {
    const callId = `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    insertCall.run(callId, tenant, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), `+1555${i}`, `+1666${i}`, i % 2 ? 'inbound' : 'outbound', i % 600, 1);
    const values: [string, string][] = [
      ['Status', ['Unknown', 'Paid', 'Unpaid'][i % 3]!],
      ['Notes', `note ${i}`],
      ['Channels', '["Email","Letter"]'],
      ['Callback', String(i % 2 === 0)],
      ['Amount', String(i % 1000)],
    ];
    for (const [name, value] of values) insertValue.run(callId, fieldId.get(name), value, now, null);
    const changeSetId = randomUUID();
    for (const [name, value] of values) {
      appendChange.run(tenant, ++sequence, changeSetId, callId, fieldId.get(name), name, 'set', null, value, 1, null, null, null, 'import', null, null, now);
    }
  }
  const written = Date.now();
  sqlite.exec('commit');
  const committed = Date.now();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  const seconds = (Date.now() - started) / 1000;
  console.log(JSON.stringify({ calls: n, floor: true, seconds, callsPerSecond: Math.round(n / seconds), writeSeconds: (written - started) / 1000, commitSeconds: (committed - written) / 1000 }));
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const out = createWriteStream(file);
for (let i = 0; i < n; i++) {
  const line = JSON.stringify({
    call_id: `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    setup_time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    from_number: `+1555${i}`,
    to_number: `+1666${i}`,
    direction: i % 2 ? 'inbound' : 'outbound',
    duration: i % 600,
    custom_fields: [
      { name: 'Status', value: ['Unknown', 'Paid', 'Unpaid'][i % 3] },
      { name: 'Notes', value: `note ${i}` },
      { name: 'Channels', value: ['Email', 'Letter'] },
      { name: 'Callback', value: i % 2 === 0 },
      { name: 'Amount', value: String(i % 1000) },
    ],
  });
  if (!out.write(line + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}
await new Promise<void>((resolve) => out.end(() => resolve()));

const started = Date.now();
const r = spawnSync('/usr/bin/time', ['-v', 'node', 'bin/callgate.js', 'calls', 'import', file, '--db', db], { encoding: 'utf8' });
const seconds = (Date.now() - started) / 1000;
const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
console.log(JSON.stringify({ calls: n, exit: r.status, seconds, callsPerSecond: Math.round(n / seconds), peakRssMb: Math.round(rssKb / 1024), stdout: r.stdout.trim() }));
rmSync(dir, { recursive: true, force: true });
