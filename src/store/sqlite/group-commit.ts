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
      this.commitGroup(batch);
    } catch (error) {
      // Never let a failure escape into setImmediate (it would crash the process): nothing of this group is written.
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
    }
  }

  private commitGroup(batch: Pending<unknown>[]): void {
    this.sqlite.exec('BEGIN IMMEDIATE');
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    for (const [index, item] of batch.entries()) {
      this.sqlite.exec('SAVEPOINT write');
      try {
        outcomes.push({ ok: true, value: item.work() });
        this.sqlite.exec('RELEASE write');
      } catch (error) {
        if (!this.sqlite.inTransaction) {
          // SQLite rolled the whole transaction back (e.g. disk full): the writes before this one are gone
          // too. Refuse them and this one; the rest go into a new group.
          for (const done of batch.slice(0, index + 1)) done.reject(error);
          this.pending.unshift(...batch.slice(index + 1));
          this.schedule();
          return;
        }
        this.sqlite.exec('ROLLBACK TO write');
        this.sqlite.exec('RELEASE write');
        outcomes.push({ ok: false, error });
      }
    }
    this.sqlite.exec('COMMIT');
    this.commits++;
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
