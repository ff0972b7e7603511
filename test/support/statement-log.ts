/** Records the SQL statements a store runs (see SqliteCallStore's onStatement) while recording. */
export class StatementLog {
  private recorded: string[] | null = null;

  readonly record = (sql: string): void => {
    this.recorded?.push(sql);
  };

  /** Runs `work` and returns what it returned with the statements run meanwhile. */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    this.recorded = [];
    try {
      const result = await work();
      return { result, statements: this.recorded };
    } finally {
      this.recorded = null;
    }
  }
}
