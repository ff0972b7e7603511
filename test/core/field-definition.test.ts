import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinition } from '../../src/core/custom-field.js';
import {
  decideCustomFieldDeletion,
  decideCustomFieldUpdate,
  decideNewCustomField,
  type CustomFieldPatch,
  type NewCustomFieldInput,
} from '../../src/core/field-definition.js';

const ID = {
  paymentStatus: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d',
  callType: '9079d60a-5192-11ee-aa89-0015172d2a7d',
  notes: '00000000-0000-4000-8000-000000000001',
  channels: '00000000-0000-4000-8000-000000000002',
  fresh: '00000000-0000-4000-8000-0000000000aa',
} as const;

const define = (f: Partial<CustomFieldDefinition> & Pick<CustomFieldDefinition, 'fieldId' | 'name' | 'type'>): CustomFieldDefinition => ({
  tenantId: 'tenant',
  description: null,
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  previousNames: [],
  ...f,
});

const FIELDS = [
  define({ fieldId: ID.paymentStatus, name: 'Payment status', type: 'option', options: ['Unknown', 'Paid', 'Unpaid'] }),
  define({ fieldId: ID.callType, name: 'Call type', type: 'text', previousNames: ['Kind'] }),
  define({ fieldId: ID.notes, name: 'Notes', type: 'text', maxLength: 10 }),
  define({ fieldId: ID.channels, name: 'Channels', type: 'multiselect', options: ['Email', 'Phone'] }),
];
const field = (id: string) => FIELDS.find((f) => f.fieldId === id)!;
const context = { tenantId: 'tenant', fieldId: ID.fresh };

describe('decideNewCustomField', () => {
  it('accepts a text field, trimming the name and keeping its case', () => {
    expect(decideNewCustomField({ name: '  Customer ID ', type: 'text', maxLength: 32 }, context, FIELDS)).toEqual({
      ok: true,
      field: define({ fieldId: ID.fresh, name: 'Customer ID', type: 'text', maxLength: 32 }),
      previousNamesChanges: [],
      invalidatedValues: 0,
    });
  });

  it('uses a given UUID, lower-cased', () => {
    const decision = decideNewCustomField({ id: 'AAAAAAAA-0000-4000-8000-000000000001', name: 'X', type: 'boolean' }, context, FIELDS);
    expect(decision).toMatchObject({ ok: true, field: { fieldId: 'aaaaaaaa-0000-4000-8000-000000000001', type: 'boolean' } });
  });

  it.each<[string, NewCustomFieldInput, { attribute: string; message: string }[]]>([
    ['a blank name', { name: '   ', type: 'text' }, [{ attribute: 'name', message: 'Name is required' }]],
    ['a name of 65 characters', { name: 'n'.repeat(65), type: 'text' }, [{ attribute: 'name', message: 'Name is longer than 64 characters' }]],
    ['an id that is no UUID', { id: 'abc', name: 'X', type: 'text' }, [{ attribute: 'id', message: 'Id must be a UUID' }]],
    ['a multiselect without options', { name: 'X', type: 'multiselect' }, [{ attribute: 'options', message: 'A multiselect field needs at least one option' }]],
    [
      'several problems at once',
      { name: '', type: 'number', maxLength: 3, options: ['a'] },
      [
        { attribute: 'name', message: 'Name is required' },
        { attribute: 'options', message: 'Only option and multiselect fields have options' },
        { attribute: 'maxLength', message: 'Only text fields have a max length' },
      ],
    ],
  ])('refuses %s as invalid', (_label, input, problems) => {
    expect(decideNewCustomField(input, context, FIELDS)).toEqual({ ok: false, refusal: { kind: 'invalid', problems } });
  });

  it.each([
    ['the same name', 'Call type'],
    ['the name in another case', 'CALL TYPE'],
    ['the name with spaces around it', ' call type '],
  ])('refuses %s as a duplicate, naming the existing field', (_label, name) => {
    expect(decideNewCustomField({ name, type: 'text' }, context, FIELDS)).toEqual({
      ok: false,
      refusal: { kind: 'duplicate', message: 'A custom field named "Call type" already exists' },
    });
  });

  it('compares names ignoring case beyond ASCII', () => {
    const fields = [define({ fieldId: ID.notes, name: 'Ärger', type: 'text' })];
    expect(decideNewCustomField({ name: 'ärger', type: 'text' }, context, fields)).toMatchObject({ ok: false, refusal: { kind: 'duplicate' } });
  });

  it('refuses an id another field of the tenant has', () => {
    expect(decideNewCustomField({ id: ID.notes, name: 'Fresh', type: 'text' }, context, FIELDS)).toEqual({
      ok: false,
      refusal: { kind: 'duplicate', message: 'A custom field with this id already exists' },
    });
  });

  it('takes a name that was a former name of another field away from it', () => {
    expect(decideNewCustomField({ name: 'kind', type: 'date' }, context, FIELDS)).toMatchObject({
      ok: true,
      previousNamesChanges: [{ fieldId: ID.callType, previousNames: [] }],
    });
  });
});

