/**
 * What the change log adds to a write inside the store, without HTTP, the load
 * generator or a second process: two stores of this build in this process, one
 * with its change log and one constructed with `changeLog: false`, each on its
 * own copy of the seeded database, take turns in short blocks of concurrent
 * writes (on, off; off, on; …) so that both share whatever else the machine
 * does. Each write is the benchmark's REST PUT as the resolver hands it to the
 * store: three edits (by field id, by name, a clear) of a random call.
 *
 *   npx tsx bench/change-log-store.ts                 SQLite (group commit on, synchronous=FULL, as callgate runs)
 *   npx tsx bench/change-log-store.ts --store pg      PostgreSQL (BENCH_DATABASE_URL), a private schema per store
 *
 * Environment: BENCH_PAIRS (10), BENCH_BLOCK (s, 2), BENCH_CONCURRENCY (10), BENCH_CALLS (10000).
 * Prints per pair writes/s and this process's CPU µs per write, on and off, and the medians; writes nothing.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { decideChangeSet, type FieldEntry } from '../src/core/change-set.js';
import type { ChangeOrigin } from '../src/core/change-log.js';
import type { CallStore } from '../src/store/call-store.js';
import { PgCallStore } from '../src/store/pg/pg-store.js';
import { SqliteCallStore } from '../src/store/sqlite/sqlite-store.js';
import { BenchPostgres, DEFAULT_PG_URL } from './postgres.js';
import { ROOT } from './processes.js';
import { median } from './report.js';
import { seedData, seedDatabase } from './seed.js';
import { envNumber } from './settings.js';
import { generator, threeEdits, type Manifest } from './workload.js';

const { values: flags } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' } } });
if (flags.store !== 'sqlite' && flags.store !== 'pg') throw new Error(`--store ${flags.store}: expected sqlite or pg`);
const pairs = Math.round(envNumber('BENCH_PAIRS', 10));
const blockSeconds = envNumber('BENCH_BLOCK', 2);
const concurrency = Math.round(envNumber('BENCH_CONCURRENCY', 10));
const callCount = Math.round(envNumber('BENCH_CALLS', 10_000));

interface Side {
  label: 'on' | 'off';
  store: CallStore;
}

interface Block {
  writes: number;
  perSecond: number;
  cpuUsPerWrite: number;
}

const pick = generator(18);

/** `concurrency` writers for `seconds`; every write must succeed. */
async function block(side: Side, seconds: number, target: { tenantId: string; userId: string; manifest: Manifest }): Promise<Block> {
  const origin: ChangeOrigin = { actor: { userId: target.userId, username: 'editor', tokenId: null }, channel: 'rest', requestId: 'bench', clientAddress: '127.0.0.1' };
  const { callIds, fields } = target.manifest;
  let writes = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const until = started + seconds * 1000;
  const writer = async () => {
    while (performance.now() < until) {
      const callId = callIds[Math.floor(pick() * callIds.length)]!;
      const entries: FieldEntry[] = threeEdits(fields, pick);
      const outcome = await side.store.setCallCustomFields({
        tenantId: target.tenantId,
        callId,
        userId: target.userId,
        now: new Date().toISOString(),
        origin,
        decide: (definitions) => decideChangeSet(entries, definitions),
      });
      if (outcome.kind !== 'updated') throw new Error(`log ${side.label}: a write ended ${outcome.kind}`);
      writes++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - started) / 1000;
  return { writes, perSecond: writes / elapsed, cpuUsPerWrite: (cpu.user + cpu.system) / writes };
}

async function main(): Promise<void> {
  const work = resolve(ROOT, 'bench/.work', `change-log-store-${process.pid}`);
  mkdirSync(work, { recursive: true });
  let postgres: BenchPostgres | undefined;
  const sides: Side[] = [];
  try {
    let target: { tenantId: string; userId: string; manifest: Manifest };
    if (flags.store === 'pg') {
      postgres = await BenchPostgres.open(process.env.BENCH_DATABASE_URL || DEFAULT_PG_URL);
      const data = seedData({ calls: callCount });
      await postgres.seedTemplate(data);
      target = { tenantId: data.tenantId, userId: data.users.find((u) => u.username === 'editor')!.id, manifest: data.manifest };
      for (const label of ['on', 'off'] as const) {
        const copy = await postgres.copy();
        sides.push({ label, store: new PgCallStore({ url: copy.url, poolSize: concurrency, changeLog: label === 'on' }) });
      }
    } else {
      const golden = join(work, 'seed.sqlite');
      const manifest = seedDatabase(golden, { calls: callCount });
      const db = new Database(golden, { readonly: true });
      const editor = db.prepare("select id, tenant_id from api_users where username = 'editor'").get() as { id: string; tenant_id: string };
      db.close();
      target = { tenantId: editor.tenant_id, userId: editor.id, manifest };
      for (const label of ['on', 'off'] as const) {
        const path = join(work, `${label}.sqlite`);
        copyFileSync(golden, path);
        sides.push({ label, store: new SqliteCallStore({ path, changeLog: label === 'on' }) });
      }
    }
    const [on, off] = sides as [Side, Side];
    process.stderr.write(`${flags.store}: ${pairs} pairs of ${blockSeconds} s blocks, ${concurrency} concurrent writers, ${callCount} calls\n`);
    for (const side of sides) await block(side, 1, target); // warm-up: statements prepared, JIT, pool filled
    const rows: { on: Block; off: Block }[] = [];
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? [on, off] : [off, on];
      const result: Partial<Record<'on' | 'off', Block>> = {};
      for (const side of order) result[side.label] = await block(side, blockSeconds, target);
      const row = result as { on: Block; off: Block };
      rows.push(row);
      process.stderr.write(
        `  pair ${i + 1} (${order.map((s) => s.label).join(', ')}): on ${row.on.perSecond.toFixed(0)} writes/s ${row.on.cpuUsPerWrite.toFixed(0)} µs CPU/write, ` +
          `off ${row.off.perSecond.toFixed(0)} writes/s ${row.off.cpuUsPerWrite.toFixed(0)} µs CPU/write, on/off ${((row.on.perSecond / row.off.perSecond) * 100).toFixed(0)}%\n`,
      );
    }
    const ratios = rows.map((r) => r.on.perSecond / r.off.perSecond);
    const cpuAdded = rows.map((r) => r.on.cpuUsPerWrite - r.off.cpuUsPerWrite);
    const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
    process.stdout.write(
      [
        `store: ${flags.store}; ${pairs} pairs of ${blockSeconds} s, ${concurrency} concurrent writers`,
        `writes/s on/off: median ${pct(median(ratios))}, lowest ${pct(Math.min(...ratios))}, highest ${pct(Math.max(...ratios))}`,
        `writes/s median: on ${median(rows.map((r) => r.on.perSecond)).toFixed(0)}, off ${median(rows.map((r) => r.off.perSecond)).toFixed(0)}`,
        `CPU µs/write median: on ${median(rows.map((r) => r.on.cpuUsPerWrite)).toFixed(0)}, off ${median(rows.map((r) => r.off.cpuUsPerWrite)).toFixed(0)}; ` +
          `on − off per pair: median ${median(cpuAdded).toFixed(0)}, ${Math.min(...cpuAdded).toFixed(0)} to ${Math.max(...cpuAdded).toFixed(0)}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const side of sides) await side.store.close();
    if (postgres) {
      await postgres.dropAll();
      await postgres.close();
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`change-log-store FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
