/**
 * Do the change log's two everyday reads stay flat as the log grows? For N
 * calls (10,000, 100,000 and 1,000,000 by default) it fills a log with about
 * 3 records per call, interleaved as a busy tenant's log would be, plus one
 * busy call with 500 records spread over the whole log, then times through
 * the store:
 *
 *   a) one call's last 50 records (callIds = [id], newest first, limit 50), for a typical call and the busy one;
 *   b) one page of the changes feed (afterSequence in the middle, oldest first, limit 100);
 *
 * and prints each statement's plan (SQLite EXPLAIN QUERY PLAN, PostgreSQL
 * EXPLAIN ANALYZE) as the store sends it. SQLite always; PostgreSQL too when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a temporary schema, dropped
 * afterwards). Records are inserted directly with SQL (the log has no foreign
 * keys, and only call_changes is read), not through the write path.
 *
 *   npm run bench:history-scale                     # writes bench/results/<date>-history-scale.md
 *   npm run bench:history-scale -- --sizes 10000,100000 --runs 20 --out /tmp/report.md
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { asc, desc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import pg from 'pg';
import type { ChangeQuery } from '../src/store/call-store.js';
import { changeQueryWhere } from '../src/store/change-log-query.js';
import { PgCallStore } from '../src/store/pg/pg-store.js';
import { callChanges } from '../src/store/sqlite/schema.js';
import { SqliteCallStore } from '../src/store/sqlite/sqlite-store.js';
import { time, type Timing } from './timing.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    runs: { type: 'string', default: '30' },
    out: { type: 'string', default: `bench/results/${new Date().toISOString().slice(0, 10)}-history-scale.md` },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const RUNS = Number(args.runs);
const RECORDS_PER_CALL = 3;
const BUSY_RECORDS = 500;
const PG_URL = (process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL)?.trim() || undefined;

const TENANT = 'a0000000-0000-4000-8000-000000000001';
const USER = 'a0000000-0000-4000-8000-000000000002';
const FIELDS = [
  ['b0000000-0000-4000-8000-000000000001', 'Payment status'],
  ['b0000000-0000-4000-8000-000000000002', 'Call type'],
  ['b0000000-0000-4000-8000-000000000003', 'Agent'],
  ['b0000000-0000-4000-8000-000000000004', 'Notes'],
] as const;
const START = Date.UTC(2026, 0, 1);
/** Call n's id; the busy call is n = -1. */
const callId = (n: number) => `c0000000-0000-4000-8000-${(n < 0 ? 0xffffffffffff : n).toString(16).padStart(12, '0')}`;
const BUSY_CALL = callId(-1);

/**
 * The log's shape, the same on both databases: records 1..total; every
 * step-th record (500 of them) is the busy call's, every other record s
 * belongs to call s mod N, so each call's records lie N apart.
 */
const shape = (calls: number) => {
  const total = calls * RECORDS_PER_CALL + BUSY_RECORDS;
  return { total, step: Math.floor(total / BUSY_RECORDS) };
};


const QUERIES = (calls: number): { label: string; query: ChangeQuery }[] => [
  { label: "a) a typical call's last 50 records (callIds=[id], desc, limit 50)", query: { tenantId: TENANT, callIds: [callId(Math.floor(calls / 2))], order: 'desc', limit: 50 } },
  { label: `a) the busy call's last 50 of its ${BUSY_RECORDS} records`, query: { tenantId: TENANT, callIds: [BUSY_CALL], order: 'desc', limit: 50 } },
  { label: 'b) a feed page: afterSequence = the middle, asc, limit 100', query: { tenantId: TENANT, afterSequence: Math.floor(shape(calls).total / 2), order: 'asc', limit: 100 } },
];

interface Result {
  calls: number;
  records: number;
  seedSeconds: number;
  size: string;
  timings: Timing[];
  plans: string[];
}

