/**
 * The side-by-side benchmark (issue 5): callgate against the raw floor on
 * the same seeded database, SQLite by default or PostgreSQL.
 *
 *   npm run bench                       full run, writes bench/results/<date>-sqlite.md
 *   npm run bench -- --store pg         the same on PostgreSQL, writes bench/results/<date>-postgres.md
 *   npm run bench:smoke                 a few seconds: harness, parity and 2xx only, no timings judged (also with -- --store pg)
 *   npm run bench -- --only rest-put    one operation (or a comma-separated list); report goes to bench/.work/
 *   npm run bench -- --cpu-prof         also profile callgate per operation (not timed) and add the summary
 *   npm run bench -- --baseline HEAD~1  also callgate built from that commit, in the same rounds; writes bench/results/<date>-sqlite-ab-<sha>.md
 *   npm run bench -- --compare-fast-path  gql-mutation and gql-call with callgate's /graphql fast path on and off; writes bench/results/<date>-sqlite-fast-path.md
 *   npm run bench -- --compare-change-log  writes (and the call reads, as a control) with callgate's change log on and off; writes bench/results/<date>-sqlite-change-log.md
 *   npm run bench -- --store pg --peer postgraphile  callgate against PostGraphile 4 on 100,000 calls (bench/peer.ts); writes bench/results/<date>-pg-peer.md
 *
 * Environment: BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (10), BENCH_CALLS (10000), BENCH_NO_SYNC=1 to skip the
 * floor FULL vs NORMAL (SQLite) or synchronous_commit on vs off (PostgreSQL)
 * comparison (with --peer, BENCH_CALLS defaults to 100000); PostgreSQL only: BENCH_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/test), BENCH_PG_POOL_SIZE (10, callgate's
 * DATABASE_POOL_SIZE default; the floor gets the same).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { prepareBaseline, type CallgateBuild } from './baseline.js';
import type { LoadResult } from './load.js';
import { machine, packageVersion, sourceFingerprint, versions } from './machine.js';
import { checkParity, probeCallsField } from './parity.js';
import { PEERS, runPeer, type Peer } from './peer.js';
import { BenchPostgres, DEFAULT_PG_URL, type SchemaCopy } from './postgres.js';
import { checkRun, cpuMicros, killAll, LoadGenerator, peakRssMiB, ROOT, startServer, type RunningServer, type ServerSpec } from './processes.js';
import { compareProfiles, readProfile, type Breakdown } from './profile.js';
import {
  markdownReport,
  summarize,
  summarizeThreeWay,
  textTable,
  threeWayMarkdownReport,
  threeWayTextTable,
  type Comparison,
  type RunFigures,
  type ThreeWayKind,
} from './report.js';
import { seedData, seedDatabase } from './seed.js';
import { envNumber } from './settings.js';
import { OPERATION_LABELS, OPERATIONS, type Operation } from './workload.js';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    baseline: { type: 'string' },
    'compare-fast-path': { type: 'boolean', default: false },
    'compare-change-log': { type: 'boolean', default: false },
    peer: { type: 'string' },
  },
});
if (flags.store !== 'sqlite' && flags.store !== 'pg') throw new Error(`--store ${flags.store}: expected sqlite or pg`);
const store: 'sqlite' | 'pg' = flags.store;
/** --peer: callgate against a real peer on PostgreSQL (bench/peer.ts) instead of the floor; nothing else of this runner applies. */
let peer: Peer | undefined;
if (flags.peer !== undefined) {
  if (!(PEERS as readonly string[]).includes(flags.peer)) throw new Error(`--peer ${flags.peer}: expected ${PEERS.join(' or ')}`);
  if (store !== 'pg') throw new Error(`--peer ${flags.peer} runs on PostgreSQL: add --store pg`);
  const others = (['only', 'baseline', 'cpu-prof', 'compare-fast-path', 'compare-change-log'] as const).filter((name) => flags[name]);
  if (others.length > 0) throw new Error(`--peer measures its own two queries; it does not combine with --${others.join(', --')}`);
  peer = flags.peer as Peer;
}
if ([flags.baseline !== undefined, flags['compare-fast-path'], flags['compare-change-log']].filter(Boolean).length > 1) {
  throw new Error('--baseline, --compare-fast-path and --compare-change-log: one at a time');
}
/**
 * Plain: floor and callgate, A B A B. ab: floor, the --baseline build and this tree. fast-path: floor, callgate's fast
 * path off and on. change-log: floor, callgate's change log off and on.
 */
