import { describe, expect, it } from 'vitest';
import { decideChangeSet, resolveFieldReference, type FieldEntry } from '../../src/core/change-set.js';
import type { CustomFieldDefinition } from '../../src/core/custom-field.js';

const ID = {
  paymentStatus: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d',
  callType: '9079d60a-5192-11ee-aa89-0015172d2a7d',
  notes: '00000000-0000-4000-8000-000000000001',
  amount: '00000000-0000-4000-8000-000000000002',
  followUp: '00000000-0000-4000-8000-000000000003',
  locked: '00000000-0000-4000-8000-000000000004',
  retired: '00000000-0000-4000-8000-000000000005',
  comment: '00000000-0000-4000-8000-000000000007',
  channels: '00000000-0000-4000-8000-000000000008',
  callback: '00000000-0000-4000-8000-000000000009',
  category: '00000000-0000-4000-8000-00000000000a',
  nowhere: '00000000-0000-4000-8000-0000000000ff',
} as const;

const define = (f: Partial<CustomFieldDefinition> & Pick<CustomFieldDefinition, 'fieldId' | 'name' | 'type'>): CustomFieldDefinition => ({
  tenantId: 'tenant',
  description: null,
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  ...f,
});

const FIELDS: CustomFieldDefinition[] = [
  define({ fieldId: ID.paymentStatus, name: 'Payment status', type: 'option', options: ['Unknown', 'Paid', 'Unpaid'] }),
  define({ fieldId: ID.callType, name: 'Call type', type: 'text' }),
  define({ fieldId: ID.notes, name: 'Notes', type: 'text', maxLength: 10 }),
  define({ fieldId: ID.amount, name: 'Amount', type: 'number' }),
  define({ fieldId: ID.followUp, name: 'Follow-up date', type: 'date' }),
  define({ fieldId: ID.locked, name: 'Locked', type: 'text', editable: false }),
  define({ fieldId: ID.retired, name: 'Retired', type: 'text', enabled: false }),
  define({ fieldId: ID.comment, name: 'Comment', type: 'text' }),
  define({ fieldId: ID.channels, name: 'Channels', type: 'multiselect', options: ['Email', 'Phone', 'Letter'] }),
  define({ fieldId: ID.callback, name: 'Callback', type: 'boolean' }),
  define({ fieldId: ID.category, name: 'Call category', type: 'text', previousNames: ['Call kind', 'Kind', 'Notes'] }),
];

const M = {
  referenceRequired: 'Either field_id or name is required',
  unknownField: 'Unknown custom field',
  notEditable: 'Custom field is not editable',
  disabled: 'Custom field is disabled',
  valueRequired: 'Value is required; use null to clear',
  listedTwice: 'Custom field is listed more than once',
  tooLong: 'Value is too long',
  notAnOption: 'Value is not one of the allowed options',
  notANumber: 'Value is not a valid number',
  notADate: 'Value is not a valid date',
  notABoolean: 'Value is not a valid boolean',
  notAList: 'Value must be a list of options, e.g. ["A", "B"]',
  optionRepeated: 'Value lists an option more than once',
  valueAndValues: 'Use either value or values, not both',
  valuesNotAllowed: 'Only multiselect fields take a list of values; use value',
} as const;