async function sqliteRun(dir: string, calls: number): Promise<Result> {
  const path = join(dir, `history-${calls}.sqlite`);
  const seeding = new SqliteCallStore({ path });
  await seeding.migrate();
  const db = seeding.sqlite;
  db.pragma('cache_size = -1000000');
  const insert = db.prepare(
    `insert into call_changes (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value, call_version,
       actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at)
     values (?, ?, ?, ?, ?, ?, 'set', ?, ?, ?, ?, ?, null, ?, ?, ?, ?)`,
  );
  const { total, step } = shape(calls);
  const started = performance.now();
  db.transaction(() => {
    for (let s = 1; s <= total; s++) {
      const busy = s % step === 0 && s / step <= BUSY_RECORDS;
      const [fieldId, fieldName] = FIELDS[s % FIELDS.length]!;
      const cli = s % 5 === 0;
      insert.run(
        TENANT, s, `d0000000-0000-4000-8000-${s.toString(16).padStart(12, '0')}`, busy ? BUSY_CALL : callId(s % calls), fieldId, fieldName,
        s > calls ? `value ${s - calls}` : null, `value ${s}`, 1 + Math.floor(s / calls),
        cli ? null : USER, cli ? null : 'agent', cli ? 'import' : s % 2 ? 'rest' : 'graphql', cli ? null : `req-${s}`, cli ? null : '10.0.0.1',
        new Date(START + s * 1000).toISOString(),
      );
    }
  })();
  const seedSeconds = (performance.now() - started) / 1000;
  db.exec('analyze');
  await seeding.close();

  // Measured on a fresh connection with the store's own settings, as a restarted server would read.
  const store = new SqliteCallStore({ path });
  const timings: Timing[] = [];
  const plans: string[] = [];
  for (const { query } of QUERIES(calls)) {
    timings.push(await time(async () => (await store.readChanges(query)).length, RUNS));
    // The store's statement, built as readChanges builds it (better-sqlite3's statement log shortens long literals).
    const statement = drizzle(store.sqlite)
      .select()
      .from(callChanges)
      .where(changeQueryWhere(callChanges, query))
      .orderBy(query.order === 'asc' ? asc(callChanges.sequence) : desc(callChanges.sequence))
      .limit(query.limit)
      .toSQL();
    const plan = store.sqlite.prepare(`explain query plan ${statement.sql}`).all(...statement.params) as { detail: string }[];
    plans.push(`${statement.sql}\n  -- ${JSON.stringify(statement.params)}\n${plan.map((p) => `  ${p.detail}`).join('\n')}`);
  }
  await store.close();
  const size = `${(statSync(path).size / 1024 / 1024).toFixed(0)} MiB`;
  rmSync(path, { force: true });
  return { calls, records: total, seedSeconds, size, timings, plans };
}

async function postgresRun(url: string, calls: number): Promise<Result> {
  const schema = `cg_bench_history_${process.pid}_${calls}`;
  const target = new URL(url);
  target.searchParams.set('schema', schema);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const seeding = new PgCallStore({ url: target.toString() });
    await seeding.migrate();
    await seeding.close();
    const { total, step } = shape(calls);
    const started = performance.now();
    await admin.query(`set search_path = ${schema}`);
    await admin.query(
      `insert into call_changes (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value, call_version,
         actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at)
       select $1::uuid, s, ('d0000000-0000-4000-8000-' || lpad(to_hex(s), 12, '0'))::uuid,
         ('c0000000-0000-4000-8000-' || case when s % $3 = 0 and s / $3 <= $4 then 'ffffffffffff' else lpad(to_hex(s % $2), 12, '0') end)::uuid,
         (array[${FIELDS.map(([id]) => `'${id}'::uuid`).join(', ')}])[s % ${FIELDS.length} + 1],
         (array[${FIELDS.map(([, name]) => `'${name}'`).join(', ')}])[s % ${FIELDS.length} + 1],
         'set', case when s > $2 then 'value ' || (s - $2) end, 'value ' || s, 1 + s / $2,
         case when s % 5 <> 0 then $5::uuid end, case when s % 5 <> 0 then 'agent' end, null,
         case when s % 5 = 0 then 'import' when s % 2 = 1 then 'rest' else 'graphql' end,
         case when s % 5 <> 0 then 'req-' || s end, case when s % 5 <> 0 then '10.0.0.1' end,
         to_timestamp(${START / 1000} + s)
       from generate_series(1, $6::bigint) s`,
      [TENANT, calls, step, BUSY_RECORDS, USER, total],
    );
    const seedSeconds = (performance.now() - started) / 1000;
    await admin.query('analyze call_changes');
    const size = ((await admin.query(`select pg_size_pretty(pg_total_relation_size('call_changes')) as size`)).rows[0] as { size: string }).size;

    let last = '';
    const store = new PgCallStore({ url: target.toString(), onStatement: (sql) => (last = sql) });
    const timings: Timing[] = [];
    const plans: string[] = [];
    for (const { query } of QUERIES(calls)) {
      timings.push(await time(async () => (await store.readChanges(query)).length, RUNS));
      const plan = (await admin.query(`explain (analyze, buffers, costs off, timing off, summary off) ${last}`)).rows as { 'QUERY PLAN': string }[];
      plans.push(`${last}\n${plan.map((p) => `  ${p['QUERY PLAN']}`).join('\n')}`);
    }
    await store.close();
    return { calls, records: total, seedSeconds, size, timings, plans };
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await admin.end();
  }
}

