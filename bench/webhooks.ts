/**
 * Webhooks under load (issue 20): one callgate instance delivering every
 * change set to one healthy endpoint (a receiver in this process that
 * verifies each Standard Webhooks signature and answers 204).
 *
 * It measures, in one run:
 *   1. delivery at a steady 100 writes/s for --seconds: REST PUTs to random
 *      seeded calls, each setting "Agent" to a value unique to that write;
 *      each event is matched to its write, and its lag is the receipt's time
 *      minus the write's response (both taken in this process). Every write
 *      must be delivered, and each event's id is counted once (duplicates are
 *      reported);
 *   2. the write cost: REST PUT throughput (autocannon, closed loop, 10
 *      connections, --throughput-seconds each) without an endpoint (off) and
 *      with one (on), alternating for --rounds rounds; the ratio of the
 *      medians, the events delivered per second while writing flat out, and
 *      the server's CPU per write in each phase.
 *
 * An endpoint is registered (`callgate webhooks create`) for each phase that
 * has one and deleted after it, so an off phase delivers nothing. The clients
 * run in this process, on the same cores as the server. On PostgreSQL the
 * writes go to one instance started with WEBHOOKS=false and a second instance
 * delivers (as an operator would split them); on SQLite one process does both.
 *
 *   npm run bench:webhooks -- [--store sqlite|pg] [--rate 100] [--seconds 30] [--rounds 3] [--throughput-seconds 10] [--profile] [--out FILE]
 *
 * PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test (a temporary schema).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { AGENT_FIELD, putAgent } from './agent-put.js';
import { machine, versions } from './machine.js';
import { BenchPostgres, DEFAULT_PG_URL } from './postgres.js';
import { checkRun, cpuMicros, killAll, LoadGenerator, ROOT, startServer, type BenchDatabase, type RunningServer } from './processes.js';
import { median } from './report.js';
import { CLI, seedData, seedDatabase } from './seed.js';
import { SEED_FIELDS, type Manifest } from './workload.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    'throughput-seconds': { type: 'string', default: '10' },
    out: { type: 'string' },
    /** Writes a V8 CPU profile of the server to bench/.work/webhooks-<store>/ (read it with bench/profile.ts). */
    profile: { type: 'boolean', default: false },
  },
});
const STORE = args.store === 'pg' ? 'pg' : 'sqlite';
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const THROUGHPUT_SECONDS = Number(args['throughput-seconds']);
const CALLS = 10_000;
const OUT = args.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-webhooks-${STORE}.md`;
const WORK = resolve(ROOT, `bench/.work/webhooks-${STORE}`);

// The server and the CLI share these: a local receiver is allowed, and secrets are sealed with one key (PostgreSQL needs it).
Object.assign(process.env, {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1',
  WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Receipt {
  id: string;
  at: number;
  callId: string;
  values: string[];
}

/** The endpoint's receiver: verifies each signature with the secret of the endpoint registered now, answers 204. */
class Receiver {
  readonly receipts: Receipt[] = [];
  refused = 0;
  private webhook: Webhook | null = null;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const event = this.webhook!.verify(body, req.headers as Record<string, string>) as { id: string; call_id: string; changes: { new_value: string | null }[] };
        this.receipts.push({ id: event.id, at: performance.now(), callId: event.call_id, values: event.changes.map((c) => c.new_value ?? '') });
        res.writeHead(204).end();
      } catch {
        this.refused++;
        res.writeHead(400).end();
      }
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
  }

  expect(secret: string): void {
    this.webhook = new Webhook(secret);
  }

  close(): void {
    this.server.close();
  }
}

/** `callgate webhooks <args>` on the bench database; its JSON answer. */
function cli(database: BenchDatabase, ...command: string[]): Record<string, any> {
  const db = database.store === 'sqlite' ? database.path : database.url;
  return JSON.parse(execFileSync(process.execPath, [CLI, 'webhooks', ...command, '--db', db], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } }).toString()) as Record<string, any>;
}


interface LagFigures {
  writes: number;
  delivered: number;
  duplicates: number;
  p50: number;
  p99: number;
  max: number;
  eventsPerSecond: number;
  serverCpuPerWrite: number;
}

/** RATE writes/s for SECONDS with the endpoint on; waits up to 60 s for the last deliveries. */
async function measureLag(server: RunningServer, cpuOf: () => number, manifest: Manifest, receiver: Receiver): Promise<LagFigures> {
  const url = new URL(server.url);
  const written = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const from = receiver.receipts.length;
  const cpuBefore = cpuOf();
  const started = performance.now();
  const total = RATE * SECONDS;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const callId = manifest.callIds[Math.floor(Math.random() * manifest.callIds.length)]!;
    const value = `lag-${i}`;
    pending.push(putAgent(url, manifest.editorToken, callId, value).then((at) => void written.set(value, at)));
  }
  await Promise.all(pending);
  const writeSeconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + 60_000;
  const received = () => receiver.receipts.slice(from);
  while (new Set(received().flatMap((r) => r.values)).size < total && performance.now() < deadline) await sleep(100);
  const cpu = cpuOf() - cpuBefore;
  const firstReceipt = new Map<string, number>();
  for (const r of received()) for (const v of r.values) if (!firstReceipt.has(v)) firstReceipt.set(v, r.at);
  const lags = [...written].flatMap(([value, at]) => (firstReceipt.has(value) ? [Math.max(0, firstReceipt.get(value)! - at)] : [])).sort((a, b) => a - b);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.ceil((p / 100) * lags.length) - 1)] ?? NaN;
  const ids = received().map((r) => r.id);
  return {
    writes: total,
    delivered: lags.length,
    duplicates: ids.length - new Set(ids).size,
    p50: pct(50),
    p99: pct(99),
    max: lags.at(-1) ?? NaN,
    eventsPerSecond: received().length / writeSeconds,
    serverCpuPerWrite: cpu / total,
  };
}

interface PhaseFigures {
  writesPerSecond: number;
  p99: number;
  eventsPerSecond: number;
  serverCpuPerWrite: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  log(`bench:webhooks on ${STORE === 'pg' ? 'PostgreSQL' : 'SQLite'}: ${RATE} writes/s for ${SECONDS} s, ${ROUNDS} rounds of ${THROUGHPUT_SECONDS} s flat out without and with an endpoint`);
  const data = seedData({ calls: CALLS });
  const manifest = data.manifest;
  const manifestPath = join(WORK, 'manifest.json');
  let postgres: BenchPostgres | null = null;
  let database: BenchDatabase;
  if (STORE === 'pg') {
    postgres = await BenchPostgres.open(process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_PG_URL);
    await postgres.seedTemplate(data);
    database = { store: 'pg', url: (await postgres.copy()).url, poolSize: 10 };
  } else {
    const seeded = seedDatabase(join(WORK, 'webhooks.sqlite'), { calls: CALLS });
    Object.assign(manifest, { editorToken: seeded.editorToken, viewerToken: seeded.viewerToken });
    database = { store: 'sqlite', path: join(WORK, 'webhooks.sqlite') };
  }
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const receiver = new Receiver();
  const hookUrl = await receiver.listen();
  const load = new LoadGenerator();
  const endpointOn = () => {
    const created = cli(database, 'create', '--url', hookUrl);
    receiver.expect(created.secret as string);
    return created.endpoint.id as string;
  };
  const endpointOff = (id: string) => cli(database, 'delete', '--endpoint', id);
  try {
    const profile = args.profile ? ['--cpu-prof', '--cpu-prof-dir', WORK] : [];
    let delivery: RunningServer | null = null;
    if (STORE === 'pg') {
      delivery = await startServer({ kind: 'callgate', label: 'delivery' }, { database, logPath: join(WORK, 'delivery.log'), nodeFlags: profile });
      process.env.WEBHOOKS = 'false';
    }
    const server = await startServer({ kind: 'callgate', label: 'webhooks' }, { database, logPath: join(WORK, 'server.log'), nodeFlags: profile });
    delete process.env.WEBHOOKS;
    const cpuOf = () => cpuMicros(server.pid) + (delivery ? cpuMicros(delivery.pid) : 0);
    log(`  callgate on ${server.url}${delivery ? `, delivering from ${delivery.url}` : ''}, receiver on ${hookUrl}`);

    // 1. lag at a steady rate
    const endpoint = endpointOn();
    await putAgent(new URL(server.url), manifest.editorToken, manifest.callIds[0]!, 'warm-up');
    await sleep(2000);
    const lag = await measureLag(server, cpuOf, manifest, receiver);
    endpointOff(endpoint);
    if (lag.delivered !== lag.writes || receiver.refused > 0) throw new Error(`delivery incomplete: ${lag.delivered} of ${lag.writes} writes delivered, ${receiver.refused} signatures refused`);
    log(`  lag at ${RATE} writes/s: p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms; ${lag.duplicates} duplicates`);

    // 2. write throughput without and with an endpoint, alternating
    const throughput: Record<'off' | 'on', PhaseFigures[]> = { off: [], on: [] };
    const measure = async (phase: 'off' | 'on') => {
      const id = phase === 'on' ? endpointOn() : null;
      const receiptsBefore = receiver.receipts.length;
      let cpuBefore = 0;
      const job = { url: server.url, op: 'rest-put' as const, manifestPath, connections: 10, warmupSeconds: 2, durationSeconds: THROUGHPUT_SECONDS };
      const result = await load.run(job, () => {
        cpuBefore = cpuOf();
      });
      const cpu = cpuOf() - cpuBefore;
      checkRun(result, `REST PUT, webhooks ${phase}`, server);
      const figures = {
        writesPerSecond: result.reqPerSec,
        p99: result.p99,
        eventsPerSecond: (receiver.receipts.length - receiptsBefore) / result.seconds,
        serverCpuPerWrite: cpu / result.requests,
      };
      if (id) endpointOff(id);
      await sleep(1000);
      throughput[phase].push(figures);
      return figures;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const off = await measure('off');
      const on = await measure('on');
      log(`  round ${round}: ${fmt(off.writesPerSecond)} writes/s without an endpoint, ${fmt(on.writesPerSecond)} with one (${fmt(on.eventsPerSecond)} events/s delivered meanwhile)`);
    }
    const report = markdown(lag, throughput, (Date.now() - started) / 60_000, postgres ? (await postgres.settings()).server_version : null);
    writeFileSync(resolve(ROOT, OUT), report);
    log(`  report: ${OUT}`);
    process.stdout.write(report);
    await server.stop();
    await delivery?.stop();
  } finally {
    receiver.close();
    load.close();
    killAll();
    await postgres?.dropAll();
    await postgres?.close();
  }
}

function markdown(lag: LagFigures, throughput: Record<'off' | 'on', PhaseFigures[]>, minutes: number, pgVersion: string | null): string {
  const med = (phase: 'off' | 'on', key: keyof PhaseFigures) => median(throughput[phase].map((f) => f[key]));
  const ratio = med('on', 'writesPerSecond') / med('off', 'writesPerSecond');
  const rows = (['off', 'on'] as const).map(
    (phase) =>
      `| ${phase === 'off' ? 'no endpoint' : 'one endpoint'} | ${throughput[phase].map((f) => fmt(f.writesPerSecond)).join(' / ')} | ${fmt(med(phase, 'writesPerSecond'))} | ` +
      `${fmt(med(phase, 'p99'), 1)} ms | ${fmt(med(phase, 'eventsPerSecond'))} | ${fmt(med(phase, 'serverCpuPerWrite'))} µs |`,
  );
  const m = machine();
  const names = Object.entries(versions(pgVersion ? { PostgreSQL: pgVersion } : undefined)).map(([name, version]) => `${name} ${version}`).join(', ');
  return `# Webhooks under load on ${STORE === 'pg' ? 'PostgreSQL' : 'SQLite'} (${new Date().toISOString().slice(0, 10)})

