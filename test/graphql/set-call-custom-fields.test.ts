import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD, NOW } from '../support/fixtures.js';
import { firstCodePoints, incompressibleText, LONG_TEXT } from '../support/long-values.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

interface Entry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
}

interface ResultCall {
  id: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  version: number;
  customFields: { fieldId: string; name: string; value: string; updatedAt: string; updatedBy: string | null }[];
}

interface Result {
  __typename: 'SetCallCustomFieldsSuccess' | 'InvalidRecordError' | 'NotFoundError' | 'ForbiddenError';
  call?: ResultCall;
  message?: string;
  details?: { path: string; message: string }[];
}

const MUTATION = /* GraphQL */ `
  mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) {
      __typename
      ... on SetCallCustomFieldsSuccess {
        call {
          id setupTime fromNumber toNumber direction duration version
          customFields { fieldId name value updatedAt updatedBy }
        }
      }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
    }
  }`;

/** The values of CALL.first as the fixtures import them. */
const FIRST_CALL_VALUES = {
  [FIELD.callType]: 'Support call',
  [FIELD.notes]: 'keep me',
  [FIELD.locked]: 'immutable',
};

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

async function setFields(customFields: Entry[], options: { callId?: string; as?: Who } = {}): Promise<Result> {
  const { status, body } = await t.graphql<{ setCallCustomFields: Result }>(
    MUTATION,
    { callId: options.callId ?? CALL.first, customFields },
    options.as ?? 'editor',
  );
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data!.setCallCustomFields;
}

/** Asserts the request was rejected as invalid with exactly these details and that nothing was written. */
async function expectRejected(customFields: Entry[], details: { path: string; message: string }[]) {
  const before = await t.stored(CALL.first);
  const result = await setFields(customFields);
  expect(result).toEqual({ __typename: 'InvalidRecordError', message: 'Record Validation errors', details });
  expect(await t.stored(CALL.first)).toEqual(before);
}

const otherTenantId = async () => (await t.store.findTenantByName('other'))!.id;

describe('rule 1: only the listed fields change', () => {
  it('setting one field leaves every other value of the call as it was', async () => {
    const result = await setFields([{ fieldId: FIELD.paymentStatus, value: 'Paid' }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { ...FIRST_CALL_VALUES, [FIELD.paymentStatus]: 'Paid' } });
  });

  it('overwriting one existing value leaves the others alone', async () => {
    await setFields([{ name: 'Notes', value: 'new note' }]);
    expect((await t.stored(CALL.first))!.values).toEqual({ ...FIRST_CALL_VALUES, [FIELD.notes]: 'new note' });
  });

  it('touches no other call, not even of another tenant', async () => {
    const second = await t.stored(CALL.second);
    const other = await t.stored(CALL.otherTenant, await otherTenantId());
    await setFields([
      { fieldId: FIELD.paymentStatus, value: 'Paid' },
      { name: 'Notes', value: null },
    ]);
    expect(await t.stored(CALL.second)).toEqual(second);
    expect(await t.stored(CALL.otherTenant, await otherTenantId())).toEqual(other);
  });
});

