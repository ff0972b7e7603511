/**
 * Child processes of the benchmark: the servers under test and the load
 * generator. Every child is tracked and killed when the runner exits, fails
 * or is interrupted, so no server is left behind.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildMessage, LoadJob, LoadResult, ParentMessage } from './load.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
    killAll();
    process.exit(130);
  });
}

/** `postgraphile`: the peer of `--peer postgraphile` (bench/peer-postgraphile.js, on plain node), PostgreSQL only. */
export type ServerKind = 'floor' | 'callgate' | 'postgraphile';
/** SQLite's `synchronous` pragma, or PostgreSQL's `synchronous_commit`. */
export type Synchronous = 'FULL' | 'NORMAL' | 'on' | 'off';

export interface ServerSpec {
  kind: ServerKind;
  /** What the floor sets; callgate runs with its defaults. Unset: the floor keeps the server's setting (PostgreSQL). */
  synchronous?: Synchronous;
  label: string;
  /** callgate only: the checkout whose bin/callgate.js runs (another commit's, for --baseline); this tree by default. */
  root?: string;
  /** callgate only: the /graphql fast path switched on or off from bench land (bench/fast-path-switch.js); untouched by default. */
  fastPath?: 'on' | 'off';
  /** callgate only: the change log switched on or off from bench land (bench/change-log-switch.js); untouched by default. */
  changeLog?: 'on' | 'off';
}

const FAST_PATH_MARKER = 'bench fast-path-switch:';
const CHANGE_LOG_MARKER = 'bench change-log-switch:';

/** The database a server runs on: a SQLite file, or a PostgreSQL URL selecting one schema (`?schema=`). */
export type BenchDatabase = { store: 'sqlite'; path: string } | { store: 'pg'; url: string; poolSize: number };

export interface RunningServer {
  spec: ServerSpec;
  pid: number;
  url: string;
  database: BenchDatabase;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
  logTail(): string;
}