const ms = (t: Timing) => `${t.median < 10 ? t.median.toFixed(2) : t.median.toFixed(1)} ms (p95 ${t.p95 < 10 ? t.p95.toFixed(2) : t.p95.toFixed(1)})`;
const count = (n: number) => n.toLocaleString('en');

function table(title: string, results: Result[]): string[] {
  const [small, large] = [results[0]!, results.at(-1)!];
  const lines = [
    `## ${title}`,
    '',
    `| | ${results.map((r) => `${count(r.calls)} calls`).join(' | ')} | ${count(large.calls)} ÷ ${count(small.calls)} |`,
    `|---|${results.map(() => '---:').join('|')}|---:|`,
    `| records | ${results.map((r) => count(r.records)).join(' | ')} | |`,
    `| filling the log (direct inserts) | ${results.map((r) => `${r.seedSeconds.toFixed(1)} s`).join(' | ')} | |`,
    `| call_changes with its indexes | ${results.map((r) => r.size).join(' | ')} | |`,
  ];
  QUERIES(small.calls).forEach(({ label }, i) => {
    const ratio = large.timings[i]!.median / small.timings[i]!.median;
    lines.push(`| ${label} | ${results.map((r) => `${ms(r.timings[i]!)}, ${r.timings[i]!.rows} rows`).join(' | ')} | ${ratio.toFixed(1)}× |`);
  });
  lines.push('', `Plans at ${count(large.calls)} calls, each statement as the store sent it:`, '', '```');
  for (const plan of large.plans) lines.push(plan, '');
  lines.push('```', '');
  return lines;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-history-'));
  const sqlite: Result[] = [];
  const postgres: Result[] = [];
  let pgVersion = '';
  try {
    for (const calls of SIZES) {
      console.error(`SQLite: ${count(calls)} calls, ${count(shape(calls).total)} records…`);
      const result = await sqliteRun(dir, calls);
      sqlite.push(result);
      console.error(`  filled in ${result.seedSeconds.toFixed(1)} s, ${result.size}`);
      result.timings.forEach((t, i) => console.error(`  ${ms(t)}  ${t.rows} rows  ${QUERIES(calls)[i]!.label}`));
      console.error(result.plans.join('\n'));
    }
    if (PG_URL) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      pgVersion = ((await client.query('show server_version')).rows[0] as { server_version: string }).server_version;
      await client.end();
      for (const calls of SIZES) {
        console.error(`PostgreSQL: ${count(calls)} calls, ${count(shape(calls).total)} records…`);
        const result = await postgresRun(PG_URL, calls);
        postgres.push(result);
        console.error(`  filled in ${result.seedSeconds.toFixed(1)} s, ${result.size}`);
        result.timings.forEach((t, i) => console.error(`  ${ms(t)}  ${t.rows} rows  ${QUERIES(calls)[i]!.label}`));
        console.error(result.plans.join('\n'));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sqliteVersion = ((await import('better-sqlite3')).default(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
  const lines = [
    '# Change history at scale',
    '',
    `Generated by \`npm run bench:history-scale\` (bench/history-scale.ts) on ${new Date().toISOString().slice(0, 10)}.`,
    `Node ${process.version}, SQLite ${sqliteVersion}${pgVersion ? `, PostgreSQL ${pgVersion}` : ''}, ` +
      `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; a shared machine, so take single digits of a millisecond loosely.`,
    '',
    `One tenant; about ${RECORDS_PER_CALL} records per call, interleaved (each call's records lie N apart in the log), and one busy call`,
    `with ${BUSY_RECORDS} records spread over the whole log. Median of ${RUNS} runs after 3 warm-up runs through \`readChanges\`, p95 in brackets;`,
    'the store reads with a fresh connection after the log was filled and analysed.',
    '',
    ...table('SQLite', sqlite),
    ...(postgres.length > 0 ? table('PostgreSQL', postgres) : ['PostgreSQL: not run (set BENCH_DATABASE_URL or TEST_DATABASE_URL).', '']),
  ];
  writeFileSync(args.out, lines.join('\n'));
  console.error(`wrote ${args.out}`);
}

await main();