describe('resolveFieldReference', () => {
  it.each<[string, FieldEntry, string, 'fieldId' | 'name']>([
    ['by id', { fieldId: ID.callType }, ID.callType, 'fieldId'],
    ['by upper-case id', { fieldId: ID.callType.toUpperCase() }, ID.callType, 'fieldId'],
    ['by id, ignoring a name that names another field', { fieldId: ID.callType, name: 'Payment status' }, ID.callType, 'fieldId'],
    ['by id, ignoring a name that names no field', { fieldId: ID.callType, name: 'No such field' }, ID.callType, 'fieldId'],
    ['by id, ignoring a near-miss name', { fieldId: ID.paymentStatus, name: 'payment STATUS' }, ID.paymentStatus, 'fieldId'],
    ['by exact name', { name: 'Payment status' }, ID.paymentStatus, 'name'],
    ['by exact name when the id is null', { fieldId: null, name: 'Call type' }, ID.callType, 'name'],
    ['by exact name when the id is empty', { fieldId: '', name: 'Call type' }, ID.callType, 'name'],
    ['a disabled field by name (the caller reports it)', { name: 'Retired' }, ID.retired, 'name'],
  ])('resolves %s', (_label, entry, fieldId, attribute) => {
    const resolution = resolveFieldReference(entry, 0, FIELDS);
    expect(resolution).toEqual({ field: FIELDS.find((f) => f.fieldId === fieldId), attribute });
  });

  it.each<[string, FieldEntry, 'fieldId' | 'name' | null, string]>([
    ['an unknown id, even when the name names a field', { fieldId: ID.nowhere, name: 'Call type' }, 'fieldId', M.unknownField],
    ['an id that is not a UUID', { fieldId: 'Call type' }, 'fieldId', M.unknownField],
    ['an unknown name', { name: 'Colour' }, 'name', M.unknownField],
    ['a name that matches only ignoring case', { name: 'payment status' }, 'name', 'Unknown custom field; did you mean "Payment status"?'],
    ['a shouting near-miss name', { name: 'CALL TYPE' }, 'name', 'Unknown custom field; did you mean "Call type"?'],
    ['a name with a trailing space', { name: 'Call type ' }, 'name', M.unknownField],
    ['neither id nor name', {}, null, M.referenceRequired],
    ['null id and null name', { fieldId: null, name: null }, null, M.referenceRequired],
    ['empty id and empty name', { fieldId: '', name: '' }, null, M.referenceRequired],
  ])('reports %s', (_label, entry, attribute, message) => {
    expect(resolveFieldReference(entry, 7, FIELDS)).toEqual({ problem: { index: 7, attribute, message } });
  });

  describe('a former name of a renamed field', () => {
    it.each([
      ['the name before the last rename', 'Call kind'],
      ['an older name', 'Kind'],
      ['a former name in another case', 'CALL KIND'],
    ])('%s is unknown, with a hint naming the current name', (_label, name) => {
      expect(resolveFieldReference({ name }, 2, FIELDS)).toEqual({
        problem: { index: 2, attribute: 'name', message: 'Unknown custom field; it was renamed to "Call category"' },
      });
    });

    it('never resolves to the field: the client must learn the new name', () => {
      expect(resolveFieldReference({ name: 'Call kind' }, 0, FIELDS)).not.toHaveProperty('field');
    });

    it('a current name wins over a former name of another field', () => {
      expect(resolveFieldReference({ name: 'Notes' }, 0, FIELDS)).toEqual({ field: FIELDS.find((f) => f.fieldId === ID.notes), attribute: 'name' });
    });

    it('a current name in another case gets "did you mean", not the rename hint', () => {
      expect(resolveFieldReference({ name: 'notes' }, 0, FIELDS)).toEqual({
        problem: { index: 0, attribute: 'name', message: 'Unknown custom field; did you mean "Notes"?' },
      });
    });

    it('the id still wins over a former name', () => {
      expect(resolveFieldReference({ fieldId: ID.category, name: 'Call kind' }, 0, FIELDS)).toMatchObject({ attribute: 'fieldId' });
    });
  });

  it('only sees the fields it is given (another tenant\'s field is unknown)', () => {
    expect(resolveFieldReference({ fieldId: ID.callType }, 0, FIELDS.slice(0, 1))).toEqual({
      problem: { index: 0, attribute: 'fieldId', message: M.unknownField },
    });
  });
});

