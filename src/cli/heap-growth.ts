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

/** The V8 flag callgate sets, or null when the operator set a growing factor (on the command line or in NODE_OPTIONS). */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg));
  return chosen ? null : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * Sets the growing factor for this process. V8 reads it each time it computes
 * the next collection's limit, so it works when set at run time, before the
 * program's first full collections.
 */
export function limitHeapGrowth(execArgv: readonly string[], nodeOptions: string | undefined): void {
  const flag = heapGrowthFlag(execArgv, nodeOptions);
  if (flag) setFlagsFromString(flag);
}
