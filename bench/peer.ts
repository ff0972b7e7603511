/**
 * `npm run bench -- --store pg --peer postgraphile` (issue 22): callgate
 * against a real peer on the same database instead of the floor. PostGraphile
 * 4 (bench/peer-postgraphile.js) and callgate each run as their own process
 * over one copy of the seeded schema (100,000 calls and about 500,000 values
 * by default; the workload only reads, so both read the same tables), and
 * each query is measured A B A B: PostGraphile, then callgate, per round, each
 * run with a fresh server process. Before timing, a script of requests goes to
 * both and their answers must equal each other and the database's own
 * (bench/peer-answers.ts); during every timed run, sampled responses are
 * checked against the database's answers too.
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { machine, packageVersion, sourceFingerprint, versions } from './machine.js';
import { answerOf, difference, ReferenceAnswers, variablesOf, type Answer } from './peer-answers.js';
import { peerMarkdownReport, peerTextTable, summarizePeer, type PeerComparison, type PeerRunFigures } from './peer-report.js';
import { BenchPostgres, type SchemaCopy } from './postgres.js';
import { checkRun, cpuMicros, LoadGenerator, peakRssMiB, ROOT, startServer, type RunningServer, type ServerSpec } from './processes.js';
import { seedData } from './seed.js';
import { DOCUMENTS, generator, PEER_DOCUMENTS, type LoadOperation } from './workload.js';

export interface PeerSettings {
  smoke: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  calls: number;
  pgUrl: string;
  pgPoolSize: number;
}

export const PEERS = ['postgraphile'] as const;
export type Peer = (typeof PEERS)[number];

const PEER: ServerSpec = { kind: 'postgraphile', label: 'PostGraphile' };
const CALLGATE: ServerSpec = { kind: 'callgate', label: 'callgate' };

/** The queries compared, with the targets (callgate / PostGraphile, medians over the rounds). */
export const PEER_COMPARISONS: PeerComparison[] = [
  {
    id: 'one-call',
    title: 'one call with its custom fields (`call(id:)` vs `callByCallId`)',
    callgateOp: 'gql-call',
    peerOp: 'postgraphile-call',
    targets: { reqPerSec: 1.0, dbCpuUsPerRequest: 1.0 },
  },
  {
    id: 'first-50',
    title: 'first 50 calls with their custom fields (`calls(first: 50)` vs `allCalls(first: 50)`)',
    callgateOp: 'gql-calls',
    peerOp: 'postgraphile-calls',
    targets: { reqPerSec: 1.2 },
  },
];

/** Random call ids sent to both servers before timing (plus the list and an unknown id). */
const SCRIPTED_CALLS = 200;
/** Responses per timed run checked against the database's answers. */
const SAMPLES_PER_RUN = 25;
const UNKNOWN_CALL = '00000000-0000-4000-8000-000000000000';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;

