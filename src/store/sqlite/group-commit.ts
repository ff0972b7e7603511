import type Database from 'better-sqlite3';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for SQLite: writes that arrive in the same turn of the event
 * loop share one BEGIN IMMEDIATE ... COMMIT, and so one fsync. Each write runs
 * in its own SAVEPOINT, so a failing write rolls back alone and the others
 * still commit. No write's promise settles before the COMMIT has returned,
 * i.e. before the data is durable under synchronous=FULL.
 */
export class GroupCommit {
  private pending: Pending<unknown>[] = [];
  private scheduled = false;
  /** Transactions committed; with concurrent writers, fewer than writes. */
  commits = 0;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly maxBatch = 256,
  ) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve, reject } as Pending<unknown>);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0, this.maxBatch);
    this.schedule();
    try {
      this.sqlite.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const outcomes = batch.map((item) => {
      this.sqlite.exec('SAVEPOINT write');
      try {
        const value = item.work();
        this.sqlite.exec('RELEASE write');
        return { ok: true as const, value };
      } catch (error) {
        this.sqlite.exec('ROLLBACK TO write');
        this.sqlite.exec('RELEASE write');
        return { ok: false as const, error };
      }
    });
    try {
      this.sqlite.exec('COMMIT');
      this.commits++;
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
