/**
 * Live updates under load (issue 19): 1,000 open `callChanges` subscriptions,
 * half over GraphQL over SSE and half over graphql-ws, on one callgate
 * instance, while REST PUTs change calls through another instance
 * (PostgreSQL, both on one database) or the same one (SQLite).
 *
 * The subscribers are what a call centre's frontends open: 980 agents, each
 * watching its 5 calls (`callIds`, 4,900 calls in all, each watched by one
 * agent), and 20 supervisors' dashboards watching every inbound call
 * (`filter: {direction: INBOUND}`, about half the calls). Every subscriber
 * selects the call after the change (id, version, its custom fields), the
 * changes, the actor, the channel and the time. Each is its own connection,
 * as a browser tab would be.
 *
 * It measures, in one run:
 *   1. memory per open subscription: the subscribers' instance's resident set
 *      and V8 heap in use (its /metrics), idle, before and after opening them;
 *   2. delivery latency: 100 writes per second for --seconds, each to a
 *      random seeded call, each setting "Agent" to a value unique to that
 *      write; every subscriber's event is matched to its write, and the
 *      latency is the event's arrival minus the write's response (both taken
 *      in this process; an event that arrives before the response counts 0).
 *      Every expected event must arrive exactly once, or the run fails;
 *   3. the write cost: REST PUT throughput (autocannon, closed loop, 10
 *      connections, --throughput-seconds each) in three phases per round,
 *      for --rounds rounds: alone (every subscriber closed), connected (the
 *      1,000 open, the writes only to calls no subscriber watches or sees:
 *      the cost of being subscribed) and receiving (the writes to every
 *      seeded call, so each write is an event for its agent and, if inbound,
 *      for the 20 dashboards); the ratios of the medians to alone, and the
 *      CPU per write of the subscribers' instance in each phase.
 *
 * The clients run in this process, on the same 2 cores as the servers: the
 * figures include their cost, which production's browsers would not add.
 *
 *   npm run bench:live -- [--store sqlite|pg] [--subscribers 1000] [--rate 100] [--seconds 30] [--rounds 3]
 *                          [--throughput-seconds 10] [--profile] [--out FILE]
 *
 * PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test (a temporary schema).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { AGENT_FIELD, putAgent } from './agent-put.js';
import { machine, versions } from './machine.js';
import { BenchPostgres, DEFAULT_PG_URL } from './postgres.js';
import { readProfile } from './profile.js';
import { checkRun, cpuMicros, killAll, LoadGenerator, ROOT, startServer, type BenchDatabase, type RunningServer } from './processes.js';
import { median } from './report.js';
import { seedData, seedDatabase } from './seed.js';
import { SEED_FIELDS, type Manifest } from './workload.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    'throughput-seconds': { type: 'string', default: '10' },
    out: { type: 'string' },
    /** Writes a V8 CPU profile of the subscribers' instance to bench/.work/live/ (read it with bench/profile.ts). */
    profile: { type: 'boolean', default: false },
  },
});
const STORE = args.store === 'pg' ? 'pg' : 'sqlite';
const SUBSCRIBERS = Number(args.subscribers);
const DASHBOARDS = Math.max(1, Math.round(SUBSCRIBERS / 50));
const AGENTS = SUBSCRIBERS - DASHBOARDS;
const CALLS_PER_AGENT = 5;
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const THROUGHPUT_SECONDS = Number(args['throughput-seconds']);
const CALLS = 10_000;
const OUT = args.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-live-updates-${STORE}.md`;
const WORK = join(ROOT, 'bench/.work/live');

const SUBSCRIPTION = /* GraphQL */ `
  subscription Live($callIds: [ID!], $filter: CallFilter) {
    callChanges(callIds: $callIds, filter: $filter) {
      cursor
      call { id version customFields { name value } }
      changes { field { id name } oldValue newValue }
      actor { username }
      channel
      at
    }
  }`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface ChangeEvent {
  cursor: string;
  changes: { newValue: string | null }[];
}

/** One open subscription: it reports every event's arrival, and how it ended if the server ended it. */
interface Subscriber {
  transport: 'sse' | 'ws';
  close(): void;
  /** Set when the server ended the stream or sent an error (the run then fails). */
  ended: string | null;
}

type OnEvent = (event: ChangeEvent, arrivedAt: number) => void;

/** GraphQL over SSE as a fetch-based browser client speaks it: a POST answered by a text/event-stream, one connection per subscription. */
function openSse(url: URL, token: string, variables: Record<string, unknown>, onEvent: OnEvent): Promise<Subscriber> {
  return new Promise((ready, fail) => {
    const subscriber: Subscriber = { transport: 'sse', ended: null, close: () => request.destroy() };
    const body = JSON.stringify({ query: SUBSCRIPTION, variables });
    const request = http.request(
      { host: url.hostname, port: url.port, path: '/graphql', method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) return fail(new Error(`SSE subscription answered ${response.statusCode}`));
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const arrivedAt = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(':')) continue; // keep-alive ping
            const event = /^event: ?(.*)$/m.exec(block)?.[1];
            const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
            if (event === 'complete') subscriber.ended ??= 'complete';
            else if (data) {
              const payload = JSON.parse(data) as { data?: { callChanges: ChangeEvent }; errors?: { message: string }[] };
              if (payload.errors) subscriber.ended ??= payload.errors[0]!.message;
              else onEvent(payload.data!.callChanges, arrivedAt);
            }
          }
        });
        response.on('end', () => (subscriber.ended ??= 'stream ended'));
        response.on('error', () => {});
        ready(subscriber);
      },
    );
    request.on('error', (error) => (subscriber.ended ? undefined : fail(error)));
    request.end(body);
  });
}

/** graphql-ws on its own WebSocket, credentials in connection_init, as a browser tab would open it. */
function openWs(url: URL, token: string, variables: Record<string, unknown>, onEvent: OnEvent): Promise<Subscriber> {
  return new Promise((ready, fail) => {
    const client: Client = createClient({
      url: `ws://${url.host}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { Authorization: `Bearer ${token}` },
      on: { connected: () => ready(subscriber), error: (error) => fail(error instanceof Error ? error : new Error(String(error))) },
    });
    const subscriber: Subscriber = { transport: 'ws', ended: null, close: () => void client.dispose() };
    client.subscribe<{ callChanges: ChangeEvent }>(
      { query: SUBSCRIPTION, variables },
      {
        next: (payload) => {
          const arrivedAt = performance.now();
          if (payload.errors) subscriber.ended ??= payload.errors[0]!.message;
          else onEvent(payload.data!.callChanges, arrivedAt);
        },
        error: (error) => (subscriber.ended ??= error instanceof Error ? error.message : JSON.stringify(error)),
        complete: () => (subscriber.ended ??= 'complete'),
      },
    );
  });
}

