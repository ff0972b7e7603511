import type Database from 'better-sqlite3';
import type { ChangeWake } from '../call-store.js';

/** How often the tenants' log heads are read while someone watches: what another process's commit waits at most. */
export const HEAD_POLL_MS = 500;

/**
 * Wake-ups for readers of the change log on SQLite. A write of this process
 * appends its records synchronously inside its transaction (better-sqlite3
 * never yields), so a microtask queued there runs just after the COMMIT (or
 * the rollback: then the wake-up finds nothing, which is harmless). Other
 * processes on the same file have no channel to us; SQLite has no
 * notifications across processes, so while anyone watches, the heads table
 * (one row per tenant) is read every HEAD_POLL_MS: a cheap read that sees
 * their commits too.
 */
export class SqliteChangeNotifier {
  private readonly watchers = new Set<(wake: ChangeWake) => void>();
  private timer: NodeJS.Timeout | null = null;
  private heads: Database.Statement<[], [string, number]> | null = null;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly pollMs = HEAD_POLL_MS,
  ) {}

  /** Called inside the write transaction with the tenant's last sequence taken. */
  appended(tenantId: string, sequence: number): void {
    if (this.watchers.size > 0) queueMicrotask(() => this.wake({ tenantId, sequence }));
  }

  watch(onWake: (wake: ChangeWake) => void): () => Promise<void> {
    this.watchers.add(onWake);
    this.timer ??= setInterval(() => this.poll(), this.pollMs).unref();
    return async () => {
      this.watchers.delete(onWake);
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private poll(): void {
    if (!this.sqlite.open) return;
    this.heads ??= this.sqlite.prepare<[], [string, number]>('select tenant_id, last_sequence from change_log_heads').raw();
    for (const [tenantId, sequence] of this.heads.all()) this.wake({ tenantId, sequence });
  }

  private wake(wake: ChangeWake): void {
    for (const onWake of this.watchers) onWake(wake);
  }
}
