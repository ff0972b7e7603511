import { describe, expect, it } from 'vitest';
import { changeSetsOf, wholeChangeSets } from '../../src/core/change-events.js';
import type { ChangeRecord } from '../../src/core/change-log.js';

const record = (sequence: number, changeSetId: string) => ({ sequence, changeSetId }) as ChangeRecord;
const page = (...sets: string[]) => sets.map((set, i) => record(i + 1, set));
const sequences = (records: ChangeRecord[]) => records.map((r) => r.sequence);

describe('wholeChangeSets', () => {
  it.each([
    { name: 'a short page is whole', records: page('a', 'b', 'b'), size: 4, kept: [1, 2, 3] },
    { name: 'a full page leaves its last change set for the next page', records: page('a', 'b', 'b'), size: 3, kept: [1] },
    { name: 'a full page ending on a whole set still leaves it (the next page may continue it)', records: page('a', 'a', 'b'), size: 3, kept: [1, 2] },
    { name: 'one change set filling the page is handed out as it is', records: page('a', 'a', 'a'), size: 3, kept: [1, 2, 3] },
    { name: 'an empty page', records: [], size: 3, kept: [] },
  ])('$name', ({ records, size, kept }) => {
    expect(sequences(wholeChangeSets(records, size))).toEqual(kept);
  });
});

describe('changeSetsOf', () => {
  it('groups consecutive records of one change set, in order', () => {
    expect(changeSetsOf(page('a', 'a', 'b', 'c', 'c')).map(sequences)).toEqual([[1, 2], [3], [4, 5]]);
  });
});
