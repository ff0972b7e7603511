import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino, { type LoggerOptions } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedLines, createLogger, LOG_BATCH_BYTES, LOG_BATCH_MS, requestLogWriter } from '../../src/http/logger.js';
import type { RequestLogEntry } from '../../src/http/request-log.js';

/** A destination that keeps what is written to it, write by write. */
function capture() {
  const writes: string[] = [];
  return { writes, write: (text: string) => void writes.push(text) };
}

const entry = (overrides: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  reqId: '3f1c9a52-7d4e-4b1a-9c2f-8e6d5b4a3c21',
  method: 'GET',
  route: 'GET /api/v2/calls/{call_id}.json',
  status: 200,
  durationMs: 0.731,
  user: 'editor',
  ...overrides,
});

const fixedTime = () => ',"time":"2026-11-27T08:00:00.000Z"';

/** What `logger.info(e, 'request')` writes and what the request log writer writes, for the same logger options. */
function bothLines(options: LoggerOptions, e: RequestLogEntry, child?: Record<string, unknown>) {
  const out = capture();
  const root = pino(options, out);
  const logger = child ? root.child(child) : root;
  logger.info(e, 'request');
  requestLogWriter(logger)(e);
  return out.writes;
}

describe('the request log line', () => {
  it.each([
    ['callgate’s own settings', { base: undefined }],
    ['pino’s defaults (pid, hostname)', {}],
    ['a level formatter', { base: undefined, formatters: { level: (label: string) => ({ severity: label.toUpperCase() }) } }],
  ])('is the line logger.info would write, byte for byte: %s', (_name, options) => {
    const [expected, actual] = bothLines({ ...options, timestamp: fixedTime }, entry());
    expect(actual).toBe(expected);
    expect(JSON.parse(actual!)).toMatchObject({ reqId: entry().reqId, route: entry().route, status: 200, user: 'editor', msg: 'request' });
  });

  it('keeps a child logger’s bindings and escapes what JSON needs escaped', () => {
    const tricky = entry({ user: 'o"brien\\ \n\t ü 👍', route: 'graphql Query_1', durationMs: 12, status: 503 });
    const [expected, actual] = bothLines({ base: undefined, timestamp: fixedTime }, tricky, { instance: 'a"b' });
    expect(actual).toBe(expected);
    expect(JSON.parse(actual!)).toMatchObject({ instance: 'a"b', user: tricky.user });
  });

  it('writes null for a request without a user and the real time with callgate’s logger', () => {
    const out = capture();
    requestLogWriter(createLogger('info', out))(entry({ user: null }));
    const line = JSON.parse(out.writes[0]!);
    expect(line).toEqual({ level: 30, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), ...entry({ user: null }), msg: 'request' });
  });

  it('is not written when the level is above info, and is once the level is lowered', () => {
    const out = capture();
    const logger = createLogger('warn', out);
    const log = requestLogWriter(logger);
    log(entry());
    expect(out.writes).toEqual([]);
    logger.level = 'info';
    log(entry());
    expect(out.writes).toHaveLength(1);
  });

  it.each([
    ['a mixin', { mixin: () => ({ region: 'eu' }) }, { region: 'eu' }],
    ['a log formatter', { formatters: { log: (o: object) => ({ ...o, formatted: true }) } }, { formatted: true }],
    ['redaction', { redact: ['user'] }, { user: '[Redacted]' }],
    ['a serializer of an entry key', { serializers: { route: (r: string) => r.toUpperCase() } }, { route: 'GET /API/V2/CALLS/{CALL_ID}.JSON' }],
  ])('goes through logger.info for a logger with %s', (_name, options, expected) => {
    const [viaInfo, actual] = bothLines({ base: undefined, timestamp: fixedTime, ...options } as LoggerOptions, entry());
    expect(actual).toBe(viaInfo);
    expect(JSON.parse(actual!)).toMatchObject(expected);
  });
});

describe('batched log lines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the lines of a burst together, in order, once the batch delay has passed', () => {
    vi.useFakeTimers();
    const out = capture();
    const lines = new BatchedLines(out);
    lines.write('a\n');
    lines.write('b\n');
    vi.advanceTimersByTime(LOG_BATCH_MS - 1);
    expect(out.writes).toEqual([]);
    lines.write('c\n');
    vi.advanceTimersByTime(1);
    expect(out.writes).toEqual(['a\nb\nc\n']);
    vi.advanceTimersByTime(LOG_BATCH_MS * 5);
    expect(out.writes).toEqual(['a\nb\nc\n']);
    lines.write('d\n');
    vi.advanceTimersByTime(LOG_BATCH_MS);
    expect(out.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes a warning or an error at once, after the lines logged before it', () => {
    vi.useFakeTimers();
    const out = capture();
    const logger = createLogger('info', new BatchedLines(out));
    logger.info('first');
    logger.warn('careful');
    logger.info('after');
    logger.error('broken');
    logger.fatal('gone');
    expect(out.writes.map((batch) => batch.split('\n').filter(Boolean).map((line) => JSON.parse(line).msg))).toEqual([['first', 'careful'], ['after', 'broken'], ['gone']]);
    logger.info('later');
    expect(out.writes).toHaveLength(3);
    vi.advanceTimersByTime(LOG_BATCH_MS);
    expect(out.writes).toHaveLength(4);
  });

  it('writes at once when a batch reaches its size, and flush writes what is waiting', () => {
    vi.useFakeTimers();
    const out = capture();
    const lines = new BatchedLines(out);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < LOG_BATCH_BYTES / line.length; i++) lines.write(line);
    expect(out.writes).toEqual([line.repeat(LOG_BATCH_BYTES / line.length)]);
    lines.write('tail\n');
    const done = vi.fn();
    lines.flush(done);
    expect(out.writes.at(-1)).toBe('tail\n');
    expect(done).toHaveBeenCalledOnce();
    lines.flush();
    vi.advanceTimersByTime(LOG_BATCH_MS);
    expect(out.writes).toHaveLength(2);
  });

  it.each([
    ['process.exit', 'process.exit(3)', 3],
    ['an uncaught exception', 'throw new Error("boom")', 1],
  ])('still reaches stderr when the process ends by %s right after logging', (_name, ending, code) => {
    const logger = new URL('../../dist/http/logger.js', import.meta.url).href;
    const script = `import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger('info');
      log.info({ n: 1 }, 'first');
      log.error('last words');
      ${ending};`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(result.status).toBe(code);
    const lines = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(['first', 'last words']);
  });
});