const threeWay: ThreeWayKind | null =
  flags.baseline !== undefined ? 'ab' : flags['compare-fast-path'] ? 'fast-path' : flags['compare-change-log'] ? 'change-log' : null;
if (threeWay && flags['cpu-prof']) throw new Error('--cpu-prof profiles the floor and this tree only; run it without --baseline, --compare-fast-path or --compare-change-log');
/** What each comparison of one build with itself measures: fast path, the two that POST JSON to /graphql; change log, the writes and, as a control, the call reads. */
const THREE_WAY_OPERATIONS: Partial<Record<ThreeWayKind, readonly Operation[]>> = {
  'fast-path': ['gql-mutation', 'gql-call'],
  'change-log': ['rest-put', 'gql-mutation', 'rest-get', 'gql-call'],
};

const smoke = flags.smoke;
const settings = {
  durationSeconds: smoke ? 0.5 : envNumber('BENCH_DURATION', 10),
  warmupSeconds: smoke ? 0.25 : envNumber('BENCH_WARMUP', 2),
  rounds: smoke ? 1 : Math.round(envNumber('BENCH_ROUNDS', 3)),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  calls: Math.round(envNumber('BENCH_CALLS', smoke ? 1000 : peer ? 100_000 : 10_000)),
  sync: process.env.BENCH_NO_SYNC !== '1',
  pgUrl: process.env.BENCH_DATABASE_URL || DEFAULT_PG_URL,
  pgPoolSize: Math.round(envNumber('BENCH_PG_POOL_SIZE', 10)),
};

let only: Operation[] | undefined;
if (flags.only) {
  only = flags.only.split(',').map((s) => s.trim()) as Operation[];
  const unknown = only.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (unknown.length > 0) throw new Error(`--only: unknown operation ${unknown.join(', ')}; one of ${OPERATIONS.join(', ')}`);
}

// On PostgreSQL the floor and callgate keep the server's synchronous_commit; only the comparison sets it.
const FLOOR: ServerSpec = store === 'pg' ? { kind: 'floor', label: 'floor' } : { kind: 'floor', synchronous: 'FULL', label: 'floor' };
const CALLGATE: ServerSpec = store === 'pg' ? { kind: 'callgate', label: 'callgate' } : { kind: 'callgate', synchronous: 'FULL', label: 'callgate' };
/** The two callgate configurations of a three-way run, before and after; set in main() (the baseline needs building first). */
let BEFORE: ServerSpec | undefined;
let AFTER: ServerSpec | undefined;
let baselineBuild: CallgateBuild | undefined;
/** The comparison that shows the fsync cost: baseline first. */
const SYNC: { a: ServerSpec; b: ServerSpec; title: string } =
  store === 'pg'
    ? {
        a: { kind: 'floor', synchronous: 'on', label: 'floor synchronous_commit=on' },
        b: { kind: 'floor', synchronous: 'off', label: 'floor synchronous_commit=off' },
        title: 'REST PUT: floor synchronous_commit off / on',
      }
    : {
        a: { kind: 'floor', synchronous: 'FULL', label: 'floor FULL' },
        b: { kind: 'floor', synchronous: 'NORMAL', label: 'floor NORMAL' },
        title: 'REST PUT: floor NORMAL / FULL',
      };

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const work = resolve(ROOT, 'bench/.work', `run-${process.pid}`);
let postgres: BenchPostgres | undefined;
// also on an interrupted run (processes.ts kills the servers first, then exits on SIGINT/SIGTERM)
process.once('exit', () => {
  rmSync(work, { recursive: true, force: true });
  postgres?.dropAllSync();
});
const golden = join(work, 'seed.sqlite');
const manifestPath = join(work, 'manifest.json');
let dbCounter = 0;
/** The schema each PostgreSQL server runs on; its connections carry the schema's name as application_name. */
const schemaOf = new Map<RunningServer, SchemaCopy>();