export async function runPeer(peer: Peer, settings: PeerSettings, work: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  const { smoke } = settings;
  log(`bench: ${smoke ? 'SMOKE (harness check only, timings mean nothing)' : 'full run'} on PostgreSQL against ${peer}; seeding ${fmt(settings.calls)} calls`);

  const postgres = await BenchPostgres.open(settings.pgUrl);
  // also on an interrupted run (processes.ts kills the servers first, then exits on SIGINT/SIGTERM)
  process.once('exit', () => postgres.dropAllSync());
  const load = new LoadGenerator();
  let reference: ReferenceAnswers | undefined;
  const servers = new Set<RunningServer>();
  try {
    const data = seedData({ calls: settings.calls });
    await postgres.seedTemplate(data);
    const manifest = { ...data.manifest, tenantId: data.tenantId };
    const manifestPath = join(work, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const valueCount = data.calls.reduce((n, c) => n + c.values.length, 0);
    // The workload only reads: one copy of the template (vacuumed and analysed) serves every server of the run.
    const copy: SchemaCopy = await postgres.copy();
    log(`  template schema ${postgres.template} (${fmt(data.calls.length)} calls, ${fmt(valueCount)} values); every server reads the copy ${copy.schema}`);
    reference = await ReferenceAnswers.open(settings.pgUrl, copy.schema, data.tenantId);

    const fingerprint = sourceFingerprint();
    const assertUnchanged = () => {
      const now = sourceFingerprint();
      if (now !== fingerprint) {
        throw new Error(`callgate's source changed while the benchmark ran (fingerprint ${fingerprint} -> ${now}); rerun when nobody is editing the tree.`);
      }
    };

    let launched = 0;
    const applicationNameOf = new Map<RunningServer, string>();
    /** A fresh server process on the run's copy; its connections carry `<schema>_<kind>` as application_name. */
    const launch = async (spec: ServerSpec): Promise<RunningServer> => {
      const applicationName = `${copy.schema}_${spec.kind}`;
      const server = await startServer(spec, {
        database: { store: 'pg', url: postgres.urlFor(copy.schema, applicationName), poolSize: settings.pgPoolSize },
        logPath: join(work, `${spec.kind}-${++launched}.log`),
      });
      servers.add(server);
      applicationNameOf.set(server, applicationName);
      return server;
    };
    const dispose = async (server: RunningServer) => {
      await server.stop();
      servers.delete(server);
    };

    // ------------------------------------------------------------ the same answers, before timing
    log(`answers: ${SCRIPTED_CALLS} random calls, an unknown call and the first 50 calls, to both servers and the database`);
    const [peerServer, callgateServer] = await Promise.all([launch(PEER), launch(CALLGATE)]);
    const pick = generator(22);
    const [oneCall, firstPage] = PEER_COMPARISONS as [PeerComparison, PeerComparison];
    const ids = [...Array.from({ length: SCRIPTED_CALLS }, () => manifest.callIds[Math.floor(pick() * manifest.callIds.length)]!), UNKNOWN_CALL];
    const scripted: ScriptedCase[] = [
      ...ids.map((id) => ({ comparison: oneCall, callgate: { id }, peer: { id } })),
      { comparison: firstPage, callgate: null, peer: { tenantId: data.tenantId } },
    ];
    let checked = 0;
    let valuesChecked = 0;
    for (const { comparison, callgate, peer: peerVariables } of scripted) {
      const peerAnswer = await ask(peerServer, comparison.peerOp, peerVariables);
      const callgateAnswer = await ask(callgateServer, comparison.callgateOp, callgate, manifest.editorToken);
      const expected = await reference.expected(comparison.callgateOp, callgate ?? {});
      const problem = difference(callgateAnswer, peerAnswer) ?? difference(callgateAnswer, expected);
      if (problem) throw new Error(`${comparison.id} ${JSON.stringify(callgate)}: callgate, PostGraphile and the database do not agree: ${problem}`);
      checked += 2;
      valuesChecked += countValues(expected);
    }
    const scriptedText =
      `Before timing, ${SCRIPTED_CALLS} random calls, an unknown call (both answer null) and the first 50 calls went to both servers: ` +
      `${fmt(checked)} answers, ${fmt(valuesChecked)} custom field values on each side, equal to each other and to the database's own answer (plain SQL) once brought to one form.`;
    log(`  ${scriptedText}`);
    await dispose(peerServer);
    await dispose(callgateServer);

    // ------------------------------------------------------------ A B A B
    const runs: PeerRunFigures[] = [];
    let samplesChecked = 0;
    const total = PEER_COMPARISONS.length * settings.rounds * 2;
    let n = 0;
    for (const comparison of PEER_COMPARISONS) {
      log(`${comparison.title}: callgate / PostGraphile`);
      for (let round = 1; round <= settings.rounds; round++) {
        for (const spec of [PEER, CALLGATE]) {
          n++;
          assertUnchanged();
          const server = await launch(spec);
          try {
            const op = spec.kind === 'postgraphile' ? comparison.peerOp : comparison.callgateOp;
            const what = `${comparison.id} round ${round} ${spec.label}`;
            const figures = await measure(load, postgres, server, applicationNameOf.get(server)!, { comparison, op, round, what, manifestPath, settings });
            if (figures.samples.length !== Math.min(SAMPLES_PER_RUN, figures.run.requests)) {
              throw new Error(`${what}: ${figures.samples.length} sampled responses came back, expected ${Math.min(SAMPLES_PER_RUN, figures.run.requests)}`);
            }
            for (const sample of figures.samples) {
              const problem = difference(answerOf(sample.op, sample.body), await reference.expected(sample.op, variablesOf(sample.request)));
              if (problem) throw new Error(`${what}: a sampled response differs from the database's answer: ${problem}`);
            }
            samplesChecked += figures.samples.length;
            runs.push(figures.run);
          } finally {
            await dispose(server);
          }
          log(`    [${n}/${total}] ${((Date.now() - started) / 1000).toFixed(1)} s elapsed`);
        }
      }
    }
    load.close();

    log(`  ${fmt(samplesChecked)} sampled responses of the timed runs equal to the database's answers`);
    const summaries = PEER_COMPARISONS.map((c) => summarizePeer(c, runs));
    process.stdout.write(`\n${smoke ? 'SMOKE (not a measurement): ' : ''}medians over ${settings.rounds} round(s); ratios are callgate / PostGraphile, medians of per-round ratios\n`);
    process.stdout.write(`${peerTextTable(summaries)}\n`);
    if (smoke) {
      process.stdout.write(`\nbench:smoke --peer ${peer} passed: the answers agreed and every response was the expected 2xx (${Math.round((Date.now() - started) / 1000)} s)\n`);
      return;
    }
    assertUnchanged();

    const pgSettings = await postgres.settings();
    const date = new Date().toISOString().slice(0, 10);
    const reportPath = resolve(ROOT, 'bench/results', `${date}-pg-peer.md`);
    mkdirSync(resolve(reportPath, '..'), { recursive: true });
    const codeVersions = versions({ PostgreSQL: pgSettings.server_version, pg: packageVersion('pg') });
    codeVersions['callgate source fingerprint'] = fingerprint;
    codeVersions.postgraphile = `${packageVersion('postgraphile')} (its own graphql ${packageVersion('postgraphile/node_modules/graphql')})`;
    const report = peerMarkdownReport(
      {
        date,
        machine: machine(),
        versions: codeVersions,
        settings: {
          'Seeded data': `${fmt(data.calls.length)} calls, ${fmt(valueCount)} custom field values, ${manifest.fields.length} custom fields (text/option/number/date; one read-only, one disabled), one tenant; callgate's editor authenticates with a bearer token`,
          Load: `autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s timed, ${settings.rounds} rounds, PostGraphile and callgate alternating A B A B, a fresh server process per run`,
          Requests: 'one call: a random call id per request; list: the same document every time; every response checked (status and the start of the body), 25 per run checked whole against the database',
          PostgreSQL: `${pgSettings.server_version} on ${new URL(settings.pgUrl).host} (this machine); shared_buffers=${pgSettings.shared_buffers}, synchronous_commit=${pgSettings.synchronous_commit}, max_connections=${pgSettings.max_connections}`,
          Pools: `both ${settings.pgPoolSize} connections (callgate's DATABASE_POOL_SIZE default), statement_timeout 10 s, connect timeout 5 s, idle timeout 10 s, keep-alive; ${settings.connections} load connections`,
          'Database': `a template schema seeded once (\`callgate migrate\` through the CLI, then the rows in one transaction) and one copy of it made by callgate's migrations, filled with INSERT … SELECT and VACUUM (ANALYZE)d; every server of the run reads that copy (the workload writes nothing), dropped at exit`,
          'Total time': `${Math.round((Date.now() - started) / 1000)} s`,
        },
        answers: `${scriptedText} During the timed runs, ${fmt(samplesChecked)} sampled responses (${SAMPLES_PER_RUN} per run, picked at random from the timed phase) were each equal to the database's answer to the same request.`,
        notes: [
          `Load average (1 min) ${loadAtStart} when the run started and ${loadAverage()} when it ended, on ${machine().nproc} cores: PostgreSQL, the server under test and the load generator share them, and other work on the machine shares them with the run.`,
        ],
      },
      summaries,
      runs,
    );
    writeFileSync(reportPath, report);
    process.stdout.write(`\nreport: ${relative(ROOT, reportPath)} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  } finally {
    load.close();
    for (const server of servers) await server.stop().catch(() => {});
    await reference?.close();
    await postgres.dropAll().catch((error: unknown) => log(`could not drop the benchmark's schemas: ${String(error)}`));
    await postgres.close();
  }
}

const countValues = (answer: Answer) => (answer.kind === 'call' ? (answer.call?.customFields.length ?? 0) : answer.calls.reduce((n, c) => n + c.customFields.length, 0));

/** One request before timing: the same call (or the list) asked of both servers. */
interface ScriptedCase {
  comparison: PeerComparison;
  callgate: Record<string, unknown> | null;
  peer: Record<string, unknown>;
}

const QUERIES: Partial<Record<LoadOperation, string>> = {
  'gql-call': DOCUMENTS.call,
  'gql-calls': DOCUMENTS.calls,
  'postgraphile-call': PEER_DOCUMENTS.call,
  'postgraphile-calls': PEER_DOCUMENTS.calls,
};

/** One request of `op` to `server` (with the bearer token when given), its answer in the one form. */
async function ask(server: RunningServer, op: LoadOperation, variables: Record<string, unknown> | null, token?: string): Promise<Answer> {
  const query = QUERIES[op];
  if (!query) throw new Error(`${op}: no document`);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${server.spec.label} ${op}: ${response.status} ${text.slice(0, 300)}`);
  return answerOf(op, text);
}

interface Measurement {
  comparison: PeerComparison;
  op: LoadOperation;
  round: number;
  what: string;
  manifestPath: string;
  settings: PeerSettings;
}

async function measure(load: LoadGenerator, postgres: BenchPostgres, server: RunningServer, applicationName: string, m: Measurement) {
  let cpuBefore = 0;
  let backendsBefore = new Map<number, number>();
  const result = await load.run(
    {
      url: server.url,
      op: m.op,
      manifestPath: m.manifestPath,
      connections: m.settings.connections,
      warmupSeconds: m.settings.warmupSeconds,
      durationSeconds: m.settings.durationSeconds,
      sample: SAMPLES_PER_RUN,
    },
    async () => {
      backendsBefore = await postgres.backendCpu(applicationName);
      cpuBefore = cpuMicros(server.pid);
    },
  );
  const cpu = cpuMicros(server.pid) - cpuBefore;
  // A backend that appeared during the timed phase counts whole; one that ended during it would be missed (the pool keeps them).
  const backendsAfter = await postgres.backendCpu(applicationName);
  let micros = 0;
  for (const [pid, after] of backendsAfter) micros += after - (backendsBefore.get(pid) ?? 0);
  const rss = peakRssMiB(server.pid);
  checkRun(result, m.what, server);
  const run: PeerRunFigures = {
    comparison: m.comparison.id,
    spec: server.spec,
    op: m.op,
    round: m.round,
    requests: result.requests,
    reqPerSec: result.reqPerSec,
    p50: result.p50,
    p99: result.p99,
    cpuUsPerRequest: cpu / result.requests,
    dbCpuUsPerRequest: backendsAfter.size > 0 ? micros / result.requests : NaN,
    backends: backendsAfter.size,
    peakRssMiB: rss,
  };
  process.stderr.write(
    `  ${m.what.padEnd(34)} ${fmt(run.reqPerSec).padStart(7)} req/s  p50 ${fmt(run.p50, 1)} ms  p99 ${fmt(run.p99, 1)} ms  ` +
      `${fmt(run.cpuUsPerRequest)} µs CPU/req  ${fmt(run.dbCpuUsPerRequest)} µs DB CPU/req (${run.backends} backends)  peak RSS ${fmt(rss)} MiB\n`,
  );
  return { run, samples: result.samples };
}
