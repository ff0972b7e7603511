import { describe, expect, it } from 'vitest';
import { normalizeTimestamp, readCallImport } from '../../src/core/call.js';
import {
  checkDefinition,
  checkValue,
  DEFAULT_TEXT_MAX_LENGTH,
  encodeOptionList,
  isStoredValueValid,
  type CustomFieldDefinition,
} from '../../src/core/custom-field.js';
import { can, FORBIDDEN_MESSAGE, PERMISSIONS, permissionsOf, ROLES, type Permission, type Role } from '../../src/core/permissions.js';

const define = (f: Partial<CustomFieldDefinition> & Pick<CustomFieldDefinition, 'type'>): CustomFieldDefinition => ({
  fieldId: '00000000-0000-4000-8000-0000000000aa',
  tenantId: 'tenant',
  name: 'Field',
  description: null,
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  ...f,
});

const text = define({ type: 'text' });
const shortText = define({ type: 'text', maxLength: 3 });
const option = define({ type: 'option', options: ['Unknown', 'Paid', 'Unpaid'] });
const number = define({ type: 'number' });
const date = define({ type: 'date' });
const multiselect = define({ type: 'multiselect', options: ['Email', 'Phone', 'Letter'] });
const boolean = define({ type: 'boolean' });

const TOO_LONG = 'Value is too long';
const NOT_AN_OPTION = 'Value is not one of the allowed options';
const NOT_A_NUMBER = 'Value is not a valid number';
const NOT_A_DATE = 'Value is not a valid date';