/** A server on a fresh copy of the seeded database (SQLite: a copy of the file; PostgreSQL: a copy of the template schema). */
async function launch(spec: ServerSpec, nodeFlags: string[] = []): Promise<RunningServer> {
  if (postgres) {
    const copy = await postgres.copy();
    const server = await startServer(spec, {
      database: { store: 'pg', url: copy.url, poolSize: settings.pgPoolSize },
      logPath: join(work, `${copy.schema}.log`),
      nodeFlags,
    });
    schemaOf.set(server, copy);
    return server;
  }
  const dbPath = join(work, `db-${++dbCounter}.sqlite`);
  copyFileSync(golden, dbPath);
  return startServer(spec, { database: { store: 'sqlite', path: dbPath }, logPath: `${dbPath}.log`, nodeFlags });
}

async function dispose(server: RunningServer): Promise<void> {
  await server.stop();
  const copy = schemaOf.get(server);
  if (copy && postgres) {
    schemaOf.delete(server);
    await postgres.drop(copy.schema);
    rmSync(join(work, `${copy.schema}.log`), { force: true });
  } else if (server.database.store === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm', '.log']) rmSync(`${server.database.path}${suffix}`, { force: true });
  }
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
  const copy = schemaOf.get(server);
  let cpuBefore = 0;
  let commitsBefore: number | null = null;
  let backendsBefore = new Map<number, number>();
  let syncsBefore = 0;
  const recordsBefore = server.spec.changeLog ? await changeRecords(server) : 0;
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
      if (copy && postgres) {
        backendsBefore = await postgres.backendCpu(copy.applicationName);
        if (writes) syncsBefore = await postgres.walSyncs();
      }
      cpuBefore = cpuMicros(server.pid);
    },
  );
  const cpu = cpuMicros(server.pid) - cpuBefore;
  let dbCpuUsPerRequest: number | null = null;
  let writesPerWalSync: number | null = null;
  if (copy && postgres) {
    // A backend that appeared during the timed phase counts whole; one that ended during it would be missed (the pool keeps them).
    const backendsAfter = await postgres.backendCpu(copy.applicationName);
    let micros = 0;
    for (const [pid, after] of backendsAfter) micros += after - (backendsBefore.get(pid) ?? 0);
    if (backendsAfter.size > 0) dbCpuUsPerRequest = micros / result.requests;
    if (writes) {
      const syncs = (await postgres.walSyncs()) - syncsBefore;
      writesPerWalSync = syncs > 0 ? result.requests / syncs : null;
    }
  }
  const rss = peakRssMiB(server.pid);
  checkRun(result, what, server);
  const records = server.spec.changeLog ? await checkChangeRecords(server, recordsBefore, writes, what) : null;
  // The floor commits once per write by construction; callgate may share commits (group commit, SQLite only).
  let writesPerCommit: number | null = null;
  if (writes && (server.spec.kind === 'floor' || copy)) writesPerCommit = 1;
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
    dbCpuUsPerRequest,
    writesPerWalSync,
    changeRecords: records,
  };
  log(
    `  ${what.padEnd(42)} ${fmt(figures.reqPerSec).padStart(7)} req/s  p50 ${fmt(figures.p50, 1)} ms  p99 ${fmt(figures.p99, 1)} ms  ` +
      `${fmt(figures.cpuUsPerRequest)} µs CPU/req  peak RSS ${fmt(rss)} MiB` +
      (dbCpuUsPerRequest === null ? '' : `  ${fmt(dbCpuUsPerRequest)} µs DB CPU/req`) +
      (copy ? (writesPerWalSync === null ? '' : `  ${fmt(writesPerWalSync, 1)} writes/WAL sync`) : writesPerCommit === null ? '' : `  ${fmt(writesPerCommit, 1)} writes/commit`) +
      (records === null ? '' : `  ${fmt(records)} change records`),
  );
  return figures;
}