describe('rule 2: fieldId wins over name, otherwise the exact name', () => {
  it('uses the id and ignores a name that names another field', async () => {
    await setFields([{ fieldId: FIELD.callType, name: 'Payment status', value: 'Sales call' }]);
    const { values } = (await t.stored(CALL.first))!;
    expect(values[FIELD.callType]).toBe('Sales call');
    expect(values).not.toHaveProperty(FIELD.paymentStatus);
  });

  it('uses the id and ignores a name that names no field', async () => {
    const result = await setFields([{ fieldId: FIELD.callType, name: 'There is no such field', value: 'Sales call' }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('Sales call');
  });

  it('an unknown id is an error at fieldId even when the name names a real field', async () => {
    await expectRejected(
      [{ fieldId: '00000000-0000-4000-8000-0000000000ff', name: 'Call type', value: 'Sales call' }],
      [{ path: 'customFields.0.fieldId', message: 'Unknown custom field' }],
    );
  });

  it('resolves an upper-case field UUID', async () => {
    await setFields([{ fieldId: FIELD.paymentStatus.toUpperCase(), value: 'Unpaid' }]);
    expect((await t.stored(CALL.first))!.values[FIELD.paymentStatus]).toBe('Unpaid');
  });

  it('without an id, resolves the exact name', async () => {
    await setFields([{ name: 'Follow-up date', value: '2026-02-01' }]);
    expect((await t.stored(CALL.first))!.values[FIELD.followUp]).toBe('2026-02-01');
  });

  it.each([
    ['payment status', 'Payment status'],
    ['CALL TYPE', 'Call type'],
    ['notes', 'Notes'],
  ])('a name that differs only in case (%j) is rejected with a suggestion', async (name, suggestion) => {
    await expectRejected([{ name, value: 'x' }], [{ path: 'customFields.0.name', message: `Unknown custom field; did you mean "${suggestion}"?` }]);
  });
});

describe('rule 3: null and "" clear; a missing value is an error', () => {
  it.each([
    ['null', null],
    ['""', ''],
  ])('value %s deletes the stored value', async (_label, value) => {
    const result = await setFields([{ fieldId: FIELD.notes, value }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.customFields.map((f) => f.fieldId)).not.toContain(FIELD.notes);
    const { [FIELD.notes]: _cleared, ...rest } = FIRST_CALL_VALUES;
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: rest });
  });

  it('"" clears an option field although "" is not one of its options', async () => {
    await setFields([{ name: 'Payment status', value: 'Paid' }]);
    await setFields([{ name: 'Payment status', value: '' }]);
    expect((await t.stored(CALL.first))!.values).not.toHaveProperty(FIELD.paymentStatus);
  });

  it('clearing a field that has no value succeeds and stores nothing', async () => {
    const result = await setFields([{ name: 'Amount', value: null }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await t.stored(CALL.first))!.values).toEqual(FIRST_CALL_VALUES);
  });

  it('leaving the value key out is an error at customFields.N.value and writes nothing', async () => {
    await expectRejected(
      [{ name: 'Payment status', value: 'Paid' }, { name: 'Notes' }],
      [{ path: 'customFields.1.value', message: 'Value is required; use null to clear' }],
    );
  });

  it('leaving the value out of an inline literal is the same error', async () => {
    const before = await t.stored(CALL.first);
    const { body } = await t.graphql<{ setCallCustomFields: Result }>(`
      mutation {
        setCallCustomFields(callId: "${CALL.first}", customFields: [{ fieldId: "${FIELD.notes}" }]) {
          __typename
          ... on Error { message }
          ... on InvalidRecordError { details { path message } }
        }
      }`);
    expect(body.data!.setCallCustomFields).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [{ path: 'customFields.0.value', message: 'Value is required; use null to clear' }],
    });
    expect(await t.stored(CALL.first)).toEqual(before);
  });
});

describe('rule 4: all or nothing, every problem listed', () => {
  it('one invalid entry rejects the valid ones too; version and values are unchanged', async () => {
    await expectRejected(
      [
        { fieldId: FIELD.paymentStatus, value: 'Paid' },
        { name: 'Notes', value: null },
        { name: 'Amount', value: 'abc' },
      ],
      [{ path: 'customFields.2.value', message: 'Value is not a valid number' }],
    );
  });

  it('lists every invalid entry with its index and attribute', async () => {
    await expectRejected(
      [
        { name: 'Notes', value: 'far too long for ten' },
        { fieldId: '00000000-0000-4000-8000-0000000000ff', value: 'x' },
        { name: 'No such field', value: 'x' },
        { value: 'x' },
        { fieldId: FIELD.callType, value: 'fine on its own' },
      ],
      [
        { path: 'customFields.0.value', message: 'Value is too long' },
        { path: 'customFields.1.fieldId', message: 'Unknown custom field' },
        { path: 'customFields.2.name', message: 'Unknown custom field' },
        { path: 'customFields.3', message: 'Either field_id or name is required' },
      ],
    );
  });

  it('a rejected request leaves the call usable: the next valid request bumps the version once', async () => {
    await expectRejected([{ name: 'Amount', value: 'NaN' }], [{ path: 'customFields.0.value', message: 'Value is not a valid number' }]);
    await setFields([{ name: 'Amount', value: '3' }]);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { ...FIRST_CALL_VALUES, [FIELD.amount]: '3' } });
  });
});