describe('checkValue', () => {
  describe('text: max_length (default 255) counted in Unicode code points', () => {
    it.each([
      ['255 ASCII characters under the default', text, 'a'.repeat(DEFAULT_TEXT_MAX_LENGTH), null],
      ['256 ASCII characters under the default', text, 'a'.repeat(DEFAULT_TEXT_MAX_LENGTH + 1), TOO_LONG],
      ['255 emoji (510 UTF-16 units) under the default', text, '😀'.repeat(255), null],
      ['256 emoji under the default', text, '😀'.repeat(256), TOO_LONG],
      ['exactly max_length', shortText, 'abc', null],
      ['one over max_length', shortText, 'abcd', TOO_LONG],
      ['3 emoji against max_length 3 (6 UTF-16 units)', shortText, '😀🎉🚀', null],
      ['4 emoji against max_length 3', shortText, '😀🎉🚀✨', TOO_LONG],
      ['3 accented letters against max_length 3', shortText, 'äöü', null],
      ['the vendor example "Sales call"', text, 'Sales call', null],
    ])('%s', (_label, field, value, expected) => {
      expect(checkValue(field, value)).toBe(expected);
    });

    it('uses 255 as the default max length', () => {
      expect(DEFAULT_TEXT_MAX_LENGTH).toBe(255);
    });
  });

  describe('option: the value must be one of the options, exactly', () => {
    it.each([
      ['Unknown', null],
      ['Paid', null],
      ['unknown', NOT_AN_OPTION],
      ['Unknown ', NOT_AN_OPTION],
      ['Refunded', NOT_AN_OPTION],
    ])('%j -> %s', (value, expected) => {
      expect(checkValue(option, value)).toBe(expected);
    });

    it('rejects every value of an option field without options', () => {
      expect(checkValue(define({ type: 'option', options: null }), 'Unknown')).toBe(NOT_AN_OPTION);
    });
  });

  describe('number: decimal literals only', () => {
    it.each([
      ['0', null],
      ['42', null],
      ['-3', null],
      ['1.5', null],
      ['1e3', null],
      ['-2.5E-3', null],
      ['1,5', NOT_A_NUMBER],
      ['abc', NOT_A_NUMBER],
      ['Infinity', NOT_A_NUMBER],
      ['-Infinity', NOT_A_NUMBER],
      ['NaN', NOT_A_NUMBER],
      ['', NOT_A_NUMBER],
      [' 1', NOT_A_NUMBER],
      ['0x10', NOT_A_NUMBER],
      ['1e999', NOT_A_NUMBER],
      ['1.2.3', NOT_A_NUMBER],
    ])('%j -> %s', (value, expected) => {
      expect(checkValue(number, value)).toBe(expected);
    });
  });

  describe('date: a calendar date as YYYY-MM-DD', () => {
    it.each([
      ['2023-09-12', null],
      ['2024-02-29', null],
      ['2023-12-31', null],
      ['2023-02-30', NOT_A_DATE],
      ['2023-02-29', NOT_A_DATE],
      ['2023-04-31', NOT_A_DATE],
      ['2023-13-01', NOT_A_DATE],
      ['2023-00-10', NOT_A_DATE],
      ['2023-01-00', NOT_A_DATE],
      ['2023-2-1', NOT_A_DATE],
      ['2023-02-01T00:00:00Z', NOT_A_DATE],
      ['12.09.2023', NOT_A_DATE],
      ['20230912', NOT_A_DATE],
      ['', NOT_A_DATE],
    ])('%j -> %s', (value, expected) => {
      expect(checkValue(date, value)).toBe(expected);
    });

    it.each(['0100-01-01', '9999-12-31'])('accepts the four-digit year in %j', (value) => {
      expect(checkValue(date, value)).toBeNull();
    });

    it.each(['0050-06-15', '0099-12-31'])('accepts the calendar date %j (year below 100)', (value) => {
      expect(checkValue(date, value)).toBeNull();
    });
  });

  describe('boolean: exactly "true" or "false"', () => {
    it.each([
      ['true', null],
      ['false', null],
      ['True', 'Value is not a valid boolean'],
      ['FALSE', 'Value is not a valid boolean'],
      ['1', 'Value is not a valid boolean'],
      ['yes', 'Value is not a valid boolean'],
      [' true', 'Value is not a valid boolean'],
    ])('%j -> %s', (value, expected) => {
      expect(checkValue(boolean, value)).toBe(expected);
    });
  });

  describe('multiselect: a JSON array of distinct options (the stored text)', () => {
    it.each([
      ['["Email"]', null],
      ['["Email","Letter"]', null],
      ['["Letter","Email"]', null],
      ['[]', null],
      ['["email"]', NOT_AN_OPTION],
      ['["Email","Fax"]', NOT_AN_OPTION],
      ['["Email","Email"]', 'Value lists an option more than once'],
      ['Email', 'Value must be a list of options, e.g. ["A", "B"]'],
      ['{"Email":true}', 'Value must be a list of options, e.g. ["A", "B"]'],
      ['["Email",1]', 'Value must be a list of options, e.g. ["A", "B"]'],
      ['[', 'Value must be a list of options, e.g. ["A", "B"]'],
    ])('%j -> %s', (value, expected) => {
      expect(checkValue(multiselect, value)).toBe(expected);
    });

    it('stores a selection in the order of the options, so equal selections are equal texts', () => {
      expect(encodeOptionList(multiselect, ['Letter', 'Email'])).toBe('["Email","Letter"]');
      expect(encodeOptionList(multiselect, ['Email', 'Letter'])).toBe('["Email","Letter"]');
    });
  });

  it.each([text, option, number, date, boolean])('rejects a NUL character in a $type value', (field) => {
    expect(checkValue(field, 'a\u0000b')).toBe('Value must not contain NUL characters');
  });

  it('rejects a NUL character in a multiselect item', () => {
    expect(checkValue(define({ type: 'multiselect', options: ['a\u0000b'] }), '["a\\u0000b"]')).toBe('Value must not contain NUL characters');
  });
});

