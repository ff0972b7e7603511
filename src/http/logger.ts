import type { YogaLogger } from 'graphql-yoga';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function describe(arg: unknown): unknown {
  if (arg instanceof Error) return { name: arg.name, message: arg.message, stack: arg.stack };
  return arg;
}

/** JSON lines on stderr, so stdout stays free for the CLI's machine-readable output. */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): YogaLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: Exclude<LogLevel, 'silent'>) => (...args: unknown[]) => {
    if (LOG_LEVELS.indexOf(name) < threshold) return;
    const [first, ...rest] = args;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: name };
    if (typeof first === 'string') entry.msg = first;
    else if (first !== undefined) entry.err = describe(first);
    if (rest.length > 0) entry.data = rest.map(describe);
    write(`${JSON.stringify(entry)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