describe('at most 1000 entries', () => {
  const TOO_MANY = [{ path: 'customFields', message: 'At most 1000 custom fields can be set in one request' }];
  const entries = (count: number): Entry[] => Array.from({ length: count }, () => ({ fieldId: FIELD.notes, value: 'x' }));

  it('refuses a longer list as a whole, with one detail, writing nothing', async () => {
    await expectRejected(entries(1001), TOO_MANY);
  });

  it('checks a list of exactly 1000 entry by entry', async () => {
    const result = await setFields(entries(1000));
    expect(result.__typename).toBe('InvalidRecordError');
    expect(result.details).toHaveLength(999);
    expect(result.details![0]).toEqual({ path: 'customFields.1.fieldId', message: 'Custom field is listed more than once' });
  });

  it('answers a viewer as forbidden first', async () => {
    expect(await setFields(entries(1001), { as: 'viewer' })).toEqual({
      __typename: 'ForbiddenError',
      message: 'API user has no permission to update call records',
    });
  });
});

describe('rule 5: the exact message for each problem', () => {
  it.each<[string, Entry, string, string]>([
    ['neither id nor name', { value: 'x' }, 'customFields.0', 'Either field_id or name is required'],
    ['null id and null name', { fieldId: null, name: null, value: 'x' }, 'customFields.0', 'Either field_id or name is required'],
    ['an unknown field id', { fieldId: '00000000-0000-4000-8000-0000000000ff', value: 'x' }, 'customFields.0.fieldId', 'Unknown custom field'],
    ['a field id that is no UUID', { fieldId: 'Call type', value: 'x' }, 'customFields.0.fieldId', 'Unknown custom field'],
    ['an unknown name', { name: 'Colour', value: 'x' }, 'customFields.0.name', 'Unknown custom field'],
    ['another tenant\'s field by id', { fieldId: FIELD.otherTenant, value: 'x' }, 'customFields.0.fieldId', 'Unknown custom field'],
    ['another tenant\'s field by name', { name: 'Secret', value: 'x' }, 'customFields.0.name', 'Unknown custom field'],
    ['a field that is not editable', { fieldId: FIELD.locked, value: 'x' }, 'customFields.0.fieldId', 'Custom field is not editable'],
    ['clearing a field that is not editable', { name: 'Locked', value: null }, 'customFields.0.name', 'Custom field is not editable'],
    ['a disabled field by id', { fieldId: FIELD.retired, value: 'x' }, 'customFields.0.fieldId', 'Custom field is disabled'],
    ['a disabled field by name', { name: 'Retired', value: 'x' }, 'customFields.0.name', 'Custom field is disabled'],
    ['a text over its max_length of 10', { name: 'Notes', value: '12345678901' }, 'customFields.0.value', 'Value is too long'],
    ['11 emoji over max_length 10', { name: 'Notes', value: '😀'.repeat(11) }, 'customFields.0.value', 'Value is too long'],
    ['a text over the default 255', { name: 'Call type', value: 'x'.repeat(256) }, 'customFields.0.value', 'Value is too long'],
    ['a value that is no option', { name: 'Payment status', value: 'Refunded' }, 'customFields.0.value', 'Value is not one of the allowed options'],
    ['an option in the wrong case', { name: 'Payment status', value: 'unknown' }, 'customFields.0.value', 'Value is not one of the allowed options'],
    ['"1,5" for a number', { name: 'Amount', value: '1,5' }, 'customFields.0.value', 'Value is not a valid number'],
    ['"abc" for a number', { name: 'Amount', value: 'abc' }, 'customFields.0.value', 'Value is not a valid number'],
    ['"Infinity" for a number', { name: 'Amount', value: 'Infinity' }, 'customFields.0.value', 'Value is not a valid number'],
    ['"NaN" for a number', { name: 'Amount', value: 'NaN' }, 'customFields.0.value', 'Value is not a valid number'],
    ['2023-02-30 for a date', { name: 'Follow-up date', value: '2023-02-30' }, 'customFields.0.value', 'Value is not a valid date'],
    ['2023-2-1 for a date', { name: 'Follow-up date', value: '2023-2-1' }, 'customFields.0.value', 'Value is not a valid date'],
  ])('%s', async (_label, entry, path, message) => {
    await expectRejected([entry], [{ path, message }]);
  });

  it.each<[string, Entry[], string]>([
    ['twice by id', [{ fieldId: FIELD.amount, value: '1' }, { fieldId: FIELD.amount, value: '2' }], 'customFields.1.fieldId'],
    ['by id and by name', [{ fieldId: FIELD.amount, value: '1' }, { name: 'Amount', value: '2' }], 'customFields.1.name'],
    ['by name and by upper-case id', [{ name: 'Amount', value: '1' }, { fieldId: FIELD.amount.toUpperCase(), value: null }], 'customFields.1.fieldId'],
  ])('a field listed %s: "Custom field is listed more than once"', async (_label, entries, path) => {
    await expectRejected(entries, [{ path, message: 'Custom field is listed more than once' }]);
  });

  it.each([
    ['10 emoji against max_length 10', 'Notes', '😀'.repeat(10)],
    ['255 characters under the default', 'Call type', 'é'.repeat(255)],
    ['a decimal number', 'Amount', '-12.50'],
    ['a leap day', 'Follow-up date', '2024-02-29'],
  ])('accepts %s and stores it byte for byte', async (_label, name, value) => {
    const result = await setFields([{ name, value }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.customFields.find((f) => f.name === name)!.value).toBe(value);
    expect(Object.values((await t.stored(CALL.first))!.values)).toContain(value);
  });
});

describe('rule 6: permissions and tenants', () => {
  const FORBIDDEN = { __typename: 'ForbiddenError', message: 'API user has no permission to update call records' };
  const NOT_FOUND = { __typename: 'NotFoundError', message: 'Call not found' };

  it('a viewer is forbidden and nothing is written', async () => {
    const before = await t.stored(CALL.first);
    expect(await setFields([{ fieldId: FIELD.paymentStatus, value: 'Paid' }], { as: 'viewer' })).toEqual(FORBIDDEN);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it.each([
    ['an unknown call id', '99999999-9999-4999-8999-999999999999'],
    ['another tenant\'s call', CALL.otherTenant],
    ['a call id that is no UUID', 'not-a-uuid'],
  ])('a viewer is forbidden before any lookup, even for %s', async (_label, callId) => {
    expect(await setFields([{ fieldId: FIELD.paymentStatus, value: 'Paid' }], { as: 'viewer', callId })).toEqual(FORBIDDEN);
  });

  it('a viewer is forbidden before validation', async () => {
    expect(await setFields([{ name: 'No such field' }], { as: 'viewer' })).toEqual(FORBIDDEN);
  });

  it('another tenant\'s call is "Call not found", exactly like a call that does not exist', async () => {
    const otherTenant = await otherTenantId();
    const before = await t.stored(CALL.otherTenant, otherTenant);
    const foreign = await setFields([{ fieldId: FIELD.otherTenant, value: 'overwritten' }], { callId: CALL.otherTenant });
    const missing = await setFields([{ fieldId: FIELD.otherTenant, value: 'overwritten' }], { callId: '99999999-9999-4999-8999-999999999999' });
    expect(foreign).toEqual(NOT_FOUND);
    expect(missing).toEqual(foreign);
    expect(await t.stored(CALL.otherTenant, otherTenant)).toEqual(before);
  });

  it.each(['not-a-uuid', '', '11111111-1111-4111-8111-11111111111', `${CALL.first}x`, "' OR 1=1 --"])(
    'a callId that is no UUID (%j) is "Call not found"',
    async (callId) => {
      expect(await setFields([{ name: 'Amount', value: '1' }], { callId })).toEqual(NOT_FOUND);
    },
  );

  it('an upper-case call UUID names the call', async () => {
    const result = await setFields([{ name: 'Amount', value: '1' }], { callId: CALL.first.toUpperCase() });
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.id).toBe(CALL.first);
    expect((await t.stored(CALL.first))!.values[FIELD.amount]).toBe('1');
  });

  it('an admin may update calls', async () => {
    const result = await setFields([{ name: 'Amount', value: '7' }], { as: 'admin' });
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.customFields.find((f) => f.fieldId === FIELD.amount)).toMatchObject({ value: '7', updatedBy: 'admin' });
  });

  it('an editor of the other tenant updates its own call with its own field, and cannot reach ours', async () => {
    const own = await setFields([{ name: 'Secret', value: 'mine' }], { as: 'otherEditor', callId: CALL.otherTenant });
    expect(own.__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await t.stored(CALL.otherTenant, await otherTenantId()))!.values[FIELD.otherTenant]).toBe('mine');
    expect(await setFields([{ name: 'Amount', value: '1' }], { as: 'otherEditor', callId: CALL.first })).toEqual(NOT_FOUND);
  });
});

