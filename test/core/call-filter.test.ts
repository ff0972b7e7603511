import { describe, expect, it } from 'vitest';
import { decideCallFilter, NO_FILTER, type CallFilterInput, type FilterProblem } from '../../src/core/call-filter.js';
import { findFieldToRead, valuesToShow } from '../../src/core/call-values.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../../src/core/custom-field.js';

const ID = {
  status: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d',
  type: '9079d60a-5192-11ee-aa89-0015172d2a7d',
  amount: '00000000-0000-4000-8000-000000000002',
  retired: '00000000-0000-4000-8000-000000000005',
} as const;

const define = (f: Pick<CustomFieldDefinition, 'fieldId' | 'name'> & Partial<CustomFieldDefinition>): CustomFieldDefinition => ({
  tenantId: 't',
  description: null,
  type: 'text',
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  ...f,
});

const FIELDS = [
  define({ fieldId: ID.amount, name: 'Amount', type: 'number' }),
  define({ fieldId: ID.type, name: 'Call type' }),
  define({ fieldId: ID.status, name: 'Payment status', type: 'option', options: ['Paid', 'Unpaid'] }),
  define({ fieldId: ID.retired, name: 'Retired', enabled: false }),
];

describe('decideCallFilter', () => {
  it.each<[string, CallFilterInput, Partial<typeof NO_FILTER>]>([
    ['nothing', {}, {}],
    ['nulls', { setupTimeFrom: null, setupTimeTo: null, direction: null, number: null, customFields: null }, {}],
    ['a date range (ends included)', { setupTimeFrom: '2026-01-01T00:00:00.000Z', setupTimeTo: '2026-01-01T00:00:00.000Z' }, { setupTimeFrom: '2026-01-01T00:00:00.000Z', setupTimeTo: '2026-01-01T00:00:00.000Z' }],
    ['a direction', { direction: 'outbound' }, { direction: 'outbound' }],
    ['a number prefix, kept exactly', { number: '+49 30' }, { numberPrefix: '+49 30' }],
    ['an empty number is no condition', { number: '' }, {}],
    ['equals by id', { customFields: [{ fieldId: ID.status, equals: 'Paid' }] }, { customFields: [{ fieldId: ID.status, equals: 'Paid' }] }],
    ['equals by upper-case id', { customFields: [{ fieldId: ID.status.toUpperCase(), equals: 'Paid' }] }, { customFields: [{ fieldId: ID.status, equals: 'Paid' }] }],
    ['in by name, duplicates dropped', { customFields: [{ name: 'Payment status', in: ['Paid', 'Paid', 'Unpaid'] }] }, { customFields: [{ fieldId: ID.status, in: ['Paid', 'Unpaid'] }] }],
    ['the id beats the name', { customFields: [{ fieldId: ID.amount, name: 'Payment status', isSet: true }] }, { customFields: [{ fieldId: ID.amount, isSet: true }] }],
    ['the id beats a name that names nothing', { customFields: [{ fieldId: ID.amount, name: 'Nope', isSet: false }] }, { customFields: [{ fieldId: ID.amount, isSet: false }] }],
    ['an empty in list', { customFields: [{ name: 'Amount', in: [] }] }, { customFields: [{ fieldId: ID.amount, in: [] }] }],
    ['two conditions on one field', { customFields: [{ name: 'Amount', isSet: true }, { name: 'Amount', equals: '1' }] }, { customFields: [{ fieldId: ID.amount, isSet: true }, { fieldId: ID.amount, equals: '1' }] }],
    ['the condition in is', { customFields: [{ name: 'Payment status', is: { in: ['Paid', 'Paid'] } }] }, { customFields: [{ fieldId: ID.status, in: ['Paid'] }] }],
    ['is with null beside it', { customFields: [{ name: 'Amount', is: { isSet: false }, equals: null }] }, { customFields: [{ fieldId: ID.amount, isSet: false }] }],
  ])('%s', (_label, input, expected) => {
    expect(decideCallFilter(input, FIELDS)).toEqual({ ok: true, filter: { ...NO_FILTER, ...expected } });
  });

  it.each<[string, CallFilterInput, FilterProblem[]]>([
    ['an unknown name', { customFields: [{ name: 'Nope', equals: 'x' }] }, [{ path: 'customFields.0.name', message: 'Unknown custom field' }]],
    ['a near-miss name', { customFields: [{ name: 'AMOUNT', equals: '1' }] }, [{ path: 'customFields.0.name', message: 'Unknown custom field; did you mean "Amount"?' }]],
    ['an unknown id, even with a good name', { customFields: [{ fieldId: '99999999-9999-4999-8999-999999999999', name: 'Amount', equals: '1' }] }, [{ path: 'customFields.0.fieldId', message: 'Unknown custom field' }]],
    ['a disabled field', { customFields: [{ name: 'Retired', isSet: true }] }, [{ path: 'customFields.0.name', message: 'Custom field is disabled' }]],
    ['no reference', { customFields: [{ equals: 'x' }] }, [{ path: 'customFields.0', message: 'Either fieldId or name is required' }]],
    ['no condition', { customFields: [{ name: 'Amount' }] }, [{ path: 'customFields.0', message: 'Give exactly one of equals, in or isSet' }]],
    ['null conditions', { customFields: [{ name: 'Amount', equals: null, in: null, isSet: null }] }, [{ path: 'customFields.0', message: 'Give exactly one of equals, in or isSet' }]],
    ['two conditions', { customFields: [{ name: 'Amount', equals: '1', in: ['1'] }] }, [{ path: 'customFields.0', message: 'Give exactly one of equals, in or isSet' }]],
    ['is and a condition beside the reference', { customFields: [{ name: 'Amount', is: { equals: '1' }, isSet: true }] }, [{ path: 'customFields.0', message: 'Give the condition in is or beside the field reference, not both' }]],
    ['two conditions in is (past @oneOf)', { customFields: [{ name: 'Amount', is: { equals: '1', isSet: true } }] }, [{ path: 'customFields.0.is', message: 'Give exactly one of equals, in or isSet' }]],
    ['too many in values in is', { customFields: [{ name: 'Amount', is: { in: Array.from({ length: 1001 }, (_, i) => String(i)) } }] }, [{ path: 'customFields.0.is.in', message: 'in takes at most 1000 values' }]],
    ['too many in values', { customFields: [{ name: 'Amount', in: Array.from({ length: 1001 }, (_, i) => String(i)) }] }, [{ path: 'customFields.0.in', message: 'in takes at most 1000 values' }]],
    ['too many filters', { customFields: Array.from({ length: 21 }, () => ({ name: 'Amount', isSet: true })) }, [{ path: 'customFields', message: 'At most 20 custom field filters' }]],
    ['an inverted date range', { setupTimeFrom: '2026-01-02T00:00:00.000Z', setupTimeTo: '2026-01-01T00:00:00.000Z' }, [{ path: 'setupTimeTo', message: 'setupTimeTo is before setupTimeFrom' }]],
    ['a number of 65 characters', { number: '1'.repeat(65) }, [{ path: 'number', message: 'number is longer than 64 characters' }]],
    [
      'equals longer than the text field takes (255 by default)',
      { customFields: [{ name: 'Call type', equals: 'x'.repeat(256) }] },
      [{ path: 'customFields.0.equals', message: 'equals is longer than the field\'s max length of 255 characters' }],
    ],
    [
      'an in value longer than the field takes',
      { customFields: [{ name: 'Call type', is: { in: ['short', 'y'.repeat(256)] } }] },
      [{ path: 'customFields.0.is.in.1', message: 'in.1 is longer than the field\'s max length of 255 characters' }],
    ],
    [
      'every problem at once',
      { setupTimeFrom: '2026-01-02T00:00:00.000Z', setupTimeTo: '2026-01-01T00:00:00.000Z', customFields: [{ name: 'Amount', isSet: true }, { name: 'Nope' }] },
      [
        { path: 'setupTimeTo', message: 'setupTimeTo is before setupTimeFrom' },
        { path: 'customFields.1.name', message: 'Unknown custom field' },
        { path: 'customFields.1', message: 'Give exactly one of equals, in or isSet' },
      ],
    ],
  ])('%s is refused', (_label, input, problems) => {
    expect(decideCallFilter(input, FIELDS)).toEqual({ ok: false, problems });
  });
});

