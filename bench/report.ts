/** Medians, ratios and the Markdown report of a benchmark run. */
import { OPERATION_LABELS, TARGETS, type Operation } from './workload.js';
import type { ServerSpec } from './processes.js';

export interface RunFigures {
  comparison: string;
  op: Operation;
  spec: ServerSpec;
  round: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  peakRssMiB: number;
  /** Writes per COMMIT (one fsync each under FULL); null for reads or when the server does not say. */
  writesPerCommit: number | null;
  /** PostgreSQL: CPU of the server's database backends (user+system) over the timed phase / requests. */
  dbCpuUsPerRequest: number | null;
  /** PostgreSQL: writes per WAL sync (pg_stat_wal.wal_sync of the whole cluster), warm-up and timed phase; null for reads. */
  writesPerWalSync: number | null;
  /** --compare-change-log: the change records the run added (warm-up included); null otherwise. */
  changeRecords: number | null;
}

export interface Comparison {
  id: string;
  op: Operation;
  /** The baseline (the floor) and the configuration measured against it. */
  a: ServerSpec;
  b: ServerSpec;
  /** A third configuration measured in the same rounds (--baseline, --compare-fast-path); the order then rotates per round. */
  c?: ServerSpec;
  title: string;
}

export interface Summary {
  comparison: Comparison;
  a: Medians;
  b: Medians;
  /** Median over rounds of b/a req/s, each pair measured back to back. */
  ratio: number;
  ratios: number[];
}

