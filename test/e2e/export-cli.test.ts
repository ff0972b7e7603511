import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabaseUrl, onPostgres, STORE_UNDER_TEST } from '../support/database.js';

const ID = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const PAYMENT_STATUS = '138fb20c-4c3b-11ee-8cbb-0015172d2a7d';

/** The fields both databases get, with the same ids. */
async function createFields(db: string) {
  for (const args of [
    ['--name', 'Payment status', '--type', 'option', '--options', 'Unknown,Paid,Unpaid', '--id', PAYMENT_STATUS],
    ['--name', 'Notes', '--type', 'text', '--id', '00000000-0000-4000-8000-00000000000a'],
    ['--name', 'Channels', '--type', 'multiselect', '--options', 'Email,Phone,Letter', '--id', '00000000-0000-4000-8000-00000000000b'],
    ['--name', 'Callback', '--type', 'boolean', '--id', '00000000-0000-4000-8000-00000000000c'],
    ['--name', 'Amount', '--type', 'number', '--id', '00000000-0000-4000-8000-00000000000d'],
  ]) {
    const result = await runCli(['fields', 'create', ...args, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
  }
}

function generated(n: number) {
  return {
    call_id: ID(n),
    setup_time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    from_number: `+1555${n}`,
    to_number: `+1666${n}`,
    direction: n % 3 === 0 ? 'outbound' : n % 3 === 1 ? 'inbound' : 'unknown',
    duration: n % 600,
    custom_fields: [
      { name: 'Payment status', value: ['Unknown', 'Paid', 'Unpaid'][n % 3]! },
      ...(n % 5 ? [{ name: 'Notes', value: `note ${n} "quoted" ✓` }] : []),
      ...(n % 7 === 0 ? [{ name: 'Channels', value: ['Letter', 'Email'] }] : []),
      ...(n % 11 === 0 ? [{ name: 'Callback', value: n % 2 === 0 }] : []),
      ...(n % 13 === 0 ? [{ name: 'Amount', value: '-12.5' }] : []),
    ],
  };
}

/** A call as exported, by field name, values as the import would read them. */
const comparable = (line: Record<string, unknown> & { custom_fields: { name: string; value: unknown }[] }) => ({
  ...line,
  custom_fields: Object.fromEntries(
    line.custom_fields.map((f) => [f.name, Array.isArray(f.value) ? [...f.value].sort() : String(f.value)]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
  ),
});

/** The 100,000 on SQLite; on PostgreSQL (the suite's second run in CI) 5,000 keep the run short, the path being the same. */
const ROUND_TRIP_CALLS = onPostgres ? 5_000 : 100_000;

const lines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

describe(`calls export (${STORE_UNDER_TEST})`, { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-export-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh database with the fields and the first `n` generated calls. */
  async function databaseWith(n: number): Promise<string> {
    const db = await freshDatabaseUrl();
    await createFields(db);
    const file = join(dir, `${n}-${Math.random()}.jsonl`);
    writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify(generated(i + 1))).join('\n'));
    expect((await runCli(['calls', 'import', file, '--db', db])).code).toBe(0);
    return db;
  }

  it(`round trip of ${ROUND_TRIP_CALLS.toLocaleString('en-US')} calls: the export of an import is the imported data, and importing the export elsewhere exports the same bytes`, async () => {
    const source = await freshDatabaseUrl();
    const copy = await freshDatabaseUrl();
    await createFields(source);
    await createFields(copy);
    const calls = Array.from({ length: ROUND_TRIP_CALLS }, (_, i) => generated(i + 1));
    const file = join(dir, 'calls.jsonl');
    writeFileSync(file, calls.map((c) => JSON.stringify(c)).join('\n'));
    expect((await runCli(['calls', 'import', file, '--db', source])).code).toBe(0);

    const exported = await runCli(['calls', 'export', '--db', source]);
    expect(exported.code, exported.stderr).toBe(0);
    const out = lines(exported.stdout);
    expect(out).toHaveLength(calls.length);
    const mismatch = out.findIndex((line, i) => JSON.stringify(comparable(line)) !== JSON.stringify(comparable(calls[i]!)));
    expect(mismatch === -1 ? null : [out[mismatch], calls[mismatch]]).toBeNull();
    expect(exported.stderr).toMatch(new RegExp(`^exported ${calls.length} calls in [\\d.]+ s \\([\\d,]+ rows/s\\)$`, 'm'));

    const again = join(dir, 'exported.jsonl');
    writeFileSync(again, exported.stdout);
    expect((await runCli(['calls', 'import', again, '--db', copy])).code).toBe(0);
    const reexported = await runCli(['calls', 'export', '--db', copy]);
    // the same calls, versions, values; the import's time of each value is not part of the format
    expect(reexported.stdout).toBe(exported.stdout);
  });

  it('--filter takes a GraphQL CallFilter; --tenant reads another tenant; mistakes are usage errors', async () => {
    const db = await databaseWith(30);

    const paidInbound = await runCli(['calls', 'export', '--db', db, '--filter', '{"direction": "INBOUND", "customFields": [{"name": "Payment status", "equals": "Paid"}]}']);
    expect(paidInbound.code, paidInbound.stderr).toBe(0);
    expect(lines(paidInbound.stdout).map((c) => c.call_id)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28].map(ID));

    expect(await runCli(['tenants', 'create', '--name', 'other', '--db', db])).toMatchObject({ code: 0 });
    expect(await runCli(['calls', 'export', '--db', db, '--tenant', 'other'])).toMatchObject({ code: 0, stdout: '' });
    expect(await runCli(['calls', 'export', '--db', db, '--tenant', 'nope'])).toMatchObject({ code: 1, stdout: '' });
    const bad = await runCli(['calls', 'export', '--db', db, '--filter', '{"customFields": [{"name": "Nope", "equals": "x"}]}']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('Invalid --filter: customFields.0.name: Unknown custom field');
    expect((await runCli(['calls', 'export', '--db', db, '--filter', 'direction=INBOUND'])).stderr).toContain('--filter must be a JSON object');
  });

  it('reports progress off a terminal as plain lines, then what was done; stdout stays the data or the JSON result', async () => {
    const db = await freshDatabaseUrl();
    await createFields(db);
    const file = join(dir, 'progress.jsonl');
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => JSON.stringify(generated(i + 1))).join('\n'));
    const imported = await runCli(['calls', 'import', file, '--db', db], { env: { CALLGATE_PROGRESS_INTERVAL_MS: '0' } });
    expect(JSON.parse(imported.stdout)).toEqual({ imported: 3000, tenant: 'default' });
    expect(imported.stderr).toMatch(/^importing: [\d,]+ of 3,000 \(\d+%\) rows, [\d,]+ rows\/s, about [\d.]+ s left$/m);
    expect(imported.stderr).toMatch(/^importing: 3,000 rows written, committing$/m);
    expect(imported.stderr.trim().split('\n').at(-1)).toMatch(/^imported 3000 calls in [\d.]+ s \([\d,]+ rows\/s\)$/);
    const exported = await runCli(['calls', 'export', '--db', db], { env: { CALLGATE_PROGRESS_INTERVAL_MS: '0' } });
    expect(exported.stderr).toMatch(/^exporting: [\d,]+ of 3,000 \(\d+%\) rows/m);
    expect(lines(exported.stdout)).toHaveLength(3000);
    expect(readFileSync(file, 'utf8')).toContain(ID(3000));
  });

  it('calls set-fields edits the calls a filter matches (a dry run writes nothing), with progress; mistakes are usage errors', async () => {
    const db = await databaseWith(30);
    const args = ['calls', 'set-fields', '--db', db, '--filter', '{"direction": "INBOUND"}', '--set', 'Payment status=Unpaid', '--clear', 'Notes'];

    const dry = await runCli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, matched: 10, changed: 10 });
    const unchanged = lines((await runCli(['calls', 'export', '--db', db])).stdout).filter((c) => c.direction === 'inbound');
    expect(unchanged.every((c) => c.custom_fields.some((f: { name: string; value: string }) => f.name === 'Payment status' && f.value === 'Paid'))).toBe(true);

    const edited = await runCli(args, { env: { CALLGATE_PROGRESS_INTERVAL_MS: '0' } });
    expect(JSON.parse(edited.stdout)).toMatchObject({ dryRun: false, matched: 10, changed: 10, unchanged: 0 });
    expect(edited.stderr).toMatch(/^editing: 10 of 10 \(100%\) rows/m);
    const after = lines((await runCli(['calls', 'export', '--db', db, '--filter', '{"direction": "INBOUND"}'])).stdout);
    const values = after.map((c) => c.custom_fields.map((f: { name: string; value: string }) => `${f.name}=${f.value}`));
    expect(values.filter((v) => !v.includes('Payment status=Unpaid') || v.some((text: string) => text.startsWith('Notes=')))).toEqual([]);
    // the same edit again changes nothing
    expect(JSON.parse((await runCli(args)).stdout)).toMatchObject({ matched: 10, changed: 0, unchanged: 10 });

    expect((await runCli(['calls', 'set-fields', '--db', db, '--filter', '{"direction": "SIDEWAYS"}', '--set', 'Notes=x'])).code).toBe(2);
    expect((await runCli(['calls', 'set-fields', '--db', db, '--set', 'Notes'])).code).toBe(2);
    const refused = await runCli(['calls', 'set-fields', '--db', db, '--set', 'Nope=1']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain('Unknown custom field');
  });
});