/** The change records in a server's database. */
async function changeRecords(server: RunningServer): Promise<number> {
  const copy = schemaOf.get(server);
  if (copy && postgres) return postgres.changeRecords(copy.schema);
  if (server.database.store !== 'sqlite') throw new Error(`${server.spec.label}: no database to count change records in`);
  const db = new Database(server.database.path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select count(*) from call_changes').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The change records a run added; throws unless a write run with the log on added some and every other run none. */
async function checkChangeRecords(server: RunningServer, before: number, writes: boolean, what: string): Promise<number> {
  const after = await changeRecords(server);
  const added = after - before;
  const expected = writes && server.spec.changeLog === 'on';
  if (expected ? added <= 0 : added !== 0 || (server.spec.changeLog === 'off' && after !== 0)) {
    throw new Error(`${what}: the run added ${added} change records (${after} in all), expected ${expected ? 'some' : 'none'}; the change log was not switched ${server.spec.changeLog}`);
  }
  return added;
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
  const intro =
    store === 'pg'
      ? 'From `node --cpu-prof` on separate, untimed runs (1 s warm-up, then 3 s whose samples are counted; idle excluded; the profiler adds overhead of its own). ' +
        'Samples are main-thread time; waiting for PostgreSQL is idle time and not counted. The driver\'s work (protocol, row parsing) shows under `pg` and `pg-protocol`, ' +
        'the floor\'s own under `bench`, callgate\'s query building and row mapping mostly under `drizzle-orm`.'
      : 'From `node --cpu-prof` on separate, untimed runs (1 s warm-up, then 3 s whose samples are counted; idle excluded; the profiler adds overhead of its own). ' +
        'Samples are main-thread time, so a blocking call (an fsync in a FULL commit) counts as well as computation. ' +
        'Native calls without a JS frame of their own (better-sqlite3 statements, JSON.parse/stringify) count as self time of the JS function that calls them: ' +
        'the floor\'s SQLite time shows under `bench` (floor-server.ts), callgate\'s mostly under `drizzle-orm` (its better-sqlite3 session) or `better-sqlite3` (`exec` of BEGIN/COMMIT).';
  return [
    intro,
    '',
    ...parts,
  ].join('\n');
}

/** The 1-minute load average: how busy the machine was apart from this benchmark (and with it). */
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  mkdirSync(work, { recursive: true });
  if (peer) return runPeer(peer, { ...settings, smoke }, work, log);
  if (threeWay === 'ab') {
    baselineBuild = prepareBaseline(flags.baseline!, store, log);
    BEFORE = { ...CALLGATE, label: `baseline ${baselineBuild.short}`, root: baselineBuild.root };
    AFTER = { ...CALLGATE, label: 'current' };
  } else if (threeWay === 'fast-path') {
    BEFORE = { ...CALLGATE, label: 'callgate fast path off', fastPath: 'off' };
    AFTER = { ...CALLGATE, label: 'callgate fast path on', fastPath: 'on' };
  } else if (threeWay === 'change-log') {
    BEFORE = { ...CALLGATE, label: 'callgate change log off', changeLog: 'off' };
    AFTER = { ...CALLGATE, label: 'callgate change log on', changeLog: 'on' };
  }
  log(`bench: ${smoke ? 'SMOKE (harness check only, timings mean nothing)' : 'full run'} on ${store === 'pg' ? 'PostgreSQL' : 'SQLite'}; seeding ${fmt(settings.calls)} calls`);
  let manifest;
  if (store === 'pg') {
    postgres = await BenchPostgres.open(settings.pgUrl);
    const data = seedData({ calls: settings.calls });
    await postgres.seedTemplate(data);
    manifest = data.manifest;
    log(`  template schema ${postgres.template} on ${settings.pgUrl}; every server gets a copy of it`);
  } else {
    manifest = seedDatabase(golden, { calls: settings.calls });
  }
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const load = new LoadGenerator();
  const notes: string[] = [];
  const fingerprint = sourceFingerprint();
  /** Every run starts a fresh callgate: an edit mid-benchmark would mix versions in one table. */
  const assertUnchanged = () => {
    if (baselineBuild && sourceFingerprint(baselineBuild.root) !== baselineBuild.fingerprint) {
      throw new Error(`the baseline build in ${relative(ROOT, baselineBuild.root)} changed while the benchmark ran; rerun`);
    }
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
    // Every callgate configuration of the run must answer like the floor, so each answers like the others.
    // The script writes: each pair starts from the seeded state, so a second pair gets a floor of its own.
    const callgateSpecs = BEFORE && AFTER ? [BEFORE, AFTER] : [CALLGATE];
    log(`parity: the same requests to the floor and to ${callgateSpecs.map((spec) => spec.label).join(' and ')}, each on its own copy of the database`);
    const [floor, ...callgates] = await Promise.all([acquire(FLOOR), ...callgateSpecs.map(acquire)]);
    const floors = [floor!, ...(await Promise.all(callgates.slice(1).map(() => launch(FLOOR))))];
    let callsPresent = true;
    let parityText = '';
    for (const callgate of callgates) {
      const calls = await probeCallsField(callgate.url, manifest.editorToken);
      if (calls.note) {
        const note = callgates.length > 1 ? `${callgate.spec.label}: ${calls.note}` : calls.note;
        notes.push(note);
        log(`  note: ${note}`);
      }
      callsPresent &&= calls.present;
    }
    for (const [i, callgate] of callgates.entries()) {
      const parity = await checkParity(floors[i]!.url, callgate.url, manifest, callsPresent);
      const who = callgates.length > 1 ? callgate.spec.label : 'callgate';
      if (parity.differences.length > 0) {
        throw new Error(`the floor does not answer like ${who} (${parity.differences.length} differences); fix the floor before timing it:\n  ${parity.differences.join('\n  ')}`);
      }
      let text =
        callgates.length > 1
          ? `Floor and ${who}: ${parity.checked} scripted requests (successes, every validation error, auth, 403/404/405/415, the GraphQL documents) gave the same status, content type, challenge/Allow headers and body (server-written \`updatedAt\` masked).`
          : `${parity.checked} scripted requests (successes, every validation error, auth, 403/404/405/415, the GraphQL documents) gave the same status, content type, challenge/Allow headers and body (server-written \`updatedAt\` masked) on both servers.`;
      if (parity.keyOrder.length > 0) {
        const names = parity.keyOrder.map((k) => k.split('\n')[0]).join('; ');
        text += ` Except: ${parity.keyOrder.length} ${who} response(s) carry the same data with object keys in a different order than the floor's (which follows the selection set, as the GraphQL spec orders a response): ${names}.`;
        notes.push(`${who}'s response key order differs from the selection-set order in: ${names} (see the parity section).`);
        log(`  WARNING: ${who}'s key order differs from the selection set:\n  ${parity.keyOrder.join('\n  ')}`);
      }
      log(`  ${text}`);
      parityText += (parityText ? ' ' : '') + text;
    }
    for (const server of floors.slice(1)) await dispose(server);
    for (const server of [floor!, ...callgates]) await release(server);

    const ops = OPERATIONS.filter((op) => (only ? only.includes(op) : true))
      .filter((op) => !threeWay || !THREE_WAY_OPERATIONS[threeWay] || THREE_WAY_OPERATIONS[threeWay].includes(op))
      .filter((op) => op !== 'gql-calls' || callsPresent);
    if (ops.length === 0) throw new Error(`no operation to measure (--compare-${threeWay} measures ${THREE_WAY_OPERATIONS[threeWay!]?.join(', ')})`);
    const comparisons: Comparison[] =
      BEFORE && AFTER
        ? ops.map((op) => ({ id: op, op, a: FLOOR, b: BEFORE!, c: AFTER!, title: `${OPERATION_LABELS[op]}: floor, ${BEFORE!.label}, ${AFTER!.label}` }))
        : ops.map((op) => ({ id: op, op, a: FLOOR, b: CALLGATE, title: `${OPERATION_LABELS[op]}: callgate / floor` }));
    // The fsync context belongs to the plain report only.
    if (!threeWay && settings.sync && ops.includes('rest-put')) {
      comparisons.push({ id: 'sync rest-put', op: 'rest-put', ...SYNC });
    }
    /** A B A B; with a third configuration the order rotates (F B A, B A F, A F B), so none always runs first or after the same one. */
    const orderOf = (comparison: Comparison, round: number): ServerSpec[] => {
      if (!comparison.c) return [comparison.a, comparison.b];
      const specs = [comparison.a, comparison.b, comparison.c];
      const shift = (round - 1) % specs.length;
      return [...specs.slice(shift), ...specs.slice(0, shift)];
    };

    const runs: RunFigures[] = [];
    const total = comparisons.reduce((sum, c) => sum + (c.c ? 3 : 2), 0) * settings.rounds;
    let n = 0;
    for (const comparison of comparisons) {
      log(`${comparison.title}`);
      for (let round = 1; round <= settings.rounds; round++) {
        for (const spec of orderOf(comparison, round)) {
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

    const summaries = threeWay ? [] : comparisons.map((c) => summarize(c, runs));
    const threeWaySummaries = threeWay ? comparisons.map((c) => summarizeThreeWay({ ...c, c: c.c! }, runs)) : [];
    const profile = flags['cpu-prof'] ? await profileAll(load, ops) : undefined;
    load.close();

    if (threeWay) {
      process.stdout.write(
        `\n${smoke ? 'SMOKE (not a measurement): ' : ''}medians over ${settings.rounds} round(s); ratios to the floor and Δ points from per-round ratios; F/B/A = floor / ${BEFORE!.label} / ${AFTER!.label}\n`,
      );
      process.stdout.write(`${threeWayTextTable(threeWay, threeWaySummaries)}\n`);
    } else {
      process.stdout.write(`\n${smoke ? 'SMOKE (not a measurement): ' : ''}medians over ${settings.rounds} round(s), B/A = median of per-round ratios\n`);
      process.stdout.write(`${textTable(summaries)}\n`);
    }
    for (const note of notes) process.stdout.write(`note: ${note}\n`);

    if (smoke) {
      process.stdout.write(`\nbench:smoke passed: parity held and every response was the expected 2xx (${Math.round((Date.now() - started) / 1000)} s)\n`);
      return;
    }
    assertUnchanged();
    const date = new Date().toISOString().slice(0, 10);
    const partial = only !== undefined;
    const name =
      (store === 'pg' ? 'postgres' : 'sqlite') + (threeWay === 'ab' ? `-ab-${baselineBuild!.short}` : threeWay ? `-${threeWay}` : '');
    const reportPath = partial ? resolve(ROOT, 'bench/.work', `${date}-${name}-partial.md`) : resolve(ROOT, 'bench/results', `${date}-${name}.md`);
    mkdirSync(resolve(reportPath, '..'), { recursive: true });
    if (partial) notes.push(`Partial run (--only ${only!.join(',')}).`);
    notes.push(
      'The load generator (autocannon, one process) and the server under test share the machine\'s cores; CPU µs/req is the server process\'s own user+system time (from /proc/<pid>/stat) over the timed phase divided by the requests completed, so it does not depend on how busy the load generator is.',
    );
    let databaseSettings: Record<string, string>;
    if (postgres) {
      const pg = await postgres.settings();
      databaseSettings = {
        PostgreSQL: `${pg.server_version} on ${new URL(settings.pgUrl).host} (this machine); read with SHOW: synchronous_commit=${pg.synchronous_commit}, commit_delay=${pg.commit_delay} (commit_siblings=${pg.commit_siblings}), fsync=${pg.fsync}, wal_sync_method=${pg.wal_sync_method}, full_page_writes=${pg.full_page_writes}, wal_writer_delay=${pg.wal_writer_delay}, shared_buffers=${pg.shared_buffers}, checkpoint_timeout=${pg.checkpoint_timeout}, max_wal_size=${pg.max_wal_size}, max_connections=${pg.max_connections}`,
        Pools: `callgate DATABASE_POOL_SIZE=${settings.pgPoolSize} (its default is 10), the floor a pg.Pool of max ${settings.pgPoolSize}; both with statement_timeout 10 s, connect timeout 5 s, idle timeout 10 s, keep-alive; ${settings.connections} load connections, so each request can have a connection of its own`,
        'Database per run': 'a template schema seeded once (`callgate migrate` through the CLI, then the rows in one transaction); every server process gets a new schema made by callgate\'s migrations (PgCallStore.migrate, what `callgate migrate` runs), filled with INSERT … SELECT from the template, then VACUUM (ANALYZE) per table, and dropped when the server stops; every schema of the run is dropped at exit, also after a failure or an interrupt',
      };
      notes.push(
        'callgate runs with its defaults (LOG_LEVEL=info, GraphiQL on, scrypt-free bearer auth); the floor and callgate keep the server\'s synchronous_commit unless labelled.',
        'The floor runs the statements and transactions callgate\'s PostgreSQL store runs: per write BEGIN, SELECT … FOR UPDATE of the call, the field definitions, one DELETE of the cleared values, one INSERT … ON CONFLICT of the others, UPDATE … RETURNING of the version, the values, COMMIT (8 round trips); per call read BEGIN REPEATABLE READ READ ONLY, the call, its values, COMMIT (4); the token lookup before either (1). Its statements are unnamed (parsed and planned on every run), as callgate\'s were under drizzle; callgate now sends its per-request statements (token lookup, call read, write) as named prepared statements, parsed and planned once per connection, so its PostgreSQL backend CPU may fall below the floor\'s. The floor is kept as it was so that ratios compare with earlier reports. It does not join api_users for the values\' updatedBy, which no benchmark document asks for.',
        'PostgreSQL backend CPU µs/req: user+system time of the server\'s backend processes (found by application_name, which is the run\'s schema) over the timed phase, divided by the requests; the WAL writer, checkpointer and autovacuum are not counted. PostgreSQL shares the two cores with the server and the load generator.',
        'Writes per WAL sync: timed-phase writes divided by the rise of pg_stat_wal.wal_sync, which counts the whole cluster (other work on this PostgreSQL counts too) and which a busy backend reports at most once a second. Above 1 means concurrent commits shared a flush (PostgreSQL\'s own group commit, with commit_delay as read above).',
        'The targets were set in issue 5 for SQLite; they are shown for reference.',
      );
    } else {
      notes.push('callgate runs with its defaults (LOG_LEVEL=info, GraphiQL on, synchronous=FULL, scrypt-free bearer auth); the floor with synchronous=FULL unless labelled NORMAL.');
      databaseSettings = { SQLite: 'WAL, synchronous=FULL (callgate\'s default), busy_timeout=5000, foreign_keys=ON, writes in BEGIN IMMEDIATE' };
    }
    notes.push(
      `Load average (1 min) ${loadAtStart} when the run started and ${loadAverage()} when it ended, on ${machine().nproc} cores: other work on the machine shares them with the run.`,
    );
    // read at the end: with an unchanged fingerprint the commit is the code every run measured
    const codeVersions = versions(postgres ? { PostgreSQL: (await postgres.settings()).server_version, pg: packageVersion('pg') } : undefined);
    if (baselineBuild) {
      const current = codeVersions['callgate commit'];
      delete codeVersions['callgate commit'];
      Object.assign(codeVersions, {
        'current callgate': `${current} (this tree), source fingerprint ${fingerprint}`,
        'baseline callgate': `${baselineBuild.short} (${baselineBuild.commit}, "${baselineBuild.subject}", asked for as \`${baselineBuild.ref}\`), source fingerprint ${baselineBuild.fingerprint}; unpacked with git archive into ${relative(ROOT, baselineBuild.root)}/, dist/ built by its own scripts/build.js, node_modules: ${baselineBuild.nodeModules}`,
      });
    } else {
      codeVersions['callgate source fingerprint'] = fingerprint;
    }
    if (threeWay === 'ab') {
      notes.push(
        `Both callgate builds run with the same command line, environment and database; only the checkout differs. The database is seeded once, through this tree's migrations (the runner refuses a baseline whose drizzle/ differs).`,
      );
    } else if (threeWay === 'change-log') {
      notes.push(
        'Both callgate processes run under Node\'s module hooks (`--import bench/change-log-switch.js`, `module.register`), which the plain benchmark\'s callgate does not: a hooks thread that works while modules load and idles after start-up. With the change log off, the store class is the real one constructed with `changeLog: false`; the runner counts each server\'s change records after its run and stops unless a write run with the log on left some and every other run none.',
        'The reads are a control: the log changes nothing on their path, so their on/off spread shows what the machine does to two identical configurations.',
      );
    } else if (threeWay === 'fast-path') {
      notes.push(
        'Both callgate processes run under Node\'s module hooks (`--import bench/fast-path-switch.js`, `module.register`), which the plain benchmark\'s callgate does not: a hooks thread that works while modules load and idles after start-up. With the fast path off, every /graphql request goes through yoga\'s Node adapter (`yoga(req, res)`), as any request the fast path declines does.',
      );
    }
    const context = {
      store,
      date,
      machine: machine(),
      versions: codeVersions,
      settings: {
        'Seeded data': `${fmt(manifest.callIds.length)} calls, ${manifest.fields.length} custom fields (text/option/number/date; one read-only, one disabled), 5 values per call, one editor with a bearer token`,
        Load: `autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s timed, ${settings.rounds} rounds, ${threeWay ? 'three configurations in every round, the order rotating per round' : 'configurations alternating A B A B'}`,
        Requests: 'random call id per request; writes carry 3 edits (one by field_id, one by name, one clear with null) of random writable fields with valid random values; every response checked (status and body) before a run counts',
        ...databaseSettings,
        'Total time': `${Math.round((Date.now() - started) / 1000)} s`,
      },
      notes,
      parity: parityText,
      profile,
    };
    const report = threeWay
      ? threeWayMarkdownReport(
          threeWay,
          {
            ...context,
            title:
              threeWay === 'ab'
                ? `callgate ${baselineBuild!.short} and the current tree vs the raw floor, ${store === 'pg' ? 'PostgreSQL' : 'SQLite'} (${date})`
                : threeWay === 'change-log'
                  ? `What the change log costs callgate: change log on and off vs the raw floor, ${store === 'pg' ? 'PostgreSQL' : 'SQLite'} (${date})`
                  : `callgate's /graphql fast path on and off vs the raw floor, ${store === 'pg' ? 'PostgreSQL' : 'SQLite'} (${date})`,
          },
          threeWaySummaries,
          runs,
        )
      : markdownReport(context, summaries, runs);
    writeFileSync(reportPath, report);
    process.stdout.write(`\nreport: ${relative(ROOT, reportPath)} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  } finally {
    load.close();
    for (const server of kept.values()) await server.stop().catch(() => {});
    if (postgres) {
      await postgres.dropAll().catch((error: unknown) => log(`could not drop the benchmark's schemas: ${String(error)}`));
      await postgres.close();
    }
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