interface Medians {
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  peakRssMiB: number;
  writesPerCommit: number;
  dbCpuUsPerRequest: number;
  writesPerWalSync: number;
  runs: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medians(runs: RunFigures[]): Medians {
  const of = (key: keyof Pick<RunFigures, 'reqPerSec' | 'p50' | 'p99' | 'cpuUsPerRequest' | 'peakRssMiB'>) => median(runs.map((r) => r[key]));
  const perCommit = runs.flatMap((r) => (r.writesPerCommit === null ? [] : [r.writesPerCommit]));
  const present = (key: 'dbCpuUsPerRequest' | 'writesPerWalSync') => median(runs.flatMap((r) => (r[key] === null ? [] : [r[key]])));
  return {
    reqPerSec: of('reqPerSec'),
    p50: of('p50'),
    p99: of('p99'),
    cpuUsPerRequest: of('cpuUsPerRequest'),
    peakRssMiB: of('peakRssMiB'),
    writesPerCommit: median(perCommit),
    dbCpuUsPerRequest: present('dbCpuUsPerRequest'),
    writesPerWalSync: present('writesPerWalSync'),
    runs: runs.length,
  };
}

export function summarize(comparison: Comparison, runs: RunFigures[]): Summary {
  const mine = runs.filter((r) => r.comparison === comparison.id);
  const a = mine.filter((r) => r.spec.label === comparison.a.label);
  const b = mine.filter((r) => r.spec.label === comparison.b.label);
  const ratios = a.flatMap((ra) => {
    const rb = b.find((r) => r.round === ra.round);
    return rb ? [rb.reqPerSec / ra.reqPerSec] : [];
  });
  return { comparison, a: medians(a), b: medians(b), ratio: median(ratios), ratios };
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '-');

const pairCell = (s: Summary, key: 'writesPerCommit' | 'writesPerWalSync') =>
  Number.isFinite(s.a[key]) || Number.isFinite(s.b[key]) ? `${f1(s.a[key])} / ${f1(s.b[key])}` : '';
const perCommitCell = (s: Summary) => pairCell(s, 'writesPerCommit');
const cell = (n: number | null, format: (n: number) => string) => (n === null ? '' : format(n));

export function targetOf(s: Summary): string {
  if (s.comparison.id.startsWith('sync')) return '';
  const target = TARGETS[s.comparison.op];
  if (target === undefined) return '-';
  return `≥ ${pct(target)} ${s.ratio >= target ? 'met' : 'not met'}`;
}

/** The plain-text table printed at the end of a run. */
export function textTable(summaries: Summary[]): string {
  const withDb = summaries.some((s) => Number.isFinite(s.a.dbCpuUsPerRequest) || Number.isFinite(s.b.dbCpuUsPerRequest));
  const header = ['operation', 'A', 'A req/s', 'B', 'B req/s', 'B/A', 'target', 'p50 A/B ms', 'p99 A/B ms', 'CPU µs/req A/B', 'peak RSS MiB A/B'];
  if (withDb) header.push('DB CPU µs/req A/B', 'writes/WAL sync A/B');
  const rows = summaries.map((s) => [
    OPERATION_LABELS[s.comparison.op],
    s.comparison.a.label,
    f0(s.a.reqPerSec),
    s.comparison.b.label,
    f0(s.b.reqPerSec),
    pct(s.ratio),
    targetOf(s),
    `${f1(s.a.p50)} / ${f1(s.b.p50)}`,
    `${f1(s.a.p99)} / ${f1(s.b.p99)}`,
    `${f0(s.a.cpuUsPerRequest)} / ${f0(s.b.cpuUsPerRequest)}`,
    `${f0(s.a.peakRssMiB)} / ${f0(s.b.peakRssMiB)}`,
    ...(withDb ? [`${f0(s.a.dbCpuUsPerRequest)} / ${f0(s.b.dbCpuUsPerRequest)}`, pairCell(s, 'writesPerWalSync')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface ReportContext {
  store: 'sqlite' | 'pg';
  date: string;
  machine: { nproc: number; cpu: string; memory: string; kernel: string };
  versions: Record<string, string>;
  settings: Record<string, string>;
  notes: string[];
  parity: string;
  profile?: string;
}

const INTRO = {
  sqlite: [
    'Produced by `npm run bench` (bench/run.ts). callgate runs through its CLI (`node bin/callgate.js serve`); the floor is',
    'bench/floor-server.ts (node:http + better-sqlite3 prepared statements, same database file, same pragmas, same',
    'semantics and JSON, checked request by request before timing). Each configuration runs as its own process on a',
    'fresh copy of the same seeded database; autocannon drives it from a separate process. Configurations alternate',
  ],
  pg: [
    'Produced by `npm run bench -- --store pg` (bench/run.ts). callgate runs through its CLI (`node bin/callgate.js serve`,',
    '`DATABASE_URL` selecting the run\'s schema); the floor is bench/floor-server-pg.ts (node:http + a `pg` Pool with',
    'parameterised SQL: the statements and transactions callgate\'s PostgreSQL store runs, the same semantics and JSON,',
    'checked request by request before timing). Each configuration runs as its own process on a fresh copy of the same',
    'seeded schema; autocannon drives it from a separate process. PostgreSQL runs on the same machine. Configurations alternate',
  ],
};

/** The Markdown report for bench/results/. */
export function markdownReport(ctx: ReportContext, summaries: Summary[], runs: RunFigures[]): string {
  const pg = ctx.store === 'pg';
  const main = summaries.filter((s) => !s.comparison.id.startsWith('sync'));
  const sync = summaries.filter((s) => s.comparison.id.startsWith('sync'));
  const out: string[] = [];
  out.push(`# callgate vs the raw floor, ${pg ? 'PostgreSQL' : 'SQLite'} (${ctx.date})`, '');
  out.push(...INTRO[ctx.store]);
  out.push('A B A B; the figures are medians over the rounds, and B/A is the median of the per-round ratios (each pair');
  out.push('measured back to back), which is the number to read on a noisy machine. Absolute req/s mean little here.', '');
  out.push('## Machine', '');
  out.push(`- CPU: ${ctx.machine.cpu}, \`nproc\` = ${ctx.machine.nproc} (server${pg ? ', PostgreSQL' : ''} and load generator share them)`);
  out.push(`- Memory: ${ctx.machine.memory}; kernel ${ctx.machine.kernel}`);
  for (const [k, v] of Object.entries(ctx.versions)) out.push(`- ${k}: ${v}`);
  out.push('', '## Settings', '');
  for (const [k, v] of Object.entries(ctx.settings)) out.push(`- ${k}: ${v}`);
  out.push('', '## callgate / floor', '');
  if (pg) {
    out.push('| operation | floor req/s | callgate req/s | callgate/floor | target (set for SQLite) | p50 ms floor / callgate | p99 ms floor / callgate | CPU µs/req floor / callgate | PostgreSQL backend CPU µs/req floor / callgate | peak RSS MiB floor / callgate | writes per WAL sync floor / callgate |');
    out.push('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  } else {
    out.push('| operation | floor req/s | callgate req/s | callgate/floor | target | p50 ms floor / callgate | p99 ms floor / callgate | CPU µs/req floor / callgate | peak RSS MiB floor / callgate | writes per commit floor / callgate |');
    out.push('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const s of main) {
    const db = pg ? ` ${f0(s.a.dbCpuUsPerRequest)} / ${f0(s.b.dbCpuUsPerRequest)} |` : '';
    out.push(
      `| ${OPERATION_LABELS[s.comparison.op]} | ${f0(s.a.reqPerSec)} | ${f0(s.b.reqPerSec)} | **${pct(s.ratio)}** | ${targetOf(s)} | ${f1(s.a.p50)} / ${f1(s.b.p50)} | ${f1(s.a.p99)} / ${f1(s.b.p99)} | ${f0(s.a.cpuUsPerRequest)} / ${f0(s.b.cpuUsPerRequest)} |${db} ${f0(s.a.peakRssMiB)} / ${f0(s.b.peakRssMiB)} | ${pg ? pairCell(s, 'writesPerWalSync') : perCommitCell(s)} |`,
    );
  }
  if (sync.length > 0 && pg) {
    out.push('', '## Floor, synchronous_commit=off vs on (REST PUT)', '');
    out.push('Context for the fsync cost on PostgreSQL: with `off` a COMMIT returns before its WAL is flushed (the WAL writer flushes it');
    out.push('within `wal_writer_delay`), so a crash can lose the last acknowledged writes. That is the upper bound of what not waiting');
    out.push('for the flush could buy; callgate and the floor above run with the server\'s setting.', '');
    out.push('| operation | on req/s | off req/s | on/off | off/on | p50 ms on / off | p99 ms on / off | CPU µs/req on / off | PostgreSQL backend CPU µs/req on / off | writes per WAL sync on / off |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of sync) {
      out.push(
        `| ${OPERATION_LABELS[s.comparison.op]} | ${f0(s.a.reqPerSec)} | ${f0(s.b.reqPerSec)} | ${pct(1 / s.ratio)} | ${s.ratio.toFixed(2)}× | ${f1(s.a.p50)} / ${f1(s.b.p50)} | ${f1(s.a.p99)} / ${f1(s.b.p99)} | ${f0(s.a.cpuUsPerRequest)} / ${f0(s.b.cpuUsPerRequest)} | ${f0(s.a.dbCpuUsPerRequest)} / ${f0(s.b.dbCpuUsPerRequest)} | ${pairCell(s, 'writesPerWalSync')} |`,
      );
    }
  } else if (sync.length > 0) {
    out.push('', '## Floor, synchronous=NORMAL vs FULL (REST PUT)', '');
    out.push('Context for the group-commit target (≥ 2× the FULL floor on REST PUT): how much of the floor\'s write cost is the fsync per commit.', '');
    out.push('| operation | FULL req/s | NORMAL req/s | FULL/NORMAL | NORMAL/FULL | p50 ms FULL / NORMAL | p99 ms FULL / NORMAL | CPU µs/req FULL / NORMAL |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of sync) {
      out.push(
        `| ${OPERATION_LABELS[s.comparison.op]} | ${f0(s.a.reqPerSec)} | ${f0(s.b.reqPerSec)} | ${pct(1 / s.ratio)} | ${s.ratio.toFixed(2)}× | ${f1(s.a.p50)} / ${f1(s.b.p50)} | ${f1(s.a.p99)} / ${f1(s.b.p99)} | ${f0(s.a.cpuUsPerRequest)} / ${f0(s.b.cpuUsPerRequest)} |`,
      );
    }
  }
  out.push('', '## Parity check', '', ctx.parity);
  if (ctx.notes.length > 0) out.push('', '## Notes', '', ...ctx.notes.map((n) => `- ${n}`));
  if (ctx.profile) out.push('', '## Where callgate\'s time goes', '', ctx.profile);
  out.push('', '## Every run', '');
  if (pg) {
    out.push('| comparison | round | configuration | requests | req/s | p50 ms | p99 ms | CPU µs/req | PostgreSQL backend CPU µs/req | peak RSS MiB | writes per WAL sync |');
    out.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  } else {
    out.push('| comparison | round | configuration | requests | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | writes per commit |');
    out.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const r of runs) {
    const db = pg ? ` ${cell(r.dbCpuUsPerRequest, f0)} |` : '';
    const writes = pg ? cell(r.writesPerWalSync, f1) : cell(r.writesPerCommit, f1);
    out.push(
      `| ${r.comparison} | ${r.round} | ${r.spec.label} | ${r.requests} | ${f0(r.reqPerSec)} | ${f1(r.p50)} | ${f1(r.p99)} | ${f0(r.cpuUsPerRequest)} |${db} ${f0(r.peakRssMiB)} | ${writes} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/**
 * Three configurations of one operation measured in the same rounds: the
 * floor (`a`), callgate before (`b`: the --baseline build, or the fast path
 * off) and callgate after (`c`: this tree, or the fast path on).
 */
export interface ThreeWaySummary {
  comparison: Comparison & { c: ServerSpec };
  floor: Medians;
  before: Medians;
  after: Medians;
  /** Medians of the per-round ratios to the floor measured in the same round. */
  beforeRatio: number;
  afterRatio: number;
  /** afterRatio - beforeRatio, in percentage points. */
  points: number;
  /** after - before ratio to the floor, per round, in points. */
  pointsPerRound: number[];
  /** Median of the per-round after/before req/s. */
  afterOverBefore: number;
  afterOverBeforePerRound: number[];
}

export function summarizeThreeWay(comparison: Comparison & { c: ServerSpec }, runs: RunFigures[]): ThreeWaySummary {
  const mine = runs.filter((r) => r.comparison === comparison.id);
  const of = (spec: ServerSpec) => mine.filter((r) => r.spec.label === spec.label);
  const [floor, before, after] = [of(comparison.a), of(comparison.b), of(comparison.c)];
  const rounds = [...new Set(mine.map((r) => r.round))].sort((x, y) => x - y);
  const perRound = rounds.flatMap((round) => {
    const [f, b, a] = [floor, before, after].map((list) => list.find((r) => r.round === round));
    return f && b && a ? [{ before: b.reqPerSec / f.reqPerSec, after: a.reqPerSec / f.reqPerSec, afterOverBefore: a.reqPerSec / b.reqPerSec }] : [];
  });
  const beforeRatio = median(perRound.map((r) => r.before));
  const afterRatio = median(perRound.map((r) => r.after));
  return {
    comparison,
    floor: medians(floor),
    before: medians(before),
    after: medians(after),
    beforeRatio,
    afterRatio,
    points: (afterRatio - beforeRatio) * 100,
    pointsPerRound: perRound.map((r) => (r.after - r.before) * 100),
    afterOverBefore: median(perRound.map((r) => r.afterOverBefore)),
    afterOverBeforePerRound: perRound.map((r) => r.afterOverBefore),
  };
}

/** The most an operation's ratio to the floor may fall, in points, for `--baseline` to call it held. */
export const HELD_POINTS = 5;

const points = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}` : '-');
const gain = (n: number) => (Number.isFinite(n) ? `${n >= 1 ? '+' : '−'}${Math.abs((n - 1) * 100).toFixed(1)}%` : '-');
const triple = (s: ThreeWaySummary, key: keyof Medians, format: (n: number) => string) =>
  `${format(s.floor[key])} / ${format(s.before[key])} / ${format(s.after[key])}`;
export const heldCell = (s: ThreeWaySummary) => (!Number.isFinite(s.points) ? '-' : s.points >= -HELD_POINTS ? 'held' : `**fell > ${HELD_POINTS} points**`);

/** The kind of three-way run: `ab` (--baseline), `fast-path` (--compare-fast-path) or `change-log` (--compare-change-log). */
export type ThreeWayKind = 'ab' | 'fast-path' | 'change-log';

/** What the two callgate configurations of a three-way run are called in its tables. */
const BEFORE_AFTER: Record<ThreeWayKind, [string, string]> = {
  ab: ['baseline', 'current'],
  'fast-path': ['fast path off', 'fast path on'],
  'change-log': ['log off', 'log on'],
};

/** Issue 18: writes with the change log keep at least this share of their rate without it. */
export const CHANGE_LOG_TARGET = 0.9;
const CHANGE_LOG_WRITES: readonly Operation[] = ['rest-put', 'gql-mutation'];

/** The on/off verdict of a --compare-change-log row: writes against the target, reads are the control. */
export function changeLogCell(s: ThreeWaySummary): string {
  if (!CHANGE_LOG_WRITES.includes(s.comparison.op)) return 'control (log not on this path)';
  if (!Number.isFinite(s.afterOverBefore)) return '-';
  return s.afterOverBefore >= CHANGE_LOG_TARGET ? `≥ ${pct(CHANGE_LOG_TARGET)} met` : `**≥ ${pct(CHANGE_LOG_TARGET)} not met**`;
}

const perRoundOnOff = (s: ThreeWaySummary) => s.afterOverBeforePerRound.map(pct);
/** Lowest and highest per-round on/off. */
const spread = (s: ThreeWaySummary) =>
  s.afterOverBeforePerRound.length > 0 ? `${pct(Math.min(...s.afterOverBeforePerRound))}–${pct(Math.max(...s.afterOverBeforePerRound))}` : '-';

/** The plain-text table printed at the end of a three-way run. */
export function threeWayTextTable(kind: ThreeWayKind, summaries: ThreeWaySummary[]): string {
  const withDb = summaries.some((s) => Number.isFinite(s.floor.dbCpuUsPerRequest));
  const [before, after] = BEFORE_AFTER[kind];
  if (kind === 'change-log') return changeLogTextTable(summaries, withDb);
  const header = [
    'operation',
    'floor req/s',
    `${before} req/s`,
    `${after} req/s`,
    `${before}/floor`,
    `${after}/floor`,
    'Δ points',
    kind === 'ab' ? `≤ ${HELD_POINTS} points down` : `gain on/off`,
    'per round Δ',
    'p50 ms F/B/A',
    'p99 ms F/B/A',
    'CPU µs/req F/B/A',
    'peak RSS MiB F/B/A',
  ];
  if (withDb) header.push('DB CPU µs/req F/B/A');
  const rows = summaries.map((s) => [
    OPERATION_LABELS[s.comparison.op],
    f0(s.floor.reqPerSec),
    f0(s.before.reqPerSec),
    f0(s.after.reqPerSec),
    pct(s.beforeRatio),
    pct(s.afterRatio),
    points(s.points),
    kind === 'ab' ? heldCell(s).replace(/\*/g, '') : gain(s.afterOverBefore),
    s.pointsPerRound.map(points).join(' '),
    triple(s, 'p50', f1),
    triple(s, 'p99', f1),
    triple(s, 'cpuUsPerRequest', f0),
    triple(s, 'peakRssMiB', f0),
    ...(withDb ? [triple(s, 'dbCpuUsPerRequest', f0)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function changeLogTextTable(summaries: ThreeWaySummary[], withDb: boolean): string {
  const header = [
    'operation',
    'floor req/s',
    'log off req/s',
    'log on req/s',
    'on/off',
    `target ≥ ${pct(CHANGE_LOG_TARGET)}`,
    'on/off per round',
    'spread',
    'off/floor',
    'on/floor',
    'p50 ms F/off/on',
    'p99 ms F/off/on',
    'CPU µs/req F/off/on',
  ];
  if (withDb) header.push('DB CPU µs/req F/off/on');
  const rows = summaries.map((s) => [
    OPERATION_LABELS[s.comparison.op],
    f0(s.floor.reqPerSec),
    f0(s.before.reqPerSec),
    f0(s.after.reqPerSec),
    pct(s.afterOverBefore),
    changeLogCell(s).replace(/\*/g, ''),
    perRoundOnOff(s).join(' '),
    spread(s),
    pct(s.beforeRatio),
    pct(s.afterRatio),
    triple(s, 'p50', f1),
    triple(s, 'p99', f1),
    triple(s, 'cpuUsPerRequest', f0),
    ...(withDb ? [triple(s, 'dbCpuUsPerRequest', f0)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const THREE_WAY_INTRO: Record<ThreeWayKind, string[]> = {
  ab: [
    'Produced by `npm run bench -- --baseline <ref>` (bench/run.ts): the floor, callgate built from the baseline commit and',
    'callgate built from the current tree, measured in the same rounds. Both builds start the same way',
    '(`node <checkout>/bin/callgate.js serve`, each with its own compiled dist/, the same flags and environment) and pass the',
    'same parity check against the floor and the same check of every response. Each configuration runs as its own process on',
    'a fresh copy of the same seeded database; autocannon drives it from a separate process. The order rotates per round',
    '(floor, baseline, current; then baseline, current, floor; ...). Each build\'s ratio to the floor is the median of its',
    'per-round ratios to the floor run of the same round; Δ points is current/floor minus baseline/floor. An operation',
    `"held" when Δ is at least −${HELD_POINTS} points. Absolute req/s mean little on this machine; the ratios are the figures to read.`,
  ],
  'fast-path': [
    'Produced by `npm run bench -- --compare-fast-path` (bench/run.ts): the floor and the current callgate twice, once with',
    'its /graphql fast path (src/http/graphql-fast-path.ts) and once without it, so every /graphql request goes through yoga\'s',
    'own Node handler, measured in the same rounds. Both callgate processes start with `node --import',
    'bench/fast-path-switch.js bin/callgate.js serve`; `BENCH_GRAPHQL_FAST_PATH=off` replaces createGraphQLFastPath with one',
    'that declines every request (the runner checks each server\'s log that the switch saw the module load), `on` leaves it',
    'as it is. Both pass the same parity check against the floor and the same check of every response. The order rotates per',
    'round. Gain is the median of the per-round on/off req/s; the ratios to the floor are medians of per-round ratios.',
  ],
  'change-log': [
    'Produced by `npm run bench -- --compare-change-log` (bench/run.ts): the floor and the current callgate twice, once',
    'with its change log (every value change appends its records in the same transaction, as in production) and once without',
    'it (the store constructed with `changeLog: false`, an option for this comparison only), measured in the same rounds.',
    'Both callgate processes start with `node --import bench/change-log-switch.js bin/callgate.js serve`;',
    '`BENCH_CHANGE_LOG=off` replaces the compiled store modules with ones whose store class passes `changeLog: false` (the',
    'runner checks each server\'s log that the switch saw the module load, and counts the change records each run left),',
    '`on` leaves them as they are. Both pass the same parity check against the floor and the same check of every response.',
    'The order rotates per round (floor, off, on; off, on, floor; on, floor, off). on/off is the median of the per-round',
    `log on / log off req/s; the target (issue 18) is ≥ ${pct(CHANGE_LOG_TARGET)} for REST PUT and the GraphQL mutation. The call reads are`,
    'a control: the log is not on their path, so their on/off shows the noise between two identical configurations.',
  ],
};

/** The Markdown report of a three-way run (--baseline or --compare-fast-path). */
export function threeWayMarkdownReport(kind: ThreeWayKind, ctx: ReportContext & { title: string }, summaries: ThreeWaySummary[], runs: RunFigures[]): string {
  const pg = ctx.store === 'pg';
  const [before, after] = BEFORE_AFTER[kind];
  const out: string[] = [`# ${ctx.title}`, '', ...THREE_WAY_INTRO[kind], ''];
  out.push('## Machine', '');
  out.push(`- CPU: ${ctx.machine.cpu}, \`nproc\` = ${ctx.machine.nproc} (servers${pg ? ', PostgreSQL' : ''} and load generator share them)`);
  out.push(`- Memory: ${ctx.machine.memory}; kernel ${ctx.machine.kernel}`);
  for (const [k, v] of Object.entries(ctx.versions)) out.push(`- ${k}: ${v}`);
  out.push('', '## Settings', '');
  for (const [k, v] of Object.entries(ctx.settings)) out.push(`- ${k}: ${v}`);
  const db = pg ? ` PostgreSQL backend CPU µs/req floor / ${before} / ${after} |` : '';
  if (kind === 'change-log') {
    out.push('', '## Change log on and off', '');
    out.push(
      `| operation | floor req/s | ${before} req/s | ${after} req/s | on/off | target | on/off per round | spread (lowest–highest round) | ${before}/floor | ${after}/floor | p50 ms floor / ${before} / ${after} | p99 ms floor / ${before} / ${after} | CPU µs/req floor / ${before} / ${after} |${db} peak RSS MiB floor / ${before} / ${after} |`,
    );
    out.push(`| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |${pg ? ' ---: |' : ''} ---: |`);
    for (const s of summaries) {
      const dbCell = pg ? ` ${triple(s, 'dbCpuUsPerRequest', f0)} |` : '';
      out.push(
        `| ${OPERATION_LABELS[s.comparison.op]} | ${f0(s.floor.reqPerSec)} | ${f0(s.before.reqPerSec)} | ${f0(s.after.reqPerSec)} | **${pct(s.afterOverBefore)}** | ${changeLogCell(s)} | ${perRoundOnOff(s).join(', ')} | ${spread(s)} | ${pct(s.beforeRatio)} | ${pct(s.afterRatio)} | ${triple(s, 'p50', f1)} | ${triple(s, 'p99', f1)} | ${triple(s, 'cpuUsPerRequest', f0)} |${dbCell} ${triple(s, 'peakRssMiB', f0)} |`,
      );
    }
  } else {
    out.push('', kind === 'ab' ? '## Ratios to the floor, baseline and current' : '## Fast path on and off', '');
    const verdict = kind === 'ab' ? `at most ${HELD_POINTS} points down` : `gain, ${after} / ${before}`;
    out.push(
      `| operation | floor req/s | ${before} req/s | ${after} req/s | ${before}/floor | ${after}/floor | Δ points | ${verdict} | Δ points per round | p50 ms floor / ${before} / ${after} | p99 ms floor / ${before} / ${after} | CPU µs/req floor / ${before} / ${after} |${db} peak RSS MiB floor / ${before} / ${after} |`,
    );
    out.push(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |${pg ? ' ---: |' : ''} ---: |`);
    for (const s of summaries) {
      const dbCell = pg ? ` ${triple(s, 'dbCpuUsPerRequest', f0)} |` : '';
      out.push(
        `| ${OPERATION_LABELS[s.comparison.op]} | ${f0(s.floor.reqPerSec)} | ${f0(s.before.reqPerSec)} | ${f0(s.after.reqPerSec)} | ${pct(s.beforeRatio)} | ${pct(s.afterRatio)} | **${points(s.points)}** | ${kind === 'ab' ? heldCell(s) : `**${gain(s.afterOverBefore)}**`} | ${s.pointsPerRound.map(points).join(', ')} | ${triple(s, 'p50', f1)} | ${triple(s, 'p99', f1)} | ${triple(s, 'cpuUsPerRequest', f0)} |${dbCell} ${triple(s, 'peakRssMiB', f0)} |`,
      );
    }
  }
  out.push('', '## Parity check', '', ctx.parity);
  if (ctx.notes.length > 0) out.push('', '## Notes', '', ...ctx.notes.map((n) => `- ${n}`));
  out.push('', '## Every run', '');
  const records = kind === 'change-log';
  out.push(
    `| operation | round | configuration | requests | req/s | p50 ms | p99 ms | CPU µs/req |${pg ? ' PostgreSQL backend CPU µs/req |' : ''} peak RSS MiB | ${pg ? 'writes per WAL sync' : 'writes per commit'} |${records ? ' change records added (warm-up included) |' : ''}`,
  );
  out.push(`| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |${pg ? ' ---: |' : ''} ---: | ---: |${records ? ' ---: |' : ''}`);
  for (const r of runs) {
    const dbCell = pg ? ` ${cell(r.dbCpuUsPerRequest, f0)} |` : '';
    const writes = pg ? cell(r.writesPerWalSync, f1) : cell(r.writesPerCommit, f1);
    const recordCell = records ? ` ${cell(r.changeRecords, f0)} |` : '';
    out.push(
      `| ${r.comparison} | ${r.round} | ${r.spec.label} | ${r.requests} | ${f0(r.reqPerSec)} | ${f1(r.p50)} | ${f1(r.p99)} | ${f0(r.cpuUsPerRequest)} |${dbCell} ${f0(r.peakRssMiB)} | ${writes} |${recordCell}`,
    );
  }
  out.push('');
  return out.join('\n');
}