describe('decideCustomFieldUpdate', () => {
  /** Asked without stored values: a decision that needs them must say so rather than guess. */
  const none = null;
  const update = (id: string, patch: CustomFieldPatch, values: readonly string[] | null = [], force = false) =>
    decideCustomFieldUpdate(field(id), patch, FIELDS, values, force);

  it('renames, keeping the id and remembering the old name first', () => {
    expect(update(ID.callType, { name: 'Call category' }, none)).toEqual({
      ok: true,
      field: { ...field(ID.callType), name: 'Call category', previousNames: ['Call type', 'Kind'] },
      previousNamesChanges: [],
      invalidatedValues: 0,
    });
  });

  it('a change of case only is no rename: nothing to remember', () => {
    expect(update(ID.callType, { name: 'Call Type' }, none)).toMatchObject({ ok: true, field: { name: 'Call Type', previousNames: ['Kind'] } });
  });

  it('renaming back to a former name forgets it as a former name', () => {
    expect(update(ID.callType, { name: 'Kind' }, none)).toMatchObject({ ok: true, field: { name: 'Kind', previousNames: ['Call type'] } });
  });

  it('renaming to another field\'s former name takes it from that field', () => {
    const decision = update(ID.notes, { name: 'kind' }, none);
    expect(decision).toMatchObject({ ok: true, field: { name: 'kind', previousNames: ['Notes'] } });
    expect(decision).toMatchObject({ previousNamesChanges: [{ fieldId: ID.callType, previousNames: [] }] });
  });

  it.each([
    ['another field\'s name', 'Payment status', 'A custom field named "Payment status" already exists'],
    ['another field\'s name in another case', 'payment STATUS', 'A custom field named "Payment status" already exists'],
  ])('refuses %s as a duplicate', (_label, name, message) => {
    expect(update(ID.callType, { name }, none)).toEqual({ ok: false, refusal: { kind: 'duplicate', message } });
  });

  it.each<[string, CustomFieldPatch, { attribute: string; message: string }[]]>([
    ['a null name', { name: null }, [{ attribute: 'name', message: 'Name is required' }]],
    ['an empty name', { name: ' ' }, [{ attribute: 'name', message: 'Name is required' }]],
    ['a null type', { type: null }, [{ attribute: 'type', message: 'Type is required' }]],
    ['a null editable', { editable: null }, [{ attribute: 'editable', message: 'Editable must be true or false' }]],
    ['a null enabled', { enabled: null }, [{ attribute: 'enabled', message: 'Enabled must be true or false' }]],
    ['a zero max length', { maxLength: 0 }, [{ attribute: 'maxLength', message: 'Max length must be a positive integer' }]],
    ['options on a text field', { options: ['a'] }, [{ attribute: 'options', message: 'Only option and multiselect fields have options' }]],
    ['a type change to option without options', { type: 'option' }, [{ attribute: 'options', message: 'An option field needs at least one option' }]],
  ])('refuses %s as invalid', (_label, patch, problems) => {
    expect(update(ID.callType, patch, none)).toEqual({ ok: false, refusal: { kind: 'invalid', problems } });
  });

  it('a type change drops the max length the new type has no use for', () => {
    expect(update(ID.notes, { type: 'number' }, ['12', '3.5'])).toMatchObject({ ok: true, field: { type: 'number', maxLength: null } });
  });

  it('option -> multiselect keeps the options', () => {
    expect(update(ID.paymentStatus, { type: 'multiselect' }, [])).toMatchObject({ ok: true, field: { type: 'multiselect', options: ['Unknown', 'Paid', 'Unpaid'] } });
  });

  it.each<[string, string, CustomFieldPatch, string[], number]>([
    ['a lower max length', ID.notes, { maxLength: 4 }, ['abc', 'abcd', 'abcde', 'abcdefghij'], 2],
    ['a removed option', ID.paymentStatus, { options: ['Unknown', 'Paid'] }, ['Unpaid', 'Paid', 'Unpaid'], 2],
    ['text -> number', ID.notes, { type: 'number' }, ['12', 'twelve', '1e3', 'one'], 2],
    ['option -> multiselect', ID.paymentStatus, { type: 'multiselect' }, ['Paid', 'Unpaid'], 2],
    ['a removed multiselect option', ID.channels, { options: ['Email'] }, ['["Email"]', '["Email","Phone"]', '["Phone"]'], 2],
  ])('tightening (%s) without force is refused with the count of values that would become invalid', (_label, id, patch, values, count) => {
    const decision = update(id, patch, values);
    expect(decision).toEqual({
      ok: false,
      refusal: {
        kind: 'values_affected',
        affectedValues: count,
        message:
          `${count} stored values would no longer be valid under the new definition; use force to apply the change anyway ` +
          '(the values stay stored, flagged as invalid until rewritten)',
      },
    });
  });

  it('says "1 stored value" for one', () => {
    expect(update(ID.notes, { maxLength: 4 }, ['abcde'])).toMatchObject({
      refusal: {
        affectedValues: 1,
        message:
          '1 stored value would no longer be valid under the new definition; use force to apply the change anyway ' +
          '(the value stays stored, flagged as invalid until rewritten)',
      },
    });
  });

  it('with force the tightening is decided, reporting how many values it invalidates', () => {
    expect(update(ID.notes, { maxLength: 4 }, ['abc', 'abcdef'], true)).toMatchObject({ ok: true, field: { maxLength: 4 }, invalidatedValues: 1 });
  });

  it('tightening that no stored value violates needs no force', () => {
    expect(update(ID.notes, { maxLength: 5 }, ['abc', 'abcde'])).toMatchObject({ ok: true, invalidatedValues: 0 });
  });

  it('values that were invalid already do not count (an earlier forced change)', () => {
    const tightened = { ...field(ID.notes), maxLength: 3 };
    const decision = decideCustomFieldUpdate(tightened, { maxLength: 2 }, FIELDS, ['abcdef', 'abc', 'ab'], false);
    expect(decision).toMatchObject({ ok: false, refusal: { affectedValues: 1 } });
  });

  it('loosening never needs force', () => {
    expect(update(ID.notes, { maxLength: 500 }, ['a'.repeat(10)])).toMatchObject({ ok: true, invalidatedValues: 0 });
    expect(update(ID.paymentStatus, { options: ['Unknown', 'Paid', 'Unpaid', 'Refunded'] }, ['Paid'])).toMatchObject({ ok: true });
  });

  it.each<[string, CustomFieldPatch]>([
    ['a rename', { name: 'Remarks' }],
    ['a new description', { description: 'Free text' }],
    ['disabling', { enabled: false }],
    ['making it read-only', { editable: false }],
  ])('%s is decided without the stored values', (_label, patch) => {
    expect(update(ID.notes, patch, none)).toMatchObject({ ok: true, invalidatedValues: 0 });
  });

  it.each<[string, CustomFieldPatch]>([
    ['a lower max length', { maxLength: 3 }],
    ['a higher max length', { maxLength: 30 }],
    ['another type', { type: 'date' }],
  ])('%s asked without the stored values asks for them', (_label, patch) => {
    expect(update(ID.notes, patch, none)).toEqual({ needsStoredValues: true });
  });

  it('an invalid change is refused before any stored value is needed', () => {
    expect(update(ID.notes, { maxLength: 0 }, none)).toMatchObject({ ok: false, refusal: { kind: 'invalid' } });
  });

  it('"" and null clear the description', () => {
    const described = { ...field(ID.notes), description: 'old' };
    expect(decideCustomFieldUpdate(described, { description: '' }, FIELDS, none, false)).toMatchObject({ field: { description: null } });
    expect(decideCustomFieldUpdate(described, { description: null }, FIELDS, none, false)).toMatchObject({ field: { description: null } });
  });

  it('maxLength: null restores the default 255', () => {
    expect(update(ID.notes, { maxLength: null }, ['short'])).toMatchObject({ ok: true, field: { maxLength: null } });
  });
});

describe('decideCustomFieldDeletion', () => {
  it.each([
    [0, false, { ok: true }],
    [0, true, { ok: true }],
    [3, true, { ok: true }],
    [
      3,
      false,
      { ok: false, refusal: { kind: 'values_affected', affectedValues: 3, message: 'The custom field has 3 stored values; use force to delete it together with its values' } },
    ],
    [
      1,
      false,
      { ok: false, refusal: { kind: 'values_affected', affectedValues: 1, message: 'The custom field has 1 stored value; use force to delete it together with its value' } },
    ],
  ])('%i stored values, force %s', (count, force, expected) => {
    expect(decideCustomFieldDeletion(count, force)).toEqual(expected);
  });
});
