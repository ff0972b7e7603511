/** Medians, ratios and the Markdown report of `--peer postgraphile`: callgate / PostGraphile per query. */
import type { ServerSpec } from './processes.js';
import { median } from './report.js';
import type { LoadOperation, Operation, PeerOperation } from './workload.js';

export interface PeerComparison {
  id: string;
  title: string;
  callgateOp: Operation;
  peerOp: PeerOperation;
  /** callgate / PostGraphile: req/s at least, backend CPU per request at most. */
  targets: { reqPerSec: number; dbCpuUsPerRequest?: number };
}

export interface PeerRunFigures {
  comparison: string;
  spec: ServerSpec;
  op: LoadOperation;
  round: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  /** The server process's user+system CPU over the timed phase / requests. */
  cpuUsPerRequest: number;
  /** Its PostgreSQL backends' user+system CPU over the timed phase / requests. */
  dbCpuUsPerRequest: number;
  backends: number;
  peakRssMiB: number;
}

type Figure = 'reqPerSec' | 'p50' | 'p99' | 'cpuUsPerRequest' | 'dbCpuUsPerRequest' | 'peakRssMiB';
type Medians = Record<Figure, number>;

/** callgate / PostGraphile of one figure: each round's pair measured back to back, and their median. */
export interface Ratio {
  median: number;
  perRound: number[];
}

export interface PeerSummary {
  comparison: PeerComparison;
  peer: Medians;
  callgate: Medians;
  reqPerSec: Ratio;
  cpuUsPerRequest: Ratio;
  dbCpuUsPerRequest: Ratio;
}

const FIGURES: Figure[] = ['reqPerSec', 'p50', 'p99', 'cpuUsPerRequest', 'dbCpuUsPerRequest', 'peakRssMiB'];

function medians(runs: PeerRunFigures[]): Medians {
  return Object.fromEntries(FIGURES.map((f) => [f, median(runs.map((r) => r[f]))])) as Medians;
}

export function summarizePeer(comparison: PeerComparison, runs: PeerRunFigures[]): PeerSummary {
  const mine = runs.filter((r) => r.comparison === comparison.id);
  const peer = mine.filter((r) => r.spec.kind === 'postgraphile');
  const callgate = mine.filter((r) => r.spec.kind === 'callgate');
  const ratio = (figure: Figure): Ratio => {
    const perRound = peer.flatMap((p) => {
      const c = callgate.find((r) => r.round === p.round);
      return c ? [c[figure] / p[figure]] : [];
    });
    return { median: median(perRound), perRound };
  };
  return {
    comparison,
    peer: medians(peer),
    callgate: medians(callgate),
    reqPerSec: ratio('reqPerSec'),
    cpuUsPerRequest: ratio('cpuUsPerRequest'),
    dbCpuUsPerRequest: ratio('dbCpuUsPerRequest'),
  };
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '-');
/** Lowest–highest per-round ratio. */
const range = (r: Ratio) => (r.perRound.length > 0 ? `${times(Math.min(...r.perRound))}–${times(Math.max(...r.perRound))}` : '-');
const pair = (s: PeerSummary, figure: Figure, format: (n: number) => string) => `${format(s.peer[figure])} / ${format(s.callgate[figure])}`;

/** The targets, each with the median it is judged on. */
export function targetRows(s: PeerSummary): { target: string; measured: Ratio; met: boolean }[] {
  const rows = [{ target: `req/s ≥ ${times(s.comparison.targets.reqPerSec)}`, measured: s.reqPerSec, met: s.reqPerSec.median >= s.comparison.targets.reqPerSec }];
  const db = s.comparison.targets.dbCpuUsPerRequest;
  if (db !== undefined) rows.push({ target: `PostgreSQL backend CPU per request ≤ ${times(db)}`, measured: s.dbCpuUsPerRequest, met: s.dbCpuUsPerRequest.median <= db });
  return rows;
}