describe('decideChangeSet', () => {
  it('changes exactly the listed fields', () => {
    expect(
      decideChangeSet(
        [
          { fieldId: ID.paymentStatus, value: 'Unknown' },
          { name: 'Amount', value: '12.5' },
        ],
        FIELDS,
      ),
    ).toEqual({
      ok: true,
      changes: [
        { fieldId: ID.paymentStatus, value: 'Unknown' },
        { fieldId: ID.amount, value: '12.5' },
      ],
    });
  });

  it('an empty request changes nothing and is fine', () => {
    expect(decideChangeSet([], FIELDS)).toEqual({ ok: true, changes: [] });
  });

  it.each<[string, FieldEntry, { fieldId: string; value: string | null }]>([
    ['null clears', { fieldId: ID.callType, value: null }, { fieldId: ID.callType, value: null }],
    ['"" clears', { fieldId: ID.callType, value: '' }, { fieldId: ID.callType, value: null }],
    ['"" clears an option field although "" is no option', { name: 'Payment status', value: '' }, { fieldId: ID.paymentStatus, value: null }],
    ['"" clears a number field', { name: 'Amount', value: '' }, { fieldId: ID.amount, value: null }],
    ['"" clears a date field', { name: 'Follow-up date', value: '' }, { fieldId: ID.followUp, value: null }],
    ['the vendor clearing example (id + name + null)', { fieldId: ID.paymentStatus, name: 'Payment status', value: null }, { fieldId: ID.paymentStatus, value: null }],
    ['id beats a name of another field', { fieldId: ID.callType, name: 'Payment status', value: 'Sales call' }, { fieldId: ID.callType, value: 'Sales call' }],
    ['id beats a name of no field', { fieldId: ID.callType, name: 'Nope', value: 'Sales call' }, { fieldId: ID.callType, value: 'Sales call' }],
    ['upper-case id resolves to the stored id', { fieldId: ID.paymentStatus.toUpperCase(), value: 'Paid' }, { fieldId: ID.paymentStatus, value: 'Paid' }],
    ['whitespace is a value, not a clear', { name: 'Call type', value: ' ' }, { fieldId: ID.callType, value: ' ' }],
  ])('%s', (_label, entry, change) => {
    expect(decideChangeSet([entry], FIELDS)).toEqual({ ok: true, changes: [change] });
  });

  it.each<[string, FieldEntry, 'fieldId' | 'name' | 'value' | null, string]>([
    ['a missing value key', { fieldId: ID.callType }, 'value', M.valueRequired],
    ['a value left undefined', { name: 'Call type', value: undefined }, 'value', M.valueRequired],
    ['no reference at all', { value: 'x' }, null, M.referenceRequired],
    ['an unknown id', { fieldId: ID.nowhere, value: 'x' }, 'fieldId', M.unknownField],
    ['an unknown name', { name: 'Colour', value: 'x' }, 'name', M.unknownField],
    ['a near-miss name', { name: 'payment status', value: 'Paid' }, 'name', 'Unknown custom field; did you mean "Payment status"?'],
    ['a field that is not editable (by id)', { fieldId: ID.locked, value: 'x' }, 'fieldId', M.notEditable],
    ['a field that is not editable (by name)', { name: 'Locked', value: 'x' }, 'name', M.notEditable],
    ['clearing a field that is not editable', { name: 'Locked', value: null }, 'name', M.notEditable],
    ['a disabled field (by id)', { fieldId: ID.retired, value: 'x' }, 'fieldId', M.disabled],
    ['a disabled field (by name)', { name: 'Retired', value: 'x' }, 'name', M.disabled],
    ['a text value over max_length', { name: 'Notes', value: '12345678901' }, 'value', M.tooLong],
    ['a text value over the default 255', { name: 'Call type', value: 'x'.repeat(256) }, 'value', M.tooLong],
    ['11 emoji against max_length 10', { name: 'Notes', value: '😀'.repeat(11) }, 'value', M.tooLong],
    ['a value that is no option', { name: 'Payment status', value: 'unknown' }, 'value', M.notAnOption],
    ['a comma decimal', { name: 'Amount', value: '1,5' }, 'value', M.notANumber],
    ['a word for a number', { name: 'Amount', value: 'abc' }, 'value', M.notANumber],
    ['Infinity', { name: 'Amount', value: 'Infinity' }, 'value', M.notANumber],
    ['NaN', { name: 'Amount', value: 'NaN' }, 'value', M.notANumber],
    ['30 February', { name: 'Follow-up date', value: '2023-02-30' }, 'value', M.notADate],
    ['a date without leading zeros', { name: 'Follow-up date', value: '2023-2-1' }, 'value', M.notADate],
  ])('rejects %s', (_label, entry, attribute, message) => {
    expect(decideChangeSet([entry], FIELDS)).toEqual({ ok: false, problems: [{ index: 0, attribute, message }] });
  });

  it.each([
    ['10 emoji against max_length 10', 'Notes', '😀'.repeat(10)],
    ['255 characters under the default', 'Call type', 'x'.repeat(255)],
    ['a leap day', 'Follow-up date', '2024-02-29'],
    ['a negative decimal', 'Amount', '-0.25'],
  ])('accepts %s', (_label, name, value) => {
    expect(decideChangeSet([{ name, value }], FIELDS)).toEqual({ ok: true, changes: [{ fieldId: FIELDS.find((f) => f.name === name)!.fieldId, value }] });
  });

  it('reports a missing value together with a bad reference', () => {
    expect(decideChangeSet([{ name: 'Colour' }], FIELDS)).toEqual({
      ok: false,
      problems: [
        { index: 0, attribute: 'name', message: M.unknownField },
        { index: 0, attribute: 'value', message: M.valueRequired },
      ],
    });
  });

  describe('multiselect fields', () => {
    it.each<[string, FieldEntry, string | null]>([
      ['values, stored in option order', { name: 'Channels', values: ['Letter', 'Email'] }, '["Email","Letter"]'],
      ['one value', { name: 'Channels', values: ['Phone'] }, '["Phone"]'],
      ['values: [] clears', { name: 'Channels', values: [] }, null],
      ['values: null clears', { name: 'Channels', values: null }, null],
      ['value: null clears', { name: 'Channels', value: null }, null],
      ['value: "" clears', { name: 'Channels', value: '' }, null],
      ['a JSON array as value (what Call.customFields.value reads)', { name: 'Channels', value: '["Phone","Email"]' }, '["Email","Phone"]'],
      ['an empty JSON array as value clears', { name: 'Channels', value: '[]' }, null],
    ])('accepts %s', (_label, entry, value) => {
      expect(decideChangeSet([entry], FIELDS)).toEqual({ ok: true, changes: [{ fieldId: ID.channels, value }] });
    });

    it.each<[string, FieldEntry, 'value' | 'values', string]>([
      ['an item that is no option', { name: 'Channels', values: ['Email', 'Fax'] }, 'values', M.notAnOption],
      ['an item in the wrong case', { name: 'Channels', values: ['email'] }, 'values', M.notAnOption],
      ['an empty item', { name: 'Channels', values: [''] }, 'values', M.notAnOption],
      ['an item twice', { name: 'Channels', values: ['Email', 'Email'] }, 'values', M.optionRepeated],
      ['a plain string as value', { name: 'Channels', value: 'Email' }, 'value', M.notAList],
      ['a JSON array with a stranger as value', { name: 'Channels', value: '["Fax"]' }, 'value', M.notAnOption],
      ['both value and values', { name: 'Channels', value: 'Email', values: ['Email'] }, 'values', M.valueAndValues],
      ['values for a text field', { name: 'Call type', values: ['Sales call'] }, 'values', M.valuesNotAllowed],
      ['values: [] for a text field', { name: 'Call type', values: [] }, 'values', M.valuesNotAllowed],
    ])('rejects %s', (_label, entry, attribute, message) => {
      expect(decideChangeSet([entry], FIELDS)).toEqual({ ok: false, problems: [{ index: 0, attribute, message }] });
    });

    it('values: null clears a field of any type', () => {
      expect(decideChangeSet([{ name: 'Call type', values: null }], FIELDS)).toEqual({ ok: true, changes: [{ fieldId: ID.callType, value: null }] });
    });

    it('an entry with neither value nor values is still "Value is required"', () => {
      expect(decideChangeSet([{ name: 'Channels' }], FIELDS)).toEqual({ ok: false, problems: [{ index: 0, attribute: 'value', message: M.valueRequired }] });
    });
  });

  describe('boolean fields', () => {
    it.each(['true', 'false'])('accept %j', (value) => {
      expect(decideChangeSet([{ name: 'Callback', value }], FIELDS)).toEqual({ ok: true, changes: [{ fieldId: ID.callback, value }] });
    });

    it.each(['TRUE', 'yes', '1', 'on'])('reject %j', (value) => {
      expect(decideChangeSet([{ name: 'Callback', value }], FIELDS)).toEqual({ ok: false, problems: [{ index: 0, attribute: 'value', message: M.notABoolean }] });
    });
  });

  describe('a field listed more than once', () => {
    it.each<[string, FieldEntry[], 'fieldId' | 'name']>([
      ['twice by id', [{ fieldId: ID.callType, value: 'a' }, { fieldId: ID.callType, value: 'b' }], 'fieldId'],
      ['by id, then by name', [{ fieldId: ID.callType, value: 'a' }, { name: 'Call type', value: 'b' }], 'name'],
      ['by name, then by upper-case id', [{ name: 'Call type', value: 'a' }, { fieldId: ID.callType.toUpperCase(), value: 'b' }], 'fieldId'],
      ['set, then cleared', [{ name: 'Call type', value: 'a' }, { name: 'Call type', value: null }], 'name'],
    ])('%s is rejected at the second entry', (_label, entries, attribute) => {
      expect(decideChangeSet(entries, FIELDS)).toEqual({ ok: false, problems: [{ index: 1, attribute, message: M.listedTwice }] });
    });
  });

  it('is all or nothing: one bad entry among good ones yields no changes, only the problem', () => {
    const decision = decideChangeSet(
      [
        { fieldId: ID.paymentStatus, value: 'Paid' },
        { name: 'Amount', value: 'abc' },
        { name: 'Call type', value: 'Sales call' },
      ],
      FIELDS,
    );
    expect(decision).toEqual({ ok: false, problems: [{ index: 1, attribute: 'value', message: M.notANumber }] });
    expect(decision).not.toHaveProperty('changes');
  });

  it('lists every problem with its index and attribute, in request order', () => {
    const decision = decideChangeSet(
      [
        { name: 'Notes', value: 'far too long for ten' },
        { fieldId: ID.nowhere, name: 'Call type', value: 'x' },
        { name: 'call type', value: 'x' },
        { value: 'x' },
        { fieldId: ID.callType, value: 'fine' },
        { name: 'Locked', value: 'x' },
        { fieldId: ID.retired, value: 'x' },
        { name: 'Payment status', value: 'Maybe' },
        { name: 'Amount', value: 'NaN' },
        { name: 'Follow-up date', value: '2023-2-1' },
        { name: 'Call type', value: 'again' },
        { name: 'Comment' },
      ],
      FIELDS,
    );
    expect(decision).toEqual({
      ok: false,
      problems: [
        { index: 0, attribute: 'value', message: M.tooLong },
        { index: 1, attribute: 'fieldId', message: M.unknownField },
        { index: 2, attribute: 'name', message: 'Unknown custom field; did you mean "Call type"?' },
        { index: 3, attribute: null, message: M.referenceRequired },
        { index: 5, attribute: 'name', message: M.notEditable },
        { index: 6, attribute: 'fieldId', message: M.disabled },
        { index: 7, attribute: 'value', message: M.notAnOption },
        { index: 8, attribute: 'value', message: M.notANumber },
        { index: 9, attribute: 'value', message: M.notADate },
        { index: 10, attribute: 'name', message: M.listedTwice },
        { index: 11, attribute: 'value', message: M.valueRequired },
      ],
    });
  });

  it('does not mutate its inputs', () => {
    const entries: FieldEntry[] = [{ fieldId: ID.paymentStatus.toUpperCase(), name: 'x', value: 'Paid' }];
    const before = JSON.stringify([entries, FIELDS]);
    decideChangeSet(entries, FIELDS);
    expect(JSON.stringify([entries, FIELDS])).toBe(before);
  });
});