describe('isStoredValueValid: a stored value judged by the field\'s current definition', () => {
  it.each<[string, Partial<CustomFieldDefinition> & Pick<CustomFieldDefinition, 'type'>, string, boolean]>([
    ['a text within a lowered max length', { type: 'text', maxLength: 5 }, 'abcde', true],
    ['a text over a lowered max length', { type: 'text', maxLength: 4 }, 'abcde', false],
    ['an option that was removed', { type: 'option', options: ['Paid'] }, 'Unknown', false],
    ['a text that became a number field', { type: 'number' }, 'twelve', false],
    ['a numeric text that became a number field', { type: 'number' }, '12', true],
    ['an option value after the field became multiselect', { type: 'multiselect', options: ['Paid'] }, 'Paid', false],
    ['a selection missing a removed option', { type: 'multiselect', options: ['Email'] }, '["Email","Phone"]', false],
  ])('%s -> %s', (_label, field, value, expected) => {
    expect(isStoredValueValid(define(field), value)).toBe(expected);
  });
});

describe('checkDefinition', () => {
  const base = { name: 'Call type', type: 'text' as const, options: null, maxLength: null };

  it.each([
    ['a plain text field', base, {}],
    ['a text field with a max length', { ...base, maxLength: 10 }, {}],
    ['an option field with options', { ...base, type: 'option' as const, options: ['Unknown', 'Paid'] }, {}],
    ['a multiselect field with options', { ...base, type: 'multiselect' as const, options: ['Email', 'Phone'] }, {}],
    ['a boolean field', { ...base, type: 'boolean' as const }, {}],
    ['a multiselect field without options', { ...base, type: 'multiselect' as const, options: [] }, { options: 'A multiselect field needs at least one option' }],
    ['options on a boolean field', { ...base, type: 'boolean' as const, options: ['yes'] }, { options: 'Only option and multiselect fields have options' }],
    ['a max length of 65535', { ...base, maxLength: 65535 }, {}],
    ['a max length of 65536', { ...base, maxLength: 65536 }, { maxLength: 'Max length must be at most 65535' }],
    ['a name with a tab', { ...base, name: 'Call\ttype' }, { name: 'Name must not contain control characters' }],
    ['a name of 64 characters inside spaces', { ...base, name: `  ${'n'.repeat(64)}  ` }, {}],
    ['an option of 256 characters', { ...base, type: 'option' as const, options: ['o'.repeat(256)] }, { options: 'Options must be at most 255 characters' }],
    ['a description of 1001 characters', { ...base, description: 'd'.repeat(1001) }, { description: 'Description is longer than 1000 characters' }],
    ['a description with a NUL character', { ...base, description: 'a\u0000b' }, { description: 'Description must be valid Unicode text without NUL characters' }],
    ['a description with a lone surrogate', { ...base, description: 'a\ud800b' }, { description: 'Description must be valid Unicode text without NUL characters' }],
    ['a description over several lines', { ...base, description: 'first line\nsecond line' }, {}],
    ['a name of 64 characters', { ...base, name: 'n'.repeat(64) }, {}],
    ['a name of 64 emoji', { ...base, name: '😀'.repeat(64) }, {}],
    ['an empty name', { ...base, name: '' }, { name: 'Name is required' }],
    ['a blank name', { ...base, name: '   ' }, { name: 'Name is required' }],
    ['a name of 65 characters', { ...base, name: 'n'.repeat(65) }, { name: 'Name is longer than 64 characters' }],
    ['an option field without options', { ...base, type: 'option' as const, options: null }, { options: 'An option field needs at least one option' }],
    ['an option field with an empty option list', { ...base, type: 'option' as const, options: [] }, { options: 'An option field needs at least one option' }],
    ['duplicate options', { ...base, type: 'option' as const, options: ['Paid', 'Paid'] }, { options: 'Options must be unique' }],
    ['an empty option', { ...base, type: 'option' as const, options: ['Paid', ''] }, { options: 'Options must not be empty' }],
    ['options on a text field', { ...base, options: ['a'] }, { options: 'Only option and multiselect fields have options' }],
    ['a max length on a number field', { ...base, type: 'number' as const, maxLength: 5 }, { maxLength: 'Only text fields have a max length' }],
    ['a zero max length', { ...base, maxLength: 0 }, { maxLength: 'Max length must be a positive integer' }],
    ['a fractional max length', { ...base, maxLength: 2.5 }, { maxLength: 'Max length must be a positive integer' }],
    [
      'several problems at once',
      { name: '', type: 'date' as const, options: ['x'], maxLength: 3 },
      { name: 'Name is required', options: 'Only option and multiselect fields have options', maxLength: 'Only text fields have a max length' },
    ],
  ])('%s', (_label, input, expected) => {
    expect(checkDefinition(input)).toEqual(expected);
  });
});