describe('rule 7: the result, the version and who changed what', () => {
  it('returns the whole call as it is after the update', async () => {
    const result = await setFields([
      { fieldId: FIELD.paymentStatus, value: 'Paid' },
      { name: 'Notes', value: null },
    ]);
    expect(result).toEqual({
      __typename: 'SetCallCustomFieldsSuccess',
      call: {
        id: CALL.first,
        setupTime: '2026-01-01T09:00:00.000Z',
        fromNumber: '+4930111',
        toNumber: '+4930222',
        direction: 'INBOUND',
        duration: 61,
        version: 2,
        customFields: [
          { fieldId: FIELD.callType, name: 'Call type', value: 'Support call', updatedAt: NOW, updatedBy: null },
          { fieldId: FIELD.locked, name: 'Locked', value: 'immutable', updatedAt: NOW, updatedBy: null },
          { fieldId: FIELD.paymentStatus, name: 'Payment status', value: 'Paid', updatedAt: NOW, updatedBy: 'editor' },
        ],
      },
    });
  });

  it('the returned call matches what Query.call reads afterwards', async () => {
    const result = await setFields([{ name: 'Amount', value: '42' }]);
    const { body } = await t.graphql<{ call: ResultCall }>(
      `query($id: ID!) { call(id: $id) { id setupTime fromNumber toNumber direction duration version customFields { fieldId name value updatedAt updatedBy } } }`,
      { id: CALL.first },
    );
    expect(body.data!.call).toEqual(result.call);
  });

  it('each successful request bumps the version by exactly one, however many entries it has', async () => {
    expect((await setFields([{ name: 'Amount', value: '1' }])).call!.version).toBe(2);
    expect(
      (await setFields([
        { name: 'Amount', value: '2' },
        { name: 'Payment status', value: 'Paid' },
        { name: 'Notes', value: null },
      ])).call!.version,
    ).toBe(3);
    expect((await setFields([{ name: 'Amount', value: '2' }])).call!.version).toBe(4);
    expect((await t.stored(CALL.first))!.version).toBe(4);
  });

  it('concurrent successful requests each bump the version once', async () => {
    const results = await Promise.all(['1', '2', '3', '4', '5'].map((value) => setFields([{ name: 'Amount', value }])));
    expect(results.map((r) => r.call!.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await t.stored(CALL.first))!.version).toBe(6);
  });

  it('records updatedBy = the username and updatedAt = now on changed values only', async () => {
    await setFields([{ name: 'Amount', value: '5' }]);
    const found = await t.store.getCall(t.tenantId, CALL.first);
    const byField = Object.fromEntries(found!.customFields.map((v) => [v.fieldId, v]));
    expect(byField[FIELD.amount]).toMatchObject({ value: '5', updatedAt: NOW, updatedBy: 'editor' });
    expect(byField[FIELD.callType]).toMatchObject({ value: 'Support call', updatedBy: null });
    expect(byField[FIELD.notes]).toMatchObject({ value: 'keep me', updatedBy: null });
  });

  it('overwriting an imported value records the user who overwrote it', async () => {
    const result = await setFields([{ name: 'Call type', value: 'Sales call' }], { as: 'admin' });
    expect(result.call!.customFields.find((f) => f.fieldId === FIELD.callType)).toEqual({
      fieldId: FIELD.callType,
      name: 'Call type',
      value: 'Sales call',
      updatedAt: NOW,
      updatedBy: 'admin',
    });
  });

  it('an empty list is a successful no-op: version and values unchanged', async () => {
    const before = await t.stored(CALL.first);
    const result = await setFields([]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.version).toBe(1);
    expect(result.call!.id).toBe(CALL.first);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('an empty list for a call that does not exist is still "Call not found"', async () => {
    expect(await setFields([], { callId: '99999999-9999-4999-8999-999999999999' })).toEqual({ __typename: 'NotFoundError', message: 'Call not found' });
  });
});

describe('the longest values a text field takes', () => {
  async function createLongTextField(): Promise<string> {
    const { body } = await t.graphql<{ createCustomField: { __typename: string; customField?: { id: string } } }>(
      `mutation($input: CreateCustomFieldInput!) {
        createCustomField(input: $input) { __typename ... on CreateCustomFieldSuccess { customField { id } } }
      }`,
      { input: { name: LONG_TEXT.name, type: 'TEXT', maxLength: LONG_TEXT.maxLength } },
      'admin',
    );
    expect(body.data!.createCustomField.__typename).toBe('CreateCustomFieldSuccess');
    return body.data!.createCustomField.customField!.id;
  }

  it('stores an incompressible value of 60,000 characters, 4-byte ones included, and reads it back exactly', async () => {
    const fieldId = await createLongTextField();
    const value = incompressibleText(60_000);
    const result = await setFields([{ fieldId, value }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.customFields.find((f) => f.fieldId === fieldId)!.value).toBe(value);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { ...FIRST_CALL_VALUES, [fieldId]: value } });
  });

  it('overwrites a long value with another that shares its first thousand characters, and stores one on two calls', async () => {
    const fieldId = await createLongTextField();
    const first = incompressibleText(60_000, { fourByte: true });
    const second = firstCodePoints(first, 1000) + incompressibleText(59_000, { seed: 'tail', fourByte: true });
    expect((await setFields([{ fieldId, value: first }])).__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await setFields([{ fieldId, value: second }])).__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await setFields([{ fieldId, value: second }], { callId: CALL.second })).__typename).toBe('SetCallCustomFieldsSuccess');
    expect((await t.stored(CALL.first))!.values[fieldId]).toBe(second);
    expect((await t.stored(CALL.second))!.values[fieldId]).toBe(second);
  });
});

