/** A positive number from the environment (BENCH_*), or `fallback` when unset; anything else stops the run with the variable named. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive number`);
  return value;
}
