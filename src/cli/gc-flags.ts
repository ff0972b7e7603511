import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full
 * collection before it collects again, in percent. V8's default on a machine
 * with gigabytes of memory is up to 300 %: under load callgate promotes the
 * short-lived objects of requests in flight, and with about 30 MiB live the
 * heap grew to 125 MiB between collections, which took RSS past 200 MiB.
 * At 50 % it collects at about 45 MiB instead; a full collection of this heap
 * takes 10-20 ms, a few times a minute under load.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The garbage-collector flags callgate sets, each unless the operator chose
 * that setting (on the command line or in NODE_OPTIONS):
 *
 * - `--heap-growing-percent`, above.
 * - `--no-allocation-site-pretenuring`. V8 allocates straight into the old
 *   generation the objects of a code site whose objects it saw surviving,
 *   and in about a third of the benchmark's runs it decided so for sites of
 *   callgate's per-request objects during warm-up: from then on they filled
 *   the old generation, full collections ran 40-50 times in 10 s instead of
 *   6, and a REST read cost 100-110 µs of CPU instead of 73-80, its p99
 *   doubling. Without pretenuring every such object is born young and dies
 *   young; no run of the same benchmark showed it again.
 */
export function gcFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  const chosen = (setting: RegExp) => given.some((arg) => setting.test(arg));
  const flags: string[] = [];
  if (!chosen(/^--heap[-_]growing[-_]percent(=|$)/)) flags.push(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!chosen(/^--(no-)?allocation[-_]site[-_]pretenuring$/)) flags.push('--no-allocation-site-pretenuring');
  return flags;
}

/**
 * Sets them for this process. V8 reads both when it collects, so they work
 * when set at run time, before the program's first collections.
 */
export function setGcFlags(execArgv: readonly string[], nodeOptions: string | undefined): void {
  for (const flag of gcFlags(execArgv, nodeOptions)) setFlagsFromString(flag);
}