/** The subscribers of one round: which calls each watches, and the events each received, by write key. */
class Audience {
  readonly subscribers: Subscriber[] = [];
  /** Per subscriber: write key -> arrival time. */
  readonly arrivals: Map<string, number>[] = [];
  duplicates = 0;
  events = 0;

  constructor(
    private readonly manifest: Manifest,
    private readonly inbound: Set<string>,
  ) {}

  /** Agent i watches calls [5i, 5i+5) of the seed; dashboards watch every inbound call. Even subscribers use WebSocket, odd ones SSE. */
  async open(url: string, count = SUBSCRIBERS): Promise<void> {
    const base = new URL(url);
    const opening: Promise<Subscriber>[] = [];
    for (let i = 0; i < count; i++) {
      const arrivals = new Map<string, number>();
      this.arrivals.push(arrivals);
      const variables = i < AGENTS ? { callIds: this.manifest.callIds.slice(i * CALLS_PER_AGENT, (i + 1) * CALLS_PER_AGENT) } : { filter: { direction: 'INBOUND' } };
      const onEvent: OnEvent = (event, arrivedAt) => {
        this.events++;
        for (const change of event.changes) {
          if (!change.newValue?.startsWith('live:')) continue;
          if (arrivals.has(change.newValue)) this.duplicates++;
          else arrivals.set(change.newValue, arrivedAt);
        }
      };
      opening.push((i % 2 === 0 ? openWs : openSse)(base, this.manifest.viewerToken, variables, onEvent));
      // a browser fleet does not connect in one instant either; this keeps the accept queue from overflowing
      if (i % 50 === 49) await Promise.all(opening.slice(-50));
    }
    this.subscribers.push(...(await Promise.all(opening)));
  }

  /** Who should receive a write to `callId`: its agent (if any) and, for an inbound call, every dashboard. */
  watchers(callId: string, index: Map<string, number>): number[] {
    const position = index.get(callId)!;
    const who: number[] = [];
    if (position < AGENTS * CALLS_PER_AGENT) who.push(Math.floor(position / CALLS_PER_AGENT));
    if (this.inbound.has(callId)) for (let d = AGENTS; d < SUBSCRIBERS; d++) who.push(d);
    return who;
  }

