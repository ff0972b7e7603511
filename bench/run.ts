/**
 * The side-by-side benchmark (issue 5): callgate against the raw floor on
 * the same seeded SQLite database.
 *
 *   npm run bench                       full run, writes bench/results/<date>-sqlite.md
 *   npm run bench:smoke                 a few seconds: harness, parity and 2xx only, no timings judged
 *   npm run bench -- --only rest-put    one operation (or a comma-separated list); report goes to bench/.work/
 *   npm run bench -- --cpu-prof         also profile callgate per operation (not timed) and add the summary
 *
 * Environment: BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (10), BENCH_CALLS (10000), BENCH_NO_SYNC=1 to skip the
 * floor FULL vs NORMAL comparison.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult } from './load.js';
import { machine, sourceFingerprint, versions } from './machine.js';
import { checkParity, probeCallsField } from './parity.js';
import { checkRun, cpuMicros, killAll, LoadGenerator, peakRssMiB, ROOT, startServer, type RunningServer, type ServerSpec } from './processes.js';
import { compareProfiles, readProfile, type Breakdown } from './profile.js';
import { markdownReport, summarize, textTable, type Comparison, type RunFigures } from './report.js';
import { seedDatabase } from './seed.js';
import { OPERATION_LABELS, OPERATIONS, type Operation } from './workload.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive number`);
  return value;
}

const smoke = flags.smoke;
const settings = {
  durationSeconds: smoke ? 0.5 : envNumber('BENCH_DURATION', 10),
  warmupSeconds: smoke ? 0.25 : envNumber('BENCH_WARMUP', 2),
  rounds: smoke ? 1 : Math.round(envNumber('BENCH_ROUNDS', 3)),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  calls: Math.round(envNumber('BENCH_CALLS', smoke ? 1000 : 10_000)),
  sync: process.env.BENCH_NO_SYNC !== '1',
};

let only: Operation[] | undefined;
if (flags.only) {
  only = flags.only.split(',').map((s) => s.trim()) as Operation[];
  const unknown = only.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (unknown.length > 0) throw new Error(`--only: unknown operation ${unknown.join(', ')}; one of ${OPERATIONS.join(', ')}`);
}

const FLOOR: ServerSpec = { kind: 'floor', synchronous: 'FULL', label: 'floor' };
const CALLGATE: ServerSpec = { kind: 'callgate', synchronous: 'FULL', label: 'callgate' };
const FLOOR_FULL: ServerSpec = { kind: 'floor', synchronous: 'FULL', label: 'floor FULL' };
const FLOOR_NORMAL: ServerSpec = { kind: 'floor', synchronous: 'NORMAL', label: 'floor NORMAL' };

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const work = resolve(ROOT, 'bench/.work', `run-${process.pid}`);
// also on an interrupted run (processes.ts exits on SIGINT/SIGTERM after killing the servers)
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const golden = join(work, 'seed.sqlite');
const manifestPath = join(work, 'manifest.json');
let dbCounter = 0;

/** A server on a fresh copy of the seeded database. */
async function launch(spec: ServerSpec, nodeFlags: string[] = []): Promise<RunningServer> {
  const dbPath = join(work, `db-${++dbCounter}.sqlite`);
  copyFileSync(golden, dbPath);
  return startServer(spec, { dbPath, logPath: `${dbPath}.log`, nodeFlags });
}

async function dispose(server: RunningServer): Promise<void> {
  await server.stop();
  for (const suffix of ['', '-wal', '-shm', '.log']) rmSync(`${server.dbPath}${suffix}`, { force: true });
}

