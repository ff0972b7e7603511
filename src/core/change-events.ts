import type { ChangeRecord } from './change-log.js';

/**
 * Live updates read the change log a page at a time and hand out whole
 * change sets. A change set's records have consecutive sequences, so only
 * the last one of a full page can be cut short: it is left for the next
 * page, unless it fills the whole page (then it is handed out as it is).
 */
export function wholeChangeSets(page: readonly ChangeRecord[], pageSize: number): ChangeRecord[] {
  if (page.length < pageSize) return [...page];
  const lastSet = page.at(-1)!.changeSetId;
  let cut = page.length;
  while (cut > 0 && page[cut - 1]!.changeSetId === lastSet) cut--;
  return page.slice(0, cut === 0 ? page.length : cut);
}

/** Records in log order, grouped by change set (each group's records are consecutive). */
export function changeSetsOf(records: readonly ChangeRecord[]): ChangeRecord[][] {
  const sets: ChangeRecord[][] = [];
  for (const record of records) {
    const last = sets.at(-1);
    if (last && last[0]!.changeSetId === record.changeSetId) last.push(record);
    else sets.push([record]);
  }
  return sets;
}