describe('normalizeTimestamp', () => {
  it.each([
    ['2023-09-12T08:30:00Z', '2023-09-12T08:30:00.000Z'],
    ['2023-09-12T08:30:00.5Z', '2023-09-12T08:30:00.500Z'],
    ['2023-09-12T08:30Z', '2023-09-12T08:30:00.000Z'],
    ['2023-09-12T10:30:00+02:00', '2023-09-12T08:30:00.000Z'],
    ['2023-09-12T10:30:00+0200', '2023-09-12T08:30:00.000Z'],
    ['2023-09-12T03:30:00-05:00', '2023-09-12T08:30:00.000Z'],
    ['2023-09-12T08:30:00', null],
    ['2023-09-12', null],
    ['2023-09-12 08:30:00Z', null],
    ['12 Sep 2023 08:30:00 GMT', null],
    ['2023-13-01T00:00:00Z', null],
    ['2023-09-12T25:00:00Z', null],
    ['', null],
  ])('%j -> %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });

  it.each([['2023-02-30T00:00:00Z'], ['2023-04-31T12:00:00+02:00']])('rejects the impossible calendar day in %j', (input) => {
    expect(normalizeTimestamp(input)).toBeNull();
  });
});

describe('readCallImport', () => {
  const valid = {
    call_id: '5F0C6D2E-8A4B-4C1D-9E3F-2A7B8C9D0E1F',
    setup_time: '2023-09-12T10:30:00+02:00',
    from_number: '+4930111',
    to_number: '+4930222',
    direction: 'inbound',
    duration: 61,
  };

  it('reads a full call, lower-casing the id and normalising the time to UTC', () => {
    expect(
      readCallImport({
        ...valid,
        custom_fields: [
          { field_id: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d', value: 'Unknown' },
          { name: 'Call type', value: 'Sales call' },
          { name: 'Amount', value: 12 },
          { name: 'Flag', value: true },
          { name: 'Cleared', value: null },
          { name: 'Missing' },
          { name: 'Channels', value: ['Email', 'Phone'] },
          { name: 'No channels', value: [] },
        ],
      }),
    ).toEqual({
      ok: true,
      value: {
        call: {
          callId: '5f0c6d2e-8a4b-4c1d-9e3f-2a7b8c9d0e1f',
          setupTime: '2023-09-12T08:30:00.000Z',
          fromNumber: '+4930111',
          toNumber: '+4930222',
          direction: 'inbound',
          duration: 61,
        },
        customFields: [
          { fieldId: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d', name: null, value: 'Unknown' },
          { fieldId: null, name: 'Call type', value: 'Sales call' },
          { fieldId: null, name: 'Amount', value: '12' },
          { fieldId: null, name: 'Flag', value: 'true' },
          { fieldId: null, name: 'Cleared', value: null },
          { fieldId: null, name: 'Missing', value: undefined },
          { fieldId: null, name: 'Channels', values: ['Email', 'Phone'] },
          { fieldId: null, name: 'No channels', values: [] },
        ],
      },
    });
  });

  it('takes numbers of up to 255 characters, counted in code points', () => {
    expect(readCallImport({ ...valid, from_number: '😀'.repeat(255), to_number: '2'.repeat(255) })).toMatchObject({ ok: true });
  });

  it('defaults direction to unknown, duration to 0 and custom fields to none', () => {
    const { direction: _d, duration: _s, ...rest } = valid;
    const result = readCallImport(rest);
    expect(result).toMatchObject({ ok: true, value: { call: { direction: 'unknown', duration: 0 }, customFields: [] } });
  });

  it.each([
    ['not an object', 'call', 'expected a JSON object'],
    ['an array', [valid], 'expected a JSON object'],
    ['null', null, 'expected a JSON object'],
    ['a missing call_id', { ...valid, call_id: undefined }, 'call_id must be a UUID'],
    ['a call_id that is not a UUID', { ...valid, call_id: '12345' }, 'call_id must be a UUID'],
    ['a setup_time without a time zone', { ...valid, setup_time: '2023-09-12T08:30:00' }, 'setup_time must be an ISO 8601 timestamp with a time zone'],
    ['a numeric setup_time', { ...valid, setup_time: 1694507400 }, 'setup_time must be an ISO 8601 timestamp with a time zone'],
    ['a numeric from_number', { ...valid, from_number: 4930111 }, 'from_number must be a string'],
    ['a missing to_number', { ...valid, to_number: undefined }, 'to_number must be a string'],
    ['a from_number of 256 characters', { ...valid, from_number: '1'.repeat(256) }, 'from_number is longer than 255 characters'],
    ['a to_number of 256 characters', { ...valid, to_number: 'sip:'.padEnd(256, 'x') }, 'to_number is longer than 255 characters'],
    ['an unknown direction', { ...valid, direction: 'sideways' }, 'direction must be one of inbound, outbound, unknown'],
    ['an upper-case direction', { ...valid, direction: 'INBOUND' }, 'direction must be one of inbound, outbound, unknown'],
    ['a negative duration', { ...valid, duration: -1 }, 'duration must be a whole number of seconds'],
    ['a fractional duration', { ...valid, duration: 1.5 }, 'duration must be a whole number of seconds'],
    ['a string duration', { ...valid, duration: '61' }, 'duration must be a whole number of seconds'],
    ['custom_fields that is not an array', { ...valid, custom_fields: {} }, 'custom_fields must be an array'],
    ['a custom field entry that is not an object', { ...valid, custom_fields: [{ name: 'a', value: 'b' }, 'x'] }, 'custom_fields.1 must be an object'],
    ['an object value', { ...valid, custom_fields: [{ name: 'a', value: { x: 1 } }] }, 'custom_fields.0.value must be a string, number, boolean, null or a list of strings'],
    ['a list value with a number in it', { ...valid, custom_fields: [{ name: 'a', value: ['x', 1] }] }, 'custom_fields.0.value must list strings only'],
  ])('rejects %s', (_label, input, message) => {
    expect(readCallImport(input)).toEqual({ ok: false, message });
  });
});

describe('permissions', () => {
  const table: [Role, Permission, boolean][] = [
    ['admin', 'view_calls', true],
    ['admin', 'edit_calls', true],
    ['admin', 'administer', true],
    ['editor', 'view_calls', true],
    ['editor', 'edit_calls', true],
    ['editor', 'administer', false],
    ['viewer', 'view_calls', true],
    ['viewer', 'edit_calls', false],
    ['viewer', 'administer', false],
  ];

  it('the table covers every role and permission', () => {
    expect(table).toHaveLength(ROLES.length * PERMISSIONS.length);
  });

  it.each(table)('can(%s, %s) is %s', (role, permission, allowed) => {
    expect(can(role, permission)).toBe(allowed);
    expect(permissionsOf(role).includes(permission)).toBe(allowed);
  });

  it.each([
    ['admin', ['view_calls', 'edit_calls', 'administer']],
    ['editor', ['view_calls', 'edit_calls']],
    ['viewer', ['view_calls']],
  ] as const)('permissionsOf(%s) lists exactly %j', (role, permissions) => {
    expect([...permissionsOf(role)].sort()).toEqual([...permissions].sort());
  });

  it('uses the vendor wording for a refused update', () => {
    expect(FORBIDDEN_MESSAGE).toBe('API user has no permission to update call records');
  });
});
