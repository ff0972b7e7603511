import pino, { type DestinationStream, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';
import type { RequestLogEntry } from './request-log.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How long a log line may wait for others to be written with, and how much may gather. */
export const LOG_BATCH_MS = 100;
export const LOG_BATCH_BYTES = 16 * 1024;

/** A pino line at level warn (40) or above, with pino's numeric levels. */
const WARNING_OR_WORSE = /^\{"level":(?:[4-9]\d|\d{3,})[,}]/;

/**
 * A pino destination that writes lines in batches: together when 16 KiB have
 * gathered or 100 ms after the first of them, and at once on flush or exit.
 * A warning or error goes out at once, after the lines logged before it.
 * Under load this is one write(2) per batch instead of one per line through
 * libuv's thread pool, which cost about 6 µs of a REST read's 115.
 */
export class BatchedLines implements DestinationStream {
  private lines: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `out` writes a batch synchronously (a sync SonicBoom retries EAGAIN and partial writes). */
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly maxSize = LOG_BATCH_BYTES,
    private readonly maxDelayMs = LOG_BATCH_MS,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.maxSize || WARNING_OR_WORSE.test(line)) this.flushSync();
    else this.timer ??= setTimeout(this.flushSync, this.maxDelayMs).unref();
  }

  readonly flushSync = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.size = 0;
    this.out.write(text);
  };

  /** pino's `logger.flush(cb)`. */
  flush(done?: (error?: Error) => void): void {
    this.flushSync();
    done?.();
  }
}

let stderr: BatchedLines | undefined;

/** The process's one batched stderr: every logger writing there shares it, and its last lines are written on exit. */
function batchedStderr(): BatchedLines {
  if (!stderr) {
    const lines = (stderr = new BatchedLines(pino.destination({ dest: 2, sync: true })));
    process.once('exit', lines.flushSync);
  }
  return stderr;
}

/**
 * Structured JSON logs on stderr (stdout stays free for the CLI's machine-readable
 * output), written in batches so a request never waits on a write(2) of its own.
 */
export function createLogger(level: LogLevel, destination: DestinationStream = batchedStderr()): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

const {
  chindingsSym,
  endSym,
  formattersSym,
  hooksSym,
  lsCacheSym,
  messageKeySym,
  mixinSym,
  msgPrefixSym,
  needsMetadataGsym,
  nestedKeySym,
  serializersSym,
  streamSym,
  stringifiersSym,
  timeSym,
  wildcardFirstSym,
} = pino.symbols as typeof pino.symbols & { msgPrefixSym: symbol }; // msgPrefixSym is missing from pino's types

const ENTRY_KEYS: readonly (keyof RequestLogEntry)[] = ['reqId', 'method', 'route', 'status', 'durationMs', 'user'];

/** True when `logger.info(entry, 'request')` is nothing but pino's plain framing around the entry's JSON. */
function writesPlainLines(logger: Logger): boolean {
  const own = logger as unknown as Record<symbol, unknown>;
  const formatters = own[formattersSym] as { log?: unknown };
  const hooks = own[hooksSym] as { streamWrite?: unknown };
  const stringifiers = own[stringifiersSym] as Record<string | symbol, unknown>;
  const serializers = own[serializersSym] as Record<string, unknown>;
  const stream = own[streamSym] as Record<symbol, unknown>;
  return (
    !own[mixinSym] &&
    !formatters.log &&
    !hooks.streamWrite &&
    !own[msgPrefixSym] &&
    !own[nestedKeySym] &&
    own[messageKeySym] === 'msg' &&
    Object.keys(stringifiers).length === 0 &&
    !stringifiers[wildcardFirstSym] &&
    ENTRY_KEYS.every((key) => !serializers[key]) &&
    stream[needsMetadataGsym] !== true
  );
}

const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

/**
 * The one line per request, as `logger.info(entry, 'request')` writes it
 * (pino's level, time and bindings, then the entry's keys, then the message),
 * built directly: pino's general serializer cost about 5 µs of a REST read.
 * A logger with settings the line would have to honour (a mixin, formatters,
 * redaction, serializers of these keys, ...) gets `logger.info` itself.
 */
export function requestLogWriter(logger: Logger): (entry: RequestLogEntry) => void {
  if (!writesPlainLines(logger)) return (entry) => logger.info(entry, 'request');
  const own = logger as unknown as Record<symbol, unknown>;
  const time = own[timeSym] as () => string;
  const end = own[endSym] as string;
  const stream = own[streamSym] as DestinationStream;
  return (entry) => {
    if (!logger.isLevelEnabled('info')) return;
    // Read per line: a child logger's bindings and the level prefix are the logger's current ones.
    const head = (own[lsCacheSym] as Record<number, string>)[logger.levels.values.info!]! + time() + (own[chindingsSym] as string);
    stream.write(
      `${head},"reqId":${text(entry.reqId)},"method":${text(entry.method)},"route":${text(entry.route)},"status":${entry.status},` +
        `"durationMs":${Number.isFinite(entry.durationMs) ? entry.durationMs : null},"user":${text(entry.user)},"msg":"request"${end}`,
    );
  };
}

/** yoga's logger interface over pino: errors keep their stack under `err`. */
export function yogaLogger(logger: Logger): YogaLogger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    if (first instanceof Error) logger[level]({ err: first }, first.message);
    else if (typeof first === 'string') logger[level](rest.length ? { data: rest } : {}, first);
    else logger[level]({ data: args }, 'yoga');
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
