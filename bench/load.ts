/**
 * The load generator, a separate process forked by bench/run.ts (IPC): for
 * each job it warms the server up, tells the parent (which samples the
 * server's CPU counters), waits for "go", then runs autocannon for the fixed
 * duration and sends back the figures. Every request gets a random call id
 * (and random edits) through setupRequest; every response is checked.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { buildRequest, isExpectedResponse, type LoadOperation, type Manifest } from './workload.js';

export interface LoadJob {
  url: string;
  op: LoadOperation;
  /** A mixed load instead of `op` alone: each request is one of these, picked at random. */
  mix?: LoadOperation[];
  /** Keep this many expected responses of the timed phase, picked at random, with their requests' bodies (for checking their data). */
  sample?: number;
  manifestPath: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  unexpected: number;
  firstUnexpected: string | null;
  /** Responses per operation. */
  byOp: Partial<Record<LoadOperation, number>>;
  /** With `sample`: expected responses picked uniformly from the timed phase. */
  samples: ResponseSample[];
}

export interface ResponseSample {
  op: LoadOperation;
  /** The request's body as sent. */
  request: string;
  body: string;
}

export type ParentMessage = { type: 'run'; job: LoadJob } | { type: 'go' } | { type: 'exit' };
export type ChildMessage = { type: 'warm' } | { type: 'result'; result: LoadResult } | { type: 'failed'; message: string };

const manifests = new Map<string, Manifest>();
const manifestAt = (path: string) => {
  let m = manifests.get(path);
  if (!m) manifests.set(path, (m = JSON.parse(readFileSync(path, 'utf8')) as Manifest));
  return m;
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function fire(job: LoadJob, seconds: number, sample = 0): Promise<LoadResult> {
  const manifest = manifestAt(job.manifestPath);
  let unexpected = 0;
  let firstUnexpected: string | null = null;
  const ops = job.mix ?? [job.op];
  const byOp: Partial<Record<LoadOperation, number>> = {};
  // reservoir sampling over the expected responses
  const samples: ResponseSample[] = [];
  let expected = 0;
  // autocannon's own histogram rounds to whole milliseconds; keep every 2xx latency at full precision instead.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: seconds,
        // ends the run within 50 ms of `duration` (autocannon stops on a sample tick)
        sampleInt: 50,
        requests: [
          {
            // A connection sends one request at a time, so its context holds the operation of the response to come.
            setupRequest: (request: autocannon.Request, context: { op?: LoadOperation; body?: string }) => {
              const op = ops[Math.floor(Math.random() * ops.length)]!;
              context.op = op;
              const built = buildRequest(op, manifest, Math.random);
              if (sample > 0) context.body = built.body;
              return Object.assign(request, built);
            },
            onResponse: (status: number, body: string, context: { op?: LoadOperation; body?: string }) => {
              const op = context.op!;
              byOp[op] = (byOp[op] ?? 0) + 1;
              if (isExpectedResponse(op, status, body)) {
                if (sample > 0) {
                  const slot = expected < sample ? expected : Math.floor(Math.random() * (expected + 1));
                  if (slot < sample) samples[slot] = { op, request: context.body ?? '', body };
                  expected++;
                }
                return;
              }
              unexpected++;
              firstUnexpected ??= `${op}: ${status} ${String(body).slice(0, 500)}`;
            },
          },
        ],
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    reqPerSec: result.requests.total / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    unexpected,
    firstUnexpected,
    byOp,
    samples,
  };
}

const send = (message: ChildMessage) => process.send!(message);
let go: (() => void) | undefined;

process.on('message', (message: ParentMessage) => {
  if (message.type === 'exit') process.exit(0);
  if (message.type === 'go') return go?.();
  const { job } = message;
  void (async () => {
    try {
      if (job.warmupSeconds > 0) await fire(job, job.warmupSeconds);
      await new Promise<void>((resolve) => {
        go = resolve;
        send({ type: 'warm' });
      });
      send({ type: 'result', result: await fire(job, job.durationSeconds, job.sample) });
    } catch (error) {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
