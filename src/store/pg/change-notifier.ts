import pg from 'pg';
import type { ChangeWake } from '../call-store.js';

/** The channel every write's transaction notifies, with `<tenant id>:<its last sequence>` as the payload. */
export const CHANGES_CHANNEL = 'callgate_changes';

const RECONNECT_MS = { first: 100, max: 5_000 };

/**
 * Wake-ups for readers of the change log on PostgreSQL: each write
 * transaction runs `pg_notify`, which PostgreSQL delivers only at COMMIT,
 * to every instance listening, so a write through one instance wakes the
 * others with no component but the database. This keeps ONE connection per
 * store listening while anyone watches; it reconnects by itself with
 * backoff, and after each (re)connect wakes every tenant (`tenantId: null`):
 * notifications sent while it was away are lost, but readers go on from the
 * last sequence they saw, so the records are not.
 */
export class PgChangeListener {
  private readonly watchers = new Set<(wake: ChangeWake) => void>();
  private client: pg.Client | null = null;
  private running: Promise<void> | null = null;
  private stopped: (() => void) | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  watch(onWake: (wake: ChangeWake) => void): () => Promise<void> {
    this.watchers.add(onWake);
    this.running ??= this.listen();
    return async () => {
      this.watchers.delete(onWake);
      if (this.watchers.size > 0 || !this.running) return;
      const running = this.running;
      this.stopped?.();
      await this.client?.end().catch(() => {});
      await running;
    };
  }

  /** Stops listening for every watcher (the store closes). */
  async close(): Promise<void> {
    this.watchers.clear();
    const running = this.running;
    this.stopped?.();
    await this.client?.end().catch(() => {});
    await running;
  }

  /** Connects, listens until the connection ends, and again with backoff while anyone watches. */
  private async listen(): Promise<void> {
    let delay = RECONNECT_MS.first;
    while (this.watchers.size > 0) {
      const client = new pg.Client({ ...this.config, keepAlive: true });
      this.client = client;
      const ended = new Promise<void>((resolve) => {
        this.stopped = resolve;
        client.once('end', resolve);
        client.once('error', (error) => {
          this.onError(error);
          resolve();
        });
      });
      client.on('notification', (message) => {
        const wake = parseWake(message.payload);
        if (wake) this.wake(wake);
      });
      try {
        await client.connect();
        await client.query(`listen ${CHANGES_CHANNEL}`);
        delay = RECONNECT_MS.first;
        this.wake({ tenantId: null });
        await ended;
      } catch (error) {
        if (this.watchers.size > 0) this.onError(error);
      }
      await client.end().catch(() => {});
      this.client = null;
      if (this.watchers.size === 0) break;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, RECONNECT_MS.max);
    }
    this.running = null;
  }

  private wake(wake: ChangeWake): void {
    for (const onWake of this.watchers) onWake(wake);
  }
}

function parseWake(payload: string | undefined): ChangeWake | null {
  const match = /^([0-9a-f-]{36}):(\d+)$/.exec(payload ?? '');
  return match ? { tenantId: match[1]!, sequence: Number(match[2]) } : null;
}
