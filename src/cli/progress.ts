import cliProgress from 'cli-progress';

/** How a long command reports how far it got: on stderr, so that stdout stays the JSON result. */
export interface Progress {
  /** The work begins; `total` rows when known. */
  start(total?: number): void;
  /** `done` rows so far. */
  update(done: number): void;
  /** What the work does now, when it is no longer rows (e.g. a long commit): one line, the bar put away. */
  note(text: string): void;
  /** The work is done: the final line says what was done. */
  finish(summary: string): void;
}

/** Plain lines off a terminal: one every this many milliseconds (CALLGATE_PROGRESS_INTERVAL_MS). */
const DEFAULT_INTERVAL_MS = 5000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString('en-US');

/**
 * Progress on a stream: on a terminal a bar (cli-progress) with the rows
 * written, the rate and the time left; otherwise a plain line every few
 * seconds, for logs. Either way the last line is the summary with the time
 * taken and the rate.
 */
export function progressOn(
  stream: NodeJS.WriteStream,
  label: string,
  options: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const now = options.now ?? (() => Date.now());
  const fromEnv = Number(process.env.CALLGATE_PROGRESS_INTERVAL_MS ?? NaN);
  const intervalMs = options.intervalMs ?? (fromEnv >= 0 ? fromEnv : DEFAULT_INTERVAL_MS);
  let started = now();
  let total: number | undefined;
  let done = 0;
  let lastLine = started;
  let bar: cliProgress.SingleBar | null = null;
  const rate = () => Math.round(done / Math.max((now() - started) / 1000, 0.001));

  return {
    start(rows) {
      started = lastLine = now();
      total = rows;
      if (!stream.isTTY) return;
      const known = total !== undefined;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: known
            ? `${label} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | {eta_formatted} left`
            : `${label} {value} rows | {rate} rows/s | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { rate: 0 });
    },
    update(rows) {
      done = rows;
      if (bar) {
        bar.update(done, { rate: rate() });
        return;
      }
      if (now() - lastLine < intervalMs) return;
      lastLine = now();
      const part = total ? ` of ${count(total)} (${Math.floor((done / total) * 100)}%)` : '';
      const left = total && done > 0 ? `, about ${seconds(((total - done) / done) * (now() - started))} left` : '';
      stream.write(`${label}: ${count(done)}${part} rows, ${count(rate())} rows/s${left}\n`);
    },
    note(text) {
      bar?.stop();
      bar = null;
      stream.write(`${label}: ${text}\n`);
    },
    finish(summary) {
      bar?.stop();
      bar = null;
      stream.write(`${summary} in ${seconds(now() - started)} (${count(rate())} rows/s)\n`);
    },
  };
}