export interface StartOptions {
  database: BenchDatabase;
  logPath: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

/** Starts a server as its own process on 127.0.0.1 and an ephemeral port; resolves once it prints its URL. */
export async function startServer(spec: ServerSpec, options: StartOptions): Promise<RunningServer> {
  const nodeFlags = [...(options.nodeFlags ?? [])];
  const { database } = options;
  const root = spec.root ?? ROOT;
  const listen = ['--port', '0', '--host', '127.0.0.1'];
  const synchronous = spec.synchronous ? ['--synchronous', spec.synchronous] : [];
  let args: string[];
  // callgate's defaults, spelled out; on SQLite it runs with synchronous=FULL.
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'info', NODE_ENV: 'production' };
  delete env.BENCH_GRAPHQL_FAST_PATH;
  delete env.BENCH_CHANGE_LOG;
  if (spec.kind === 'callgate' && spec.fastPath) {
    nodeFlags.push('--import', pathToFileURL(resolve(ROOT, 'bench/fast-path-switch.js')).href);
    env.BENCH_GRAPHQL_FAST_PATH = spec.fastPath;
  }
  if (spec.kind === 'callgate' && spec.changeLog) {
    nodeFlags.push('--import', pathToFileURL(resolve(ROOT, 'bench/change-log-switch.js')).href);
    env.BENCH_CHANGE_LOG = spec.changeLog;
  }
  if (spec.kind === 'postgraphile') {
    if (database.store !== 'pg') throw new Error(`${spec.label}: PostgreSQL only`);
    args = [...nodeFlags, resolve(ROOT, 'bench/peer-postgraphile.js'), '--url', database.url, '--pool-size', String(database.poolSize), ...listen];
  } else if (database.store === 'sqlite') {
    args =
      spec.kind === 'floor'
        ? [...nodeFlags, '--import', 'tsx', resolve(ROOT, 'bench/floor-server.ts'), '--db', database.path, ...listen, ...synchronous]
        : [...nodeFlags, resolve(root, 'bin/callgate.js'), 'serve', ...listen, '--db', database.path];
  } else if (spec.kind === 'floor') {
    const commit = spec.synchronous ? ['--synchronous-commit', spec.synchronous] : [];
    args = [...nodeFlags, '--import', 'tsx', resolve(ROOT, 'bench/floor-server-pg.ts'), '--url', database.url, '--pool-size', String(database.poolSize), ...listen, ...commit];
  } else {
    args = [...nodeFlags, resolve(root, 'bin/callgate.js'), 'serve', ...listen];
    Object.assign(env, { DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(database.poolSize) });
  }
  const log = openSync(options.logPath, 'w');
  const child = track(spawn(process.execPath, args, { cwd: spec.kind === 'callgate' ? root : ROOT, env, stdio: ['ignore', 'pipe', log] }));
  closeSync(log);
  const logTail = () => {
    try {
      return readFileSync(options.logPath, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${spec.label} did not print its URL within 30 s\n${logTail()}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      try {
        const printed = JSON.parse(stdout) as { url: string };
        clearTimeout(timer);
        done(printed.url);
      } catch {
        // not a whole JSON document yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${spec.label} exited with ${code} before listening\n${logTail()}`));
    });
  });
  child.stdout!.resume();
  if (spec.fastPath && !new RegExp(`^${FAST_PATH_MARKER} .* loaded, fast path ${spec.fastPath}$`, 'm').test(logTail())) {
    child.kill('SIGKILL');
    throw new Error(
      `${spec.label}: bench/fast-path-switch.js never saw dist/http/graphql-fast-path.js load, so the fast path was not switched ${spec.fastPath}; ` +
        'if createGraphQLFastPath moved, update FAST_PATH_MODULE in bench/fast-path-hooks.js',
    );
  }
  const storeClass = database.store === 'pg' ? 'PgCallStore' : 'SqliteCallStore';
  if (spec.changeLog && !new RegExp(`^${CHANGE_LOG_MARKER} .* loaded, ${storeClass} change log ${spec.changeLog}$`, 'm').test(logTail())) {
    child.kill('SIGKILL');
    throw new Error(
      `${spec.label}: bench/change-log-switch.js never saw the module of ${storeClass} load, so the change log was not switched ${spec.changeLog}; ` +
        'if the store moved, update STORE_MODULES in bench/change-log-hooks.js',
    );
  }
  return {
    spec,
    pid: child.pid!,
    url,
    database,
    logTail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Throws, with the server's log tail, unless every response of the run was the expected 2xx. */
export function checkRun(result: LoadResult, what: string, server: RunningServer): void {
  const problems = [
    result.requests === 0 && 'no request completed',
    result.non2xx > 0 && `${result.non2xx} non-2xx responses`,
    result.errors > 0 && `${result.errors} connection errors`,
    result.timeouts > 0 && `${result.timeouts} timeouts`,
    result.unexpected > 0 && `${result.unexpected} responses that were not the expected success (first: ${result.firstUnexpected})`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`${what}: the run does not count: ${problems.join('; ')}\n--- ${server.spec.label} log tail ---\n${server.logTail()}`);
  }
}

let clockTicks: number | undefined;

/** User + system CPU time of a process so far, in microseconds (from /proc/<pid>/stat). */
export function cpuMicros(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

/** Peak resident set size so far, in MiB (VmHWM). */
export function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** The load generator process; one job at a time. */
export class LoadGenerator {
  private readonly child: ChildProcess;

  constructor() {
    this.child = track(fork(resolve(ROOT, 'bench/load.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    // a send racing the child's exit is reported by run(), not as an unhandled 'error' event
    this.child.on('error', () => {});
  }

  /** Warms up, awaits `beforeMeasure` (the child idles meanwhile), then measures. */
  run(job: LoadJob, beforeMeasure: () => unknown): Promise<LoadResult> {
    return new Promise((done, fail) => {
      const onExit = (code: number | null) => fail(new Error(`load generator exited with ${code}`));
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'warm') {
          Promise.resolve()
            .then(beforeMeasure)
            .then(
              () => this.send({ type: 'go' }),
              (error: unknown) => {
                this.child.off('message', onMessage);
                this.child.off('exit', onExit);
                fail(error);
              },
            );
          return;
        }
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (message.type === 'result') done(message.result);
        else fail(new Error(`load generator failed: ${message.message}`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.send({ type: 'run', job });
    });
  }

  close(): void {
    if (!this.child.connected) return;
    this.send({ type: 'exit' });
    this.child.disconnect();
  }

  private send(message: ParentMessage): void {
    this.child.send(message);
  }
}
