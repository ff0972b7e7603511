/**
 * Bulk edits: one checked change set applied to many calls of a tenant, in
 * batches that are each one transaction. A crash between batches leaves the
 * batches already committed whole and the rest untouched; running the same
 * edit again finishes it, since calls already holding the values are left
 * alone (no write, no change record).
 */

/** The most calls one bulk edit applies to, unless configured otherwise (BULK_EDIT_MAX_CALLS). */
export const DEFAULT_BULK_EDIT_LIMIT = 10_000;

/** Calls per transaction: short enough that single-call writes keep flowing between batches. */
export const BULK_BATCH_SIZE = 200;

/** How many calls a dry run shows with their values before and after. */
export const PREVIEW_SIZE = 20;

export const BULK_MESSAGES = {
  tooManyCalls: (matched: number, limit: number) =>
    `The edit matches ${matched} calls; at most ${limit} calls can be edited in one request: narrow the filter or split the ids`,
  countMismatch: (matched: number, expected: number) =>
    `The edit matches ${matched} calls, not the expected ${expected}; nothing was written`,
  targetRequired: 'Give exactly one of callIds or filter',
} as const;

/** Splits ids into batches of at most `size`. */
export function batchesOf<T>(items: readonly T[], size = BULK_BATCH_SIZE): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
