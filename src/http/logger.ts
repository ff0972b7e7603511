import pino, { type DestinationStream, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured JSON logs on stderr (stdout stays free for the CLI's machine-readable
 * output), written asynchronously so a request never waits on a write(2); flushed at shutdown.
 */
export function createLogger(level: LogLevel, destination: DestinationStream = pino.destination({ dest: 2, sync: false })): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
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
