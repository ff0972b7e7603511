/**
 * One-off: peak RSS and rate of `callgate calls import` on a generated file of
 * N calls with 5 values each (issue 21 target: <= 250 MB for 1,000,000, >= 20,000 calls/s).
 * Usage: npx tsx bench/import-memory.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const n = Number(process.argv[2] ?? 200_000);
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