Machine: ${m.nproc} × ${m.cpu}, ${m.memory}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine may be shared). ${names}.
\`npm run bench:webhooks --${STORE === 'pg' ? ' --store pg' : ''} --rate ${RATE} --seconds ${SECONDS} --rounds ${ROUNDS} --throughput-seconds ${THROUGHPUT_SECONDS}\`:
${STORE === 'pg' ? 'two callgate instances on one PostgreSQL database, the writes through one started with `WEBHOOKS=false`, the deliveries from the other' : 'one callgate instance on a SQLite file, taking the writes and delivering'} (${fmt(CALLS)} seeded calls);
one healthy endpoint: a receiver in the bench process that verifies every signature (standardwebhooks) and answers 204.
CPU per write is the callgate processes' together. Took ${minutes.toFixed(1)} minutes.

## Delivery at ${RATE} writes/s

| writes | delivered | duplicates | lag p50 | lag p99 | lag max | events/s | server CPU per write |
| --- | --- | --- | --- | --- | --- | --- | --- |
| ${fmt(lag.writes)} | ${fmt(lag.delivered)} | ${lag.duplicates} | ${lag.p50.toFixed(1)} ms | ${lag.p99.toFixed(1)} ms | ${lag.max.toFixed(1)} ms | ${fmt(lag.eventsPerSecond)} | ${fmt(lag.serverCpuPerWrite)} µs |

Lag: from the write's response to the receipt of its event, both in this process.

## Write throughput without and with an endpoint

REST PUT, closed loop, 10 connections, ${THROUGHPUT_SECONDS} s per phase, alternating.

| phase | writes/s per round | median | p99 | events/s delivered meanwhile | server CPU per write |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

**With an endpoint: ${(ratio * 100).toFixed(1)}% of the write rate without one** (target: at least 90%).
`;
}

await main();