/** callgate's count of group commits from /metrics, or null when it does not publish one. */
async function groupCommits(server: RunningServer): Promise<number | null> {
  if (server.spec.kind !== 'callgate') return null;
  try {
    const response = await fetch(`${server.url}/metrics`);
    if (!response.ok) return null;
    const match = /^callgate_db_stat\{stat="group_commits"\}\s+(\d+)/m.exec(await response.text());
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const WRITES: readonly Operation[] = ['rest-put', 'gql-mutation'];

async function measure(load: LoadGenerator, server: RunningServer, comparison: Comparison, round: number): Promise<RunFigures> {
  const what = `${comparison.id} round ${round} ${server.spec.label}`;
  const writes = WRITES.includes(comparison.op);
  let cpuBefore = 0;
  let commitsBefore: number | null = null;
  const result = await load.run(
    {
      url: server.url,
      op: comparison.op,
      manifestPath,
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
    },
    async () => {
      if (writes) commitsBefore = await groupCommits(server);
      cpuBefore = cpuMicros(server.pid);
    },
  );
  const cpu = cpuMicros(server.pid) - cpuBefore;
  const rss = peakRssMiB(server.pid);
  checkRun(result, what, server);
  // The floor commits once per write by construction; callgate may share commits (group commit).
  let writesPerCommit: number | null = null;
  if (writes && server.spec.kind === 'floor') writesPerCommit = 1;
  const commitsAfter = writes ? await groupCommits(server) : null;
  if (commitsBefore !== null && commitsAfter !== null && commitsAfter > commitsBefore) writesPerCommit = result.requests / (commitsAfter - commitsBefore);
  const figures: RunFigures = {
    comparison: comparison.id,
    op: comparison.op,
    spec: server.spec,
    round,
    requests: result.requests,
    reqPerSec: result.reqPerSec,
    p50: result.p50,
    p99: result.p99,
    cpuUsPerRequest: cpu / result.requests,
    peakRssMiB: rss,
    writesPerCommit,
  };
  log(
    `  ${what.padEnd(42)} ${fmt(figures.reqPerSec).padStart(7)} req/s  p50 ${fmt(figures.p50, 1)} ms  p99 ${fmt(figures.p99, 1)} ms  ` +
      `${fmt(figures.cpuUsPerRequest)} µs CPU/req  peak RSS ${fmt(rss)} MiB${writesPerCommit === null ? '' : `  ${fmt(writesPerCommit, 1)} writes/commit`}`,
  );
  return figures;
}

/** One untimed load run under `node --cpu-prof`; the breakdown covers only the measured phase. */
async function profileRun(load: LoadGenerator, spec: ServerSpec, op: Operation): Promise<{ breakdown: Breakdown; requests: number }> {
  const dir = join(work, 'profiles', `${spec.kind}-${op}`);
  mkdirSync(dir, { recursive: true });
  const server = await launch(spec, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  let fromUs = 0;
  let result: LoadResult;
  try {
    result = await load.run(
      { url: server.url, op, manifestPath, connections: settings.connections, warmupSeconds: 1, durationSeconds: Math.min(settings.durationSeconds, 3) },
      () => (fromUs = nowUs()),
    );
    checkRun(result, `profile ${spec.label} ${op}`, server);
  } finally {
    await dispose(server);
  }
  const toUs = nowUs();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${spec.label} wrote no CPU profile for ${op}`);
  const keep = resolve(ROOT, 'bench/.work/profiles');
  mkdirSync(keep, { recursive: true });
  copyFileSync(join(dir, file), join(keep, `${spec.kind}-${op}.cpuprofile`));
  log(`  profiled ${spec.label} ${op}: bench/.work/profiles/${spec.kind}-${op}.cpuprofile`);
  return { breakdown: readProfile(join(dir, file), { fromUs, toUs }), requests: result.requests };
}

/** Profiles the floor and callgate under load for each operation (untimed runs), for the report. */
async function profileAll(load: LoadGenerator, ops: Operation[]): Promise<string> {
  const parts: string[] = [];
  for (const op of ops) {
    const floor = await profileRun(load, FLOOR, op);
    const callgate = await profileRun(load, CALLGATE, op);
    parts.push(`### ${OPERATION_LABELS[op]}`, '', compareProfiles(floor, callgate), '');
  }
  return [
    'From `node --cpu-prof` on separate, untimed runs (1 s warm-up, then 3 s whose samples are counted; idle excluded; the profiler adds overhead of its own). ' +
      'Samples are main-thread time, so a blocking call (an fsync in a FULL commit) counts as well as computation. ' +
      'Native calls without a JS frame of their own (better-sqlite3 statements, JSON.parse/stringify) count as self time of the JS function that calls them: ' +
      'the floor\'s SQLite time shows under `bench` (floor-server.ts), callgate\'s mostly under `drizzle-orm` (its better-sqlite3 session) or `better-sqlite3` (`exec` of BEGIN/COMMIT).',
    '',
    ...parts,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(work, { recursive: true });
  log(`bench: ${smoke ? 'SMOKE (harness check only, timings mean nothing)' : 'full run'}; seeding ${fmt(settings.calls)} calls`);
  const manifest = seedDatabase(golden, { calls: settings.calls });
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const load = new LoadGenerator();
  const notes: string[] = [];
  const fingerprint = sourceFingerprint();
  /** Every run starts a fresh callgate: an edit mid-benchmark would mix versions in one table. */
  const assertUnchanged = () => {
    const now = sourceFingerprint();
    if (now === fingerprint) return;
    throw new Error(
      `callgate's source (src/, bin/, scripts/, drizzle/, package-lock.json) changed while the benchmark ran (fingerprint ${fingerprint} -> ${now}): ` +
        'earlier runs measured different code than later ones would. Rerun when nobody is editing the tree.',
    );
  };

  // Smoke mode keeps one server per configuration for every operation; the full run starts a fresh one per run.
  const kept = new Map<string, RunningServer>();
  const acquire = async (spec: ServerSpec) => {
    if (!smoke) return launch(spec);
    const server = kept.get(spec.label) ?? (await launch(spec));
    kept.set(spec.label, server);
    return server;
  };
  const release = async (server: RunningServer) => {
    if (!smoke) await dispose(server);
  };

  try {
    log('parity: the same requests to the floor and to callgate, each on its own copy of the database');
    const [floor, callgate] = await Promise.all([acquire(FLOOR), acquire(CALLGATE)]);
    const calls = await probeCallsField(callgate.url, manifest.editorToken);
    if (calls.note) {
      notes.push(calls.note);
      log(`  note: ${calls.note}`);
    }
    const parity = await checkParity(floor.url, callgate.url, manifest, calls.present);
    await release(floor);
    await release(callgate);
    if (parity.differences.length > 0) {
      throw new Error(`the floor does not answer like callgate (${parity.differences.length} differences); fix the floor before timing it:\n  ${parity.differences.join('\n  ')}`);
    }
    let parityText = `${parity.checked} scripted requests (successes, every validation error, auth, 403/404/405/415, the GraphQL documents) gave the same status, content type, challenge/Allow headers and body (server-written \`updatedAt\` masked) on both servers.`;
    if (parity.keyOrder.length > 0) {
      const names = parity.keyOrder.map((k) => k.split('\n')[0]).join('; ');
      parityText += ` Except: ${parity.keyOrder.length} callgate response(s) carry the same data with object keys in a different order than the floor's (which follows the selection set, as the GraphQL spec orders a response): ${names}.`;
      notes.push(`callgate's response key order differs from the selection-set order in: ${names} (see the parity section).`);
      log(`  WARNING: key order differs from the selection set:\n  ${parity.keyOrder.join('\n  ')}`);
    }
    log(`  ${parityText}`);

    const ops = OPERATIONS.filter((op) => (only ? only.includes(op) : true)).filter((op) => op !== 'gql-calls' || calls.present);
    const comparisons: Comparison[] = ops.map((op) => ({ id: op, op, a: FLOOR, b: CALLGATE, title: `${OPERATION_LABELS[op]}: callgate / floor` }));
    if (settings.sync && ops.includes('rest-put')) {
      comparisons.push({ id: 'sync rest-put', op: 'rest-put', a: FLOOR_FULL, b: FLOOR_NORMAL, title: 'REST PUT: floor NORMAL / FULL' });
    }

    const runs: RunFigures[] = [];
    const total = comparisons.length * settings.rounds * 2;
    let n = 0;
    for (const comparison of comparisons) {
      log(`${comparison.title}`);
      for (let round = 1; round <= settings.rounds; round++) {
        for (const spec of [comparison.a, comparison.b]) {
          n++;
          assertUnchanged();
          const server = await acquire(spec);
          try {
            runs.push(await measure(load, server, comparison, round));
          } finally {
            await release(server);
          }
          log(`    [${n}/${total}] ${((Date.now() - started) / 1000).toFixed(1)} s elapsed`);
        }
      }
    }
    for (const server of kept.values()) await dispose(server);
    kept.clear();

    const summaries = comparisons.map((c) => summarize(c, runs));
    const profile = flags['cpu-prof'] ? await profileAll(load, ops) : undefined;
    load.close();

    process.stdout.write(`\n${smoke ? 'SMOKE (not a measurement): ' : ''}medians over ${settings.rounds} round(s), B/A = median of per-round ratios\n`);
    process.stdout.write(`${textTable(summaries)}\n`);
    for (const note of notes) process.stdout.write(`note: ${note}\n`);

    if (smoke) {
      process.stdout.write(`\nbench:smoke passed: parity held and every response was the expected 2xx (${Math.round((Date.now() - started) / 1000)} s)\n`);
      return;
    }
    assertUnchanged();
    const date = new Date().toISOString().slice(0, 10);
    const partial = only !== undefined;
    const reportPath = partial ? resolve(ROOT, 'bench/.work', `${date}-sqlite-partial.md`) : resolve(ROOT, 'bench/results', `${date}-sqlite.md`);
    mkdirSync(resolve(reportPath, '..'), { recursive: true });
    if (partial) notes.push(`Partial run (--only ${only!.join(',')}).`);
    notes.push(
      'The load generator (autocannon, one process) and the server under test share the machine\'s cores; CPU µs/req is the server process\'s own user+system time (from /proc/<pid>/stat) over the timed phase divided by the requests completed, so it does not depend on how busy the load generator is.',
      'callgate runs with its defaults (LOG_LEVEL=info, GraphiQL on, synchronous=FULL, scrypt-free bearer auth); the floor with synchronous=FULL unless labelled NORMAL.',
    );
    const report = markdownReport(
      {
        date,
        machine: machine(),
        // read at the end: with an unchanged fingerprint the commit is the code every run measured
        versions: { ...versions(), 'callgate source fingerprint': fingerprint },
        settings: {
          'Seeded data': `${fmt(manifest.callIds.length)} calls, ${manifest.fields.length} custom fields (text/option/number/date; one read-only, one disabled), 5 values per call, one editor with a bearer token`,
          Load: `autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s timed, ${settings.rounds} rounds, configurations alternating A B A B`,
          Requests: 'random call id per request; writes carry 3 edits (one by field_id, one by name, one clear with null) of random writable fields with valid random values; every response checked (status and body) before a run counts',
          SQLite: 'WAL, synchronous=FULL (callgate\'s default), busy_timeout=5000, foreign_keys=ON, writes in BEGIN IMMEDIATE',
          'Total time': `${Math.round((Date.now() - started) / 1000)} s`,
        },
        notes,
        parity: parityText,
        profile,
      },
      summaries,
      runs,
    );
    writeFileSync(reportPath, report);
    process.stdout.write(`\nreport: ${relative(ROOT, reportPath)} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  } finally {
    load.close();
    for (const server of kept.values()) await server.stop().catch(() => {});
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`\nbench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  });