/** The plain-text table printed at the end of a run. */
export function peerTextTable(summaries: PeerSummary[]): string {
  const header = ['query', 'PG req/s', 'cg req/s', 'cg/PG req/s', 'per round', 'p50 ms PG/cg', 'p99 ms PG/cg', 'CPU µs/req PG/cg', 'cg/PG CPU', 'DB CPU µs/req PG/cg', 'cg/PG DB CPU', 'targets'];
  const rows = summaries.map((s) => [
    s.comparison.id,
    f0(s.peer.reqPerSec),
    f0(s.callgate.reqPerSec),
    times(s.reqPerSec.median),
    s.reqPerSec.perRound.map(times).join(' '),
    pair(s, 'p50', f1),
    pair(s, 'p99', f1),
    pair(s, 'cpuUsPerRequest', f0),
    times(s.cpuUsPerRequest.median),
    pair(s, 'dbCpuUsPerRequest', f0),
    times(s.dbCpuUsPerRequest.median),
    targetRows(s)
      .map((t) => `${t.target} ${t.met ? 'met' : 'not met'}`)
      .join('; '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface PeerReportContext {
  date: string;
  machine: { nproc: number; cpu: string; memory: string; kernel: string };
  versions: Record<string, string>;
  settings: Record<string, string>;
  /** What the check of the answers found. */
  answers: string;
  notes: string[];
}

/** The Markdown report for bench/results/. */
export function peerMarkdownReport(ctx: PeerReportContext, summaries: PeerSummary[], runs: PeerRunFigures[]): string {
  const out: string[] = [`# callgate vs PostGraphile, PostgreSQL (${ctx.date})`, ''];
  out.push(
    'Produced by `npm run bench -- --store pg --peer postgraphile` (bench/run.ts, bench/peer.ts). callgate runs through its CLI',
    '(`node bin/callgate.js serve`, `DATABASE_URL` selecting the run\'s schema) and authenticates every request (a bearer token).',
    'The peer is PostGraphile 4 as a library (bench/peer-postgraphile.js: its request handler in a plain node:http server on plain node) over',
    'the same schema and rows, **without authentication**: no token, no JWT, no role, no pgSettings. That is not a like-for-like',
    'setup; PostGraphile does less per request, and the targets ask callgate to win with its authentication on.',
    'Each server runs as its own process (so its CPU is its own) with a pool of the same size; PostgreSQL runs on the same',
    'machine. Per query, PostGraphile and callgate alternate A B A B, a fresh server process per run; the figures are medians',
    'over the rounds, and each ratio (callgate / PostGraphile) is the median of the per-round ratios, each pair measured back to',
    'back, with the lowest and highest round beside it. Absolute req/s mean little on this machine; the ratios are the figures',
    'to read.',
    '',
  );
  out.push('## Machine', '');
  out.push(`- CPU: ${ctx.machine.cpu}, \`nproc\` = ${ctx.machine.nproc} (servers, PostgreSQL and load generator share them)`);
  out.push(`- Memory: ${ctx.machine.memory}; kernel ${ctx.machine.kernel}`);
  for (const [k, v] of Object.entries(ctx.versions)) out.push(`- ${k}: ${v}`);
  out.push('', '## Settings', '');
  for (const [k, v] of Object.entries(ctx.settings)) out.push(`- ${k}: ${v}`);

  out.push('', '## callgate / PostGraphile', '');
  out.push(
    '| query | PostGraphile req/s | callgate req/s | callgate / PostGraphile req/s (lowest–highest round) | p50 ms PostGraphile / callgate | p99 ms PostGraphile / callgate | server CPU µs/req PostGraphile / callgate | callgate / PostGraphile server CPU per request | PostgreSQL backend CPU µs/req PostGraphile / callgate | callgate / PostGraphile backend CPU per request | peak RSS MiB PostGraphile / callgate |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of summaries) {
    out.push(
      `| ${s.comparison.title} | ${f0(s.peer.reqPerSec)} | ${f0(s.callgate.reqPerSec)} | **${times(s.reqPerSec.median)}** (${range(s.reqPerSec)}) | ${pair(s, 'p50', f1)} | ${pair(s, 'p99', f1)} | ${pair(s, 'cpuUsPerRequest', f0)} | ${times(s.cpuUsPerRequest.median)} (${range(s.cpuUsPerRequest)}) | ${pair(s, 'dbCpuUsPerRequest', f0)} | ${times(s.dbCpuUsPerRequest.median)} (${range(s.dbCpuUsPerRequest)}) | ${pair(s, 'peakRssMiB', f0)} |`,
    );
  }

  out.push('', '## Targets (issue 22)', '');
  out.push('Judged on the medians over the rounds of this run, callgate with its authentication on.', '');
  out.push('| query | target (callgate / PostGraphile) | measured, median (per round) | |');
  out.push('| --- | --- | ---: | --- |');
  for (const s of summaries) {
    for (const t of targetRows(s)) {
      out.push(`| ${s.comparison.title} | ${t.target} | ${times(t.measured.median)} (${t.measured.perRound.map(times).join(', ')}) | ${t.met ? 'met' : '**not met**'} |`);
    }
  }

  out.push('', '## Same answers', '', ctx.answers);
  out.push(
    '',
    'The one form: call id, setup time as an ISO instant, numbers, direction in lower case (callgate\'s enum is upper case), duration,',
    'version as a number (PostGraphile answers a bigint as a string), the values sorted by field id with their field\'s name and, for',
    'the one-call query, `updatedAt` as an ISO instant. PostGraphile also answers the values of the disabled field (its generated',
    'relation cannot filter on the related field; about one call in four has such a value); they are left out before comparing,',
    'so its answers carry slightly more data than callgate\'s.',
  );

  out.push('', '## The two servers', '');
  out.push(
    '- PostGraphile: `postgraphile(pool, schema, { graphiql: false, dynamicJson: true, disableDefaultMutations: true, disableQueryLog: true, retryOnInitFail: false })` as the handler of `http.createServer`, on plain node (`node bench/peer-postgraphile.js`, no loader), everything else its defaults; no query log as its production advice has it, where callgate logs every request at `LOG_LEVEL=info`. A query without pgSettings, role or JWT runs outside a transaction (postgraphile\'s withPostGraphileContext), so each request is one pooled connection and one statement that builds the whole answer.',
    '- Its documents: `callByCallId(callId: $id) { callId setupTime fromNumber toNumber direction duration version callCustomFieldValuesByCallId { nodes { fieldId value updatedAt customFieldByFieldId { name enabled } } } }` and `allCalls(first: 50, orderBy: [SETUP_TIME_DESC, CALL_ID_DESC], condition: { tenantId: $tenantId }) { nodes { … the same without updatedAt } }`: the tenant\'s calls in callgate\'s default order, which the index on (tenant_id, setup_time, call_id) serves for both. No credentials.',
    '- callgate: `node bin/callgate.js serve` (its compiled dist/) with its defaults (`LOG_LEVEL=info`, GraphiQL on, `NODE_ENV=production`, which PostGraphile\'s process gets too), the benchmark\'s documents `call(id:)` and `calls(first: 50)` (bench/workload.ts), every request with the editor\'s bearer token.',
    '- Both pools: the same size, statement_timeout, connect and idle timeouts; each server\'s connections carry `<schema>_postgraphile` or `<schema>_callgate` as application_name.',
  );

  out.push('', '## Notes', '');
  out.push(
    '- Server CPU µs/req: the server process\'s user+system time (from /proc/<pid>/stat) over the timed phase divided by the requests completed, so it does not depend on how busy the load generator is.',
    '- PostgreSQL backend CPU µs/req: user+system time (from /proc/<pid>/stat) of the backend processes whose application_name is the server\'s (found in pg_stat_activity) over the timed phase, divided by the requests; the WAL writer, checkpointer, autovacuum and the stats machinery are not counted. A backend that appeared during the timed phase counts whole.',
  );
  for (const note of ctx.notes) out.push(`- ${note}`);

  out.push('', '## Every run', '');
  out.push('| query | round | server | requests | req/s | p50 ms | p99 ms | server CPU µs/req | PostgreSQL backend CPU µs/req | backends | peak RSS MiB |');
  out.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of runs) {
    out.push(
      `| ${r.comparison} | ${r.round} | ${r.spec.label} | ${r.requests} | ${f0(r.reqPerSec)} | ${f1(r.p50)} | ${f1(r.p99)} | ${f0(r.cpuUsPerRequest)} | ${f0(r.dbCpuUsPerRequest)} | ${r.backends} | ${f0(r.peakRssMiB)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