  ended(): string[] {
    return this.subscribers.flatMap((s, i) => (s.ended ? [`subscriber ${i} (${s.transport}): ${s.ended}`] : []));
  }

  close(): void {
    for (const s of this.subscribers) s.close();
  }
}


/** VmRSS of a process, in bytes. */
function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

async function heapUsedBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^callgate_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
}

/** The instance's memory once it has settled: the lowest of a few samples a second apart (the heap between collections only grows). */
async function settledMemory(server: RunningServer): Promise<{ rss: number; heap: number }> {
  let rss = Infinity;
  let heap = Infinity;
  for (let i = 0; i < 5; i++) {
    await sleep(1000);
    rss = Math.min(rss, rssBytes(server.pid));
    heap = Math.min(heap, await heapUsedBytes(server.url));
  }
  return { rss, heap };
}

interface LatencyFigures {
  writes: number;
  expected: number;
  delivered: number;
  early: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  writeP50: number;
  writeP99: number;
  eventsPerSecond: number;
}

async function measureLatency(audience: Audience, writeUrl: string, manifest: Manifest, index: Map<string, number>, tag: string): Promise<LatencyFigures> {
  const target = new URL(writeUrl);
  const total = RATE * SECONDS;
  const responses = new Map<string, { at: number; callId: string }>();
  const writeTimes: number[] = [];
  const pending: Promise<void>[] = [];
  let pick = 12345;
  const random = () => ((pick = (pick * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const started = performance.now();
  const eventsBefore = audience.events;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const callId = manifest.callIds[Math.floor(random() * manifest.callIds.length)]!;
    const key = `live:${tag}:${i}`;
    const sent = performance.now();
    pending.push(
      putAgent(target, manifest.editorToken, callId, key).then((at) => {
        responses.set(key, { at, callId });
        writeTimes.push(at - sent);
      }),
    );
  }
  await Promise.all(pending);
  const writing = (performance.now() - started) / 1000;
  // every event due should be in by now; wait for stragglers up to 10 s
  const expected = [...responses].reduce((sum, [, r]) => sum + audience.watchers(r.callId, index).length, 0);
  const deliveredNow = () => [...responses].reduce((sum, [key, r]) => sum + audience.watchers(r.callId, index).filter((s) => audience.arrivals[s]!.has(key)).length, 0);
  for (let waited = 0; waited < 10_000 && deliveredNow() < expected; waited += 250) await sleep(250);
  const latencies: number[] = [];
  let early = 0;
  for (const [key, r] of responses) {
    for (const s of audience.watchers(r.callId, index)) {
      const arrived = audience.arrivals[s]!.get(key);
      if (arrived === undefined) continue;
      if (arrived < r.at) early++;
      latencies.push(Math.max(0, arrived - r.at));
    }
  }
  latencies.sort((a, b) => a - b);
  writeTimes.sort((a, b) => a - b);
  return {
    writes: responses.size,
    expected,
    delivered: latencies.length,
    early,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    writeP50: percentile(writeTimes, 50),
    writeP99: percentile(writeTimes, 99),
    eventsPerSecond: (audience.events - eventsBefore) / writing,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const manifestPath = join(WORK, 'manifest.json');
  log(`bench:live on ${STORE === 'pg' ? 'PostgreSQL' : 'SQLite'}: ${SUBSCRIBERS} subscribers (${AGENTS} agents, ${DASHBOARDS} dashboards), ${RATE} writes/s for ${SECONDS} s`);

  const data = seedData({ calls: CALLS });
  const manifest = data.manifest;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const inbound = new Set(data.calls.filter((c) => c.direction === 'inbound').map((c) => c.callId));
  const index = new Map(manifest.callIds.map((id, i) => [id, i]));

  let postgres: BenchPostgres | null = null;
  let database: BenchDatabase;
  if (STORE === 'pg') {
    postgres = await BenchPostgres.open(process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_PG_URL);
    await postgres.seedTemplate(data);
    const copy = await postgres.copy();
    database = { store: 'pg', url: copy.url, poolSize: 10 };
  } else {
    // the calls come from a fixed seed, so they are the ones above; the tokens are the file's own
    const seeded = seedDatabase(join(WORK, 'live.sqlite'), { calls: CALLS });
    if (seeded.callIds.join() !== manifest.callIds.join()) throw new Error('the SQLite seed made other calls than seedData');
    Object.assign(manifest, { editorToken: seeded.editorToken, viewerToken: seeded.viewerToken });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    database = { store: 'sqlite', path: join(WORK, 'live.sqlite') };
  }
  // The bench's one viewer holds every subscription; the per-user limit guards a real user's browser tabs, not this.
  process.env.SUBSCRIPTIONS_MAX_PER_USER = String(SUBSCRIBERS * 2);
  const load = new LoadGenerator();
  try {
    const subscriberServer = await startServer(
      { kind: 'callgate', label: 'subscribers' },
      { database, logPath: join(WORK, 'subscribers.log'), nodeFlags: args.profile ? ['--cpu-prof', '--cpu-prof-dir', WORK] : [] },
    );
    const writeServer =
      STORE === 'pg' ? await startServer({ kind: 'callgate', label: 'writes' }, { database, logPath: join(WORK, 'writes.log') }) : subscriberServer;
    log(`  subscribers on ${subscriberServer.url}, writes to ${writeServer.url}`);

    // 1. memory
    await putAgent(new URL(writeServer.url), manifest.editorToken, manifest.callIds[0]!, 'warm-up'); // the write path and the feed are warm
    const before = await settledMemory(subscriberServer);
    const audience = new Audience(manifest, inbound);
    const openStarted = performance.now();
    await audience.open(subscriberServer.url);
    const openSeconds = (performance.now() - openStarted) / 1000;
    const after = await settledMemory(subscriberServer);
    log(`  ${SUBSCRIBERS} subscriptions open in ${openSeconds.toFixed(1)} s; RSS +${fmt((after.rss - before.rss) / SUBSCRIBERS / 1024, 1)} KiB and heap +${fmt((after.heap - before.heap) / SUBSCRIBERS / 1024, 1)} KiB per subscription`);

    // 2. latency
    const latency = await measureLatency(audience, writeServer.url, manifest, index, 'latency');
    const endedEarly = audience.ended();
    if (latency.delivered !== latency.expected || audience.duplicates > 0 || endedEarly.length > 0) {
      throw new Error(
        `delivery incomplete: ${latency.delivered} of ${latency.expected} events, ${audience.duplicates} duplicates; ${endedEarly.length} streams ended: ${endedEarly.slice(0, 3).join('; ')}`,
      );
    }
    log(`  latency: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms over ${fmt(latency.delivered)} events (${fmt(latency.eventsPerSecond)} events/s)`);
    audience.close();
    await sleep(2000);

    // 3. write throughput: alone, with the subscribers connected but none concerned, with them receiving; alternating
    const unwatchedPath = join(WORK, 'manifest-unwatched.json');
    const unwatched = manifest.callIds.filter((id) => audience.watchers(id, index).length === 0);
    writeFileSync(unwatchedPath, JSON.stringify({ ...manifest, callIds: unwatched }));
    const windows: { label: string; fromUs: number; toUs: number }[] = [];
    const throughput: Throughput = { alone: [], connected: [], receiving: [] };
    const measure = async (phase: keyof Throughput, round: number, path: string, audience: Audience | null) => {
      const eventsBefore = audience?.events ?? 0;
      let cpuBefore = 0;
      const job = { url: writeServer.url, op: 'rest-put' as const, manifestPath: path, connections: 10, warmupSeconds: 2, durationSeconds: THROUGHPUT_SECONDS };
      const result = await load.run(job, () => {
        windows.push({ label: `round ${round} ${phase}`, fromUs: nowUs(), toUs: 0 });
        cpuBefore = cpuMicros(subscriberServer.pid) + (writeServer === subscriberServer ? 0 : cpuMicros(writeServer.pid));
      });
      windows.at(-1)!.toUs = nowUs();
      const cpu = cpuMicros(subscriberServer.pid) + (writeServer === subscriberServer ? 0 : cpuMicros(writeServer.pid)) - cpuBefore;
      checkRun(result, `REST PUT, ${phase}`, writeServer);
      const ended = audience?.ended() ?? [];
      if (ended.length > 0) log(`  ${ended.length} streams ended by the server, e.g. ${ended[0]}`);
      const figures: PhaseFigures = {
        writesPerSecond: result.reqPerSec,
        p99: result.p99,
        eventsPerSecond: ((audience?.events ?? 0) - eventsBefore) / result.seconds,
        serverCpuPerWrite: cpu / result.requests,
        ended: ended.length,
      };
      throughput[phase].push(figures);
      return figures;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const alone = await measure('alone', round, manifestPath, null);
      const watching = new Audience(manifest, inbound);
      await watching.open(subscriberServer.url);
      const connected = await measure('connected', round, unwatchedPath, watching);
      const receiving = await measure('receiving', round, manifestPath, watching);
      watching.close();
      await sleep(2000);
      log(
        `  round ${round}: ${fmt(alone.writesPerSecond)} writes/s alone, ${fmt(connected.writesPerSecond)} with ${SUBSCRIBERS} subscribers connected, ` +
          `${fmt(receiving.writesPerSecond)} with them receiving (${fmt(receiving.eventsPerSecond)} events/s)`,
      );
    }
    const report = markdown({
      latency,
      memory: { before, after },
      openSeconds,
      throughput,
      unwatched: unwatched.length,
      eventsPerWrite: manifest.callIds.reduce((sum, id) => sum + audience.watchers(id, index).length, 0) / manifest.callIds.length,
      minutes: (Date.now() - started) / 60_000,
      database: postgres ? await postgres.settings().then((s) => ({ PostgreSQL: s.server_version, synchronous_commit: s.synchronous_commit })) : undefined,
    });
    writeFileSync(resolve(ROOT, OUT), report);
    log(`  report: ${OUT}`);
    process.stdout.write(report);
    await writeServer.stop();
    await subscriberServer.stop(); // a clean exit writes the CPU profile
    if (args.profile) printProfiles(windows);
  } finally {
    load.close();
    killAll();
    await postgres?.dropAll();
    await postgres?.close();
  }
}

/** The profile clock: CLOCK_MONOTONIC in µs, as V8's profiler and process.hrtime use it on Linux. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function printProfiles(windows: { label: string; fromUs: number; toUs: number }[]): void {
  const file = readdirSync(WORK).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    log("  no CPU profile was written");
    return;
  }
  for (const window of windows) {
    const b = readProfile(join(WORK, file), window);
    log(`\n${window.label}: busy ${(b.busyUs / 1e6).toFixed(2)} s of ${(b.windowUs / 1e6).toFixed(2)} s`);
    const top = [...b.byFunction].sort((x, y) => y[1] - x[1]).slice(0, 25);
    for (const [name, us] of top) log(`  ${((us / b.busyUs) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}

interface PhaseFigures {
  writesPerSecond: number;
  p99: number;
  eventsPerSecond: number;
  /** Both instances' CPU time per write, µs. */
  serverCpuPerWrite: number;
  /** Streams the server ended during the phase (slow consumers). */
  ended: number;
}

/** Per phase, one entry per round. */
interface Throughput {
  alone: PhaseFigures[];
  connected: PhaseFigures[];
  receiving: PhaseFigures[];
}

interface ReportInput {
  latency: LatencyFigures;
  memory: { before: { rss: number; heap: number }; after: { rss: number; heap: number } };
  openSeconds: number;
  throughput: Throughput;
  unwatched: number;
  eventsPerWrite: number;
  minutes: number;
  database: Record<string, string> | undefined;
}

const ratio = (a: PhaseFigures[], b: PhaseFigures[]) => median(a.map((f) => f.writesPerSecond)) / median(b.map((f) => f.writesPerSecond));

function markdown(r: ReportInput): string {
  const m = machine();
  const perSub = (bytes: number) => `${fmt(bytes / SUBSCRIBERS / 1024, 1)} KiB`;
  const l = r.latency;
  const pass = (ok: boolean) => (ok ? 'met' : '**missed**');
  const setup =
    STORE === 'pg'
      ? 'PostgreSQL: subscribers on instance A, REST writes through instance B, both `callgate serve` on one database (a fresh schema); events reach A through `NOTIFY` and its read of the log.'
      : 'SQLite: subscribers and REST writes on the same `callgate serve` instance (the default embedded store, `synchronous=FULL`).';
  return `# Live updates under load, ${STORE === 'pg' ? 'PostgreSQL' : 'SQLite'} (${new Date().toISOString().slice(0, 10)})

\`npm run bench:live -- --store ${STORE}\` (bench/live-updates.ts), ${fmt(r.minutes, 1)} minutes. ${setup}

- Machine: ${m.nproc} × ${m.cpu}, ${m.memory}, load average at the end ${loadavg().map((n) => n.toFixed(2)).join(' ')}. ${Object.entries(versions(r.database))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
- ${fmt(CALLS)} seeded calls. ${fmt(SUBSCRIBERS)} subscriptions, each its own connection, even ones graphql-ws over WebSocket, odd ones GraphQL over SSE:
  ${fmt(AGENTS)} agents each watching its ${CALLS_PER_AGENT} calls (\`callIds\`), ${fmt(DASHBOARDS)} dashboards watching every inbound call (\`filter: {direction: INBOUND}\`).
  Each selects \`cursor call { id version customFields { name value } } changes { field { id name } oldValue newValue } actor { username } channel at\`.
- The clients (subscribers, the latency writer and autocannon) run on the same 2 cores as the servers, so every figure includes their cost.

## Delivery latency at ${RATE} writes/s

${fmt(l.writes)} REST PUTs over ${SECONDS} s, each to a random seeded call, each setting "Agent" to a value unique to that write. An event's latency is its arrival at the subscriber minus the write's response, both clocked in the client process; ${fmt(l.early)} events arrived before their write's response and count 0.

| | figure | target |
|---|---|---|
| events expected / delivered (each exactly once) | ${fmt(l.expected)} / ${fmt(l.delivered)} | all |
| events per second to the subscribers | ${fmt(l.eventsPerSecond)} | |
| latency p50 | ${l.p50.toFixed(1)} ms | |
| latency p90 | ${l.p90.toFixed(1)} ms | |
| latency p99 | ${l.p99.toFixed(1)} ms | < 250 ms: ${pass(l.p99 < 250)} |
| latency max | ${l.max.toFixed(1)} ms | |
| the writes' own response time p50 / p99 | ${l.writeP50.toFixed(1)} / ${l.writeP99.toFixed(1)} ms | |

## Memory per open subscription

The subscribers' instance, idle, lowest of 5 samples a second apart, before and after opening them (${fmt(r.openSeconds, 1)} s to open all ${fmt(SUBSCRIBERS)}):

| | before | after | per subscription |
|---|---|---|---|
| resident set | ${fmt(r.memory.before.rss / 2 ** 20, 1)} MiB | ${fmt(r.memory.after.rss / 2 ** 20, 1)} MiB | ${perSub(r.memory.after.rss - r.memory.before.rss)} |
| V8 heap in use | ${fmt(r.memory.before.heap / 2 ** 20, 1)} MiB | ${fmt(r.memory.after.heap / 2 ** 20, 1)} MiB | ${perSub(r.memory.after.heap - r.memory.before.heap)} |

## Write throughput with ${fmt(SUBSCRIBERS)} subscribers

REST PUT (three edits to a random call, the main benchmark's request), autocannon with 10 connections, closed loop (as many writes as the ${STORE === 'pg' ? 'instances' : 'instance'} can take), ${THROUGHPUT_SECONDS} s after 2 s of warm-up${STORE === 'pg' ? ', through instance B' : ''}. Three phases per round, in this order:

- **alone**: no subscriber open;
- **connected**: the ${fmt(SUBSCRIBERS)} subscriptions open, the writes going to calls none of them is concerned with (${fmt(r.unwatched)} calls no agent watches and no dashboard's filter matches): what holding the subscriptions costs the writes;
- **receiving**: the same subscriptions, the writes going to every seeded call, so each write becomes about ${fmt(r.eventsPerWrite, 1)} events: what delivering them costs.

| round | alone, writes/s | connected, writes/s | receiving, writes/s | events/s delivered | CPU per write (both instances) alone / connected / receiving | streams ended by the server |
|---|---|---|---|---|---|---|
${r.throughput.alone
  .map((a, i) => {
    const c = r.throughput.connected[i]!;
    const v = r.throughput.receiving[i]!;
    return `| ${i + 1} | ${fmt(a.writesPerSecond)} | ${fmt(c.writesPerSecond)} | ${fmt(v.writesPerSecond)} | ${fmt(v.eventsPerSecond)} | ${fmt(a.serverCpuPerWrite)} / ${fmt(c.serverCpuPerWrite)} / ${fmt(v.serverCpuPerWrite)} µs | ${c.ended + v.ended} |`;
  })
  .join('\n')}

Medians: connected / alone **${(ratio(r.throughput.connected, r.throughput.alone) * 100).toFixed(1)}%** (target ≥ 90%: ${pass(ratio(r.throughput.connected, r.throughput.alone) >= 0.9)}); receiving / alone **${(ratio(r.throughput.receiving, r.throughput.alone) * 100).toFixed(1)}%** (target ≥ 90%: ${pass(ratio(r.throughput.receiving, r.throughput.alone) >= 0.9)}).
`;
}

main().catch((error: unknown) => {
  log(`bench:live failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  killAll();
  process.exit(1);
});