it('takes filter values up to the field\'s max length, counted in code points', () => {
  const longest = '😀'.repeat(255);
  expect(decideCallFilter({ customFields: [{ name: 'Call type', equals: longest }] }, FIELDS)).toMatchObject({ ok: true });
  expect(decideCallFilter({ customFields: [{ name: 'Call type', in: ['a', longest] }] }, FIELDS)).toMatchObject({ ok: true });
  // other types have no max length
  expect(decideCallFilter({ customFields: [{ name: 'Amount', equals: '1'.repeat(300) }] }, FIELDS)).toMatchObject({ ok: true });
});

describe('findFieldToRead', () => {
  it('finds an enabled field by id (winning) or exact name', () => {
    expect(findFieldToRead({ fieldId: ID.type, name: 'Amount' }, FIELDS)).toEqual({ ok: true, field: FIELDS[1] });
    expect(findFieldToRead({ name: 'Amount' }, FIELDS)).toEqual({ ok: true, field: FIELDS[0] });
  });

  it('refuses a disabled field, an unknown field and no reference', () => {
    expect(findFieldToRead({ fieldId: ID.retired }, FIELDS)).toEqual({ ok: false, attribute: 'fieldId', message: 'Custom field is disabled' });
    expect(findFieldToRead({ name: 'amount' }, FIELDS)).toEqual({ ok: false, attribute: 'name', message: 'Unknown custom field; did you mean "Amount"?' });
    expect(findFieldToRead({}, FIELDS)).toEqual({ ok: false, attribute: null, message: 'Either fieldId or name is required' });
  });
});

describe('valuesToShow', () => {
  const text = { type: 'text', options: null, maxLength: null } as const;
  const stored: CustomFieldValue[] = [
    { fieldId: ID.type, name: 'Call type', value: 'Sales call', updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: 'editor', definition: text },
  ];
  const unset = (fieldId: string, name: string, definition: CustomFieldValue['definition']) => ({
    fieldId,
    name,
    value: null,
    updatedAt: null,
    updatedBy: null,
    definition,
  });

  it('shows the stored values as they are without includeEmpty', () => {
    expect(valuesToShow(stored, FIELDS, false)).toEqual(stored);
  });

  it('with includeEmpty shows every enabled field by name, null where unset', () => {
    expect(valuesToShow(stored, [...FIELDS].reverse(), true)).toEqual([
      unset(ID.amount, 'Amount', { type: 'number', options: null, maxLength: null }),
      stored[0],
      unset(ID.status, 'Payment status', { type: 'option', options: ['Paid', 'Unpaid'], maxLength: null }),
    ]);
  });
});
