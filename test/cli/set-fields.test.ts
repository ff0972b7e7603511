import { beforeEach, describe, expect, it } from 'vitest';
import { setFields } from '../../src/cli/set-fields.js';
import { CommandFailure, UsageError } from '../../src/cli/errors.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

describe('calls set-fields', () => {
  it('sets and clears values on the calls the filter matches, reporting progress, recorded as bulk by the CLI', async () => {
    const progress: [number, number][] = [];
    const result = await setFields(
      t.store,
      { filter: JSON.stringify({ customFields: [{ name: 'Call type', equals: 'Support call' }] }), set: ['Call type=Lost'], clear: ['Notes'] },
      (done, total) => progress.push([done, total]),
    );
    expect(result).toMatchObject({ tenant: 'default', dryRun: false, matched: 1, changed: 1, unchanged: 0 });
    expect(progress).toEqual([[1, 1]]);
    const { values } = (await t.stored(CALL.first))!;
    expect(values[FIELD.callType]).toBe('Lost');
    expect(values[FIELD.notes]).toBeUndefined();
    const records = await t.store.readChanges({ tenantId: t.tenantId, channels: ['bulk'], order: 'asc', limit: 10 });
    expect(records.map((r) => [r.fieldId, r.kind, r.actor])).toEqual(
      expect.arrayContaining([
        [FIELD.callType, 'set', null],
        [FIELD.notes, 'cleared', null],
      ]),
    );
  });

  it('previews with --dry-run and writes nothing', async () => {
    const before = await t.stored(CALL.first);
    const result = await setFields(t.store, { set: ['Call type=Lost'], dryRun: true });
    expect(result).toMatchObject({ dryRun: true, matched: 2, changed: 2 });
    expect((result as { preview: unknown[] }).preview).toHaveLength(2);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('refuses an invalid change set naming every problem, and bad flags as usage errors', async () => {
    const before = await t.stored(CALL.first);
    await expect(setFields(t.store, { set: ['Amount=abc', 'Nope=1'] })).rejects.toThrow(CommandFailure);
    await expect(setFields(t.store, { set: ['Amount=abc', 'Nope=1'] })).rejects.toThrow(/customFields\.0\.value: .*customFields\.1\.name: Unknown custom field/);
    expect(await t.stored(CALL.first)).toEqual(before);
    await expect(setFields(t.store, { set: ['no equals sign'] })).rejects.toThrow(UsageError);
    await expect(setFields(t.store, {})).rejects.toThrow(UsageError);
    await expect(setFields(t.store, { filter: '[1]', set: ['Call type=x'] })).rejects.toThrow(UsageError);
  });
});
