import type { CallStore } from './call-store.js';

const DAY_MS = 86_400_000;
export const RETENTION_EVERY_MS = 10 * 60_000;
export const RETENTION_BATCH = 1000;

/** What the job logs: counts and instants, never a value. */
export interface RetentionLogger {
  info(details: { deleted: number; before: string }, message: string): void;
  error(details: { err: unknown }, message: string): void;
}

/**
 * Deletes the change log's records committed before `before`, one short
 * transaction per batch, for as long as a batch comes back full, yielding to
 * the event loop between batches so that writes waiting for the lock go
 * first. Returns how many it deleted.
 */
export async function deleteExpiredChanges(
  store: Pick<CallStore, 'deleteChangesBefore'>,
  before: string,
  options: { batch?: number; pause?: () => Promise<void>; stopped?: () => boolean } = {},
): Promise<number> {
  const { batch = RETENTION_BATCH, pause = () => new Promise<void>((resolve) => setImmediate(resolve)), stopped = () => false } = options;
  let total = 0;
  for (;;) {
    const deleted = await store.deleteChangesBefore(before, batch);
    total += deleted;
    if (deleted < batch || stopped()) return total;
    await pause();
  }
}

export interface RetentionJob {
  /** Clears the timer and waits for a run in progress to stop after its current batch. */
  stop(): Promise<void>;
}

/**
 * HISTORY_RETENTION_DAYS while serving: a run at start and then every
 * `everyMs` (10 minutes) after the previous run ended. Several instances on
 * one PostgreSQL database may run it at the same time: each deletes only what
 * is past the cutoff and a record deleted twice is simply not found again, so
 * that is harmless. A failed run is logged and the next one tries again.
 */
export function startRetention(options: {
  store: Pick<CallStore, 'deleteChangesBefore'>;
  days: number;
  logger: RetentionLogger;
  clock?: () => Date;
  everyMs?: number;
  batch?: number;
}): RetentionJob {
  const { store, days, logger, clock = () => new Date(), everyMs = RETENTION_EVERY_MS, batch } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const run = async () => {
    const before = new Date(clock().getTime() - days * DAY_MS).toISOString();
    try {
      const deleted = await deleteExpiredChanges(store, before, { batch, stopped: () => stopped });
      logger.info({ deleted, before }, 'change history retention: deleted records');
    } catch (error) {
      logger.error({ err: error }, 'change history retention failed; trying again at the next run');
    }
  };
  const next = () => {
    if (stopped) return;
    running = run().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(next, everyMs).unref();
    });
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