describe('rule 8: the vendor examples work byte for byte', () => {
  const PAYMENT_STATUS = '138fb20c-4c3b-11ee-8cbb-0015172d2a7d';
  const CALL_TYPE = '9079d60a-5192-11ee-aa89-0015172d2a7d';

  it('the fixtures use the vendor field UUIDs', () => {
    expect([FIELD.paymentStatus, FIELD.callType]).toEqual([PAYMENT_STATUS, CALL_TYPE]);
  });

  it.each<[string, Entry[]]>([
    [
      'by id',
      [
        { fieldId: PAYMENT_STATUS, value: 'Unknown' },
        { fieldId: CALL_TYPE, value: 'Sales call' },
      ],
    ],
    [
      'by name',
      [
        { name: 'Payment status', value: 'Unknown' },
        { name: 'Call type', value: 'Sales call' },
      ],
    ],
  ])('"Update custom field %s"', async (_label, entries) => {
    const result = await setFields(entries, { callId: CALL.second });
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(result.call!.customFields.map(({ fieldId, name, value }) => ({ fieldId, name, value }))).toEqual([
      { fieldId: CALL_TYPE, name: 'Call type', value: 'Sales call' },
      { fieldId: PAYMENT_STATUS, name: 'Payment status', value: 'Unknown' },
    ]);
    expect(await t.stored(CALL.second)).toEqual({ version: 2, values: { [PAYMENT_STATUS]: 'Unknown', [CALL_TYPE]: 'Sales call' } });
  });

  it('the clearing example (field_id, name and null) clears "Payment status"', async () => {
    await setFields([{ fieldId: PAYMENT_STATUS, value: 'Unknown' }]);
    const result = await setFields([{ fieldId: PAYMENT_STATUS, name: 'Payment status', value: null }]);
    expect(result.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(await t.stored(CALL.first)).toEqual({ version: 3, values: FIRST_CALL_VALUES });
  });

  it('the examples also work as inline literals', async () => {
    const { body } = await t.graphql<{ setCallCustomFields: Result }>(`
      mutation {
        setCallCustomFields(callId: "${CALL.second}", customFields: [
          { fieldId: "${PAYMENT_STATUS}", value: "Unknown" },
          { name: "Call type", value: "Sales call" }
        ]) {
          __typename
          ... on SetCallCustomFieldsSuccess { call { version customFields { fieldId value } } }
        }
      }`);
    expect(body.data!.setCallCustomFields).toEqual({
      __typename: 'SetCallCustomFieldsSuccess',
      call: {
        version: 2,
        customFields: [
          { fieldId: CALL_TYPE, value: 'Sales call' },
          { fieldId: PAYMENT_STATUS, value: 'Unknown' },
        ],
      },
    });
  });
});

describe('ValidationDetail: where each problem stands, as fields beside path', () => {
  const DETAILS = /* GraphQL */ `
    mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
      setCallCustomFields(callId: $callId, customFields: $customFields) {
        __typename
        ... on InvalidRecordError { details { path message entryIndex fieldId fieldName attribute } }
      }
    }`;

  it('names the entry index, the field reference as sent and the attribute of every refused entry; nothing is written', async () => {
    const before = await t.stored(CALL.first);
    const { status, body } = await t.graphql(DETAILS, {
      callId: CALL.first,
      customFields: [
        { fieldId: FIELD.notes, name: 'ignored: the id wins', value: 'far too long for ten' },
        { name: 'Call type', value: 'Sales call' },
        { name: 'Nope', value: 'x' },
        { value: 'x' },
        { fieldId: 'not-a-uuid', value: 'x' },
      ],
    });
    expect(status).toBe(200);
    expect(body.data.setCallCustomFields.__typename).toBe('InvalidRecordError');
    const details = body.data.setCallCustomFields.details as Record<string, unknown>[];
    expect(details.map(({ path, entryIndex, fieldId, fieldName, attribute }) => ({ path, entryIndex, fieldId, fieldName, attribute }))).toEqual([
      { path: 'customFields.0.value', entryIndex: 0, fieldId: FIELD.notes, fieldName: 'ignored: the id wins', attribute: 'value' },
      { path: 'customFields.2.name', entryIndex: 2, fieldId: null, fieldName: 'Nope', attribute: 'name' },
      { path: 'customFields.3', entryIndex: 3, fieldId: null, fieldName: null, attribute: null },
      { path: 'customFields.4.fieldId', entryIndex: 4, fieldId: 'not-a-uuid', fieldName: null, attribute: 'fieldId' },
    ]);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('a list that is too long is one detail for the whole list: no entry, no attribute', async () => {
    const customFields = Array.from({ length: 1001 }, () => ({ name: 'Notes', value: 'x' }));
    const { body } = await t.graphql(DETAILS, { callId: CALL.first, customFields });
    expect(body.data.setCallCustomFields.details).toEqual([
      { path: 'customFields', message: expect.any(String), entryIndex: null, fieldId: null, fieldName: null, attribute: null },
    ]);
  });

  it('an admin mutation\'s details name the input attribute, and no entry', async () => {
    const { body } = await t.graphql(
      `mutation { createCustomField(input: { name: " ", type: TEXT, maxLength: 0 }) {
        ... on InvalidRecordError { details { path entryIndex fieldId fieldName attribute } } } }`,
      {},
      'admin',
    );
    expect(body.data.createCustomField.details).toEqual([
      { path: 'input.name', entryIndex: null, fieldId: null, fieldName: null, attribute: 'name' },
      { path: 'input.maxLength', entryIndex: null, fieldId: null, fieldName: null, attribute: 'maxLength' },
    ]);
  });
});
