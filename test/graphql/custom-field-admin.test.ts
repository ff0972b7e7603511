import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const FIELD_SELECTION = 'id name description type options maxLength editable enabled previousNames';
const RESULT = /* GraphQL */ `
  __typename
  ... on Error {
    message
    ... on InvalidRecordError { details { path message } }
    ... on ConflictError { reason affectedValues }
  }
`;

const CREATE = `mutation($input: CreateCustomFieldInput!) {
  createCustomField(input: $input) { ${RESULT} ... on CreateCustomFieldSuccess { customField { ${FIELD_SELECTION} } } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateCustomFieldInput!, $force: Boolean) {
  updateCustomField(id: $id, input: $input, force: $force) {
    ${RESULT} ... on UpdateCustomFieldSuccess { invalidatedValues customField { ${FIELD_SELECTION} } }
  }
}`;
const DELETE = `mutation($id: ID!, $force: Boolean) {
  deleteCustomField(id: $id, force: $force) { ${RESULT} ... on DeleteCustomFieldSuccess { deletedValues customField { id name } } }
}`;
const SET = `mutation($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
  setCallCustomFields(callId: $callId, customFields: $customFields) {
    __typename
    ... on Error { message }
    ... on InvalidRecordError { details { path message } }
    ... on SetCallCustomFieldsSuccess { call { version customFields { fieldId name value values valid } } }
  }
}`;
const CALL_VALUES = `query($id: ID!) { call(id: $id) { version customFields { fieldId name value values valid } } }`;

async function run(query: string, variables: Record<string, unknown>, as: Who = 'admin') {
  const { status, body } = await t.graphql(query, variables, as);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return Object.values(body.data as Record<string, any>)[0];
}

const create = (input: Record<string, unknown>, as: Who = 'admin') => run(CREATE, { input }, as);
const update = (id: string, input: Record<string, unknown>, options: { force?: boolean; as?: Who } = {}) =>
  run(UPDATE, { id, input, force: options.force }, options.as);
const remove = (id: string, options: { force?: boolean; as?: Who } = {}) => run(DELETE, { id, force: options.force }, options.as);
const setFields = (customFields: Record<string, unknown>[], as: Who = 'editor', callId: string = CALL.first) => run(SET, { callId, customFields }, as);
const callValues = async (id: string = CALL.first) => (await run(CALL_VALUES, { id }, 'viewer')) as { version: number; customFields: any[] };
const definitions = async () =>
  (await t.graphql(`{ customFields(includeDisabled: true) { ${FIELD_SELECTION} } }`, {}, 'admin')).body.data!.customFields as any[];
const fieldNamed = async (name: string) => (await definitions()).find((f) => f.name === name);
const valueOf = async (fieldId: string, callId: string = CALL.first) => (await callValues(callId)).customFields.find((v) => v.fieldId === fieldId);

const NOT_FOUND = { __typename: 'NotFoundError', message: 'Custom field not found' };
const FORBIDDEN = { __typename: 'ForbiddenError', message: 'API user has no permission to administer custom fields' };

describe('createCustomField', () => {
  it('creates a field an editor can use at once, with the name trimmed and its case kept', async () => {
    const result = await create({ name: '  Customer ID ', type: 'TEXT', maxLength: 12, description: 'From the CRM' });
    expect(result).toEqual({
      __typename: 'CreateCustomFieldSuccess',
      customField: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Customer ID',
        description: 'From the CRM',
        type: 'TEXT',
        options: null,
        maxLength: 12,
        editable: true,
        enabled: true,
        previousNames: [],
      },
    });
    expect(await setFields([{ name: 'Customer ID', value: 'C-1' }])).toMatchObject({ __typename: 'SetCallCustomFieldsSuccess' });
    expect(await setFields([{ name: 'Customer ID', value: 'C-123456789012' }])).toMatchObject({
      details: [{ path: 'customFields.0.value', message: 'Value is too long' }],
    });
  });

  it('takes a UUID for the field when given one', async () => {
    const id = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    expect(await create({ id, name: 'Imported', type: 'DATE' })).toMatchObject({ customField: { id: id.toLowerCase() } });
  });

  it.each([
    ['the same name', 'Call type'],
    ['the name in another case', 'CALL TYPE'],
    ['the name with spaces around it', '  Call type  '],
    ['a disabled field\'s name', 'retired'],
  ])('refuses %s as a ConflictError and writes nothing', async (_label, name) => {
    const before = await definitions();
    const result = await create({ name, type: 'TEXT' });
    expect(result).toMatchObject({ __typename: 'ConflictError', reason: 'DUPLICATE', affectedValues: 0 });
    expect(result.message).toMatch(/^A custom field named "(Call type|Retired)" already exists$/);
    expect(await definitions()).toEqual(before);
  });

  it('an id another tenant uses is a conflict too, and that tenant\'s field is untouched', async () => {
    expect(await create({ id: FIELD.otherTenant, name: 'Mine', type: 'TEXT' })).toMatchObject({
      __typename: 'ConflictError',
      message: 'A custom field with this id already exists',
    });
    const { body } = await t.graphql(`{ customFields { id name } }`, {}, 'otherEditor');
    expect(body.data).toEqual({ customFields: [{ id: FIELD.otherTenant, name: 'Secret' }] });
  });

  it('refuses a call\'s id as a DUPLICATE conflict (node(id:) resolves either kind) and writes nothing', async () => {
    const before = await definitions();
    expect(await create({ id: CALL.first.toUpperCase(), name: 'Mine', type: 'TEXT' })).toMatchObject({
      __typename: 'ConflictError',
      reason: 'DUPLICATE',
      message: 'Id is already used by a call',
    });
    expect(await definitions()).toEqual(before);
  });

  it('lists every invalid attribute at its input path and writes nothing', async () => {
    const before = await definitions();
    expect(await create({ name: ' ', type: 'NUMBER', maxLength: 5, options: ['a'] })).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [
        { path: 'input.name', message: 'Name is required' },
        { path: 'input.options', message: 'Only option and multiselect fields have options' },
        { path: 'input.maxLength', message: 'Only text fields have a max length' },
      ],
    });
    expect(await definitions()).toEqual(before);
  });

  it.each([
    ['65 characters', 'n'.repeat(65), 'Name is longer than 64 characters'],
    ['nothing but spaces', '   ', 'Name is required'],
  ])('refuses a name of %s', async (_label, name, message) => {
    expect(await create({ name, type: 'TEXT' })).toMatchObject({ details: [{ path: 'input.name', message }] });
  });

  it('accepts a name of 64 characters', async () => {
    expect(await create({ name: 'n'.repeat(64), type: 'TEXT' })).toMatchObject({ __typename: 'CreateCustomFieldSuccess' });
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s is forbidden, before validation, and nothing is written', async (who) => {
    const before = await definitions();
    expect(await create({ name: 'Sneaky', type: 'TEXT' }, who)).toEqual(FORBIDDEN);
    expect(await create({ name: '', type: 'OPTION' }, who)).toEqual(FORBIDDEN);
    expect(await definitions()).toEqual(before);
  });

  it('the same name may exist in another tenant; each tenant sees only its own definitions', async () => {
    expect(await create({ name: 'Secret', type: 'TEXT' })).toMatchObject({ __typename: 'CreateCustomFieldSuccess' });
    expect((await definitions()).filter((f) => f.name === 'Secret')).toHaveLength(1);
    const { body } = await t.graphql(`{ customFields { id name } }`, {}, 'otherEditor');
    expect(body.data).toEqual({ customFields: [{ id: FIELD.otherTenant, name: 'Secret' }] });
  });
});

describe('updateCustomField: renames', () => {
  it('keeps the field id and every stored value; the call shows the new name', async () => {
    const result = await update(FIELD.callType, { name: 'Call category' });
    expect(result).toMatchObject({
      __typename: 'UpdateCustomFieldSuccess',
      invalidatedValues: 0,
      customField: { id: FIELD.callType, name: 'Call category', previousNames: ['Call type'] },
    });
    expect(await valueOf(FIELD.callType)).toEqual({ fieldId: FIELD.callType, name: 'Call category', value: 'Support call', values: null, valid: true });
  });

  it('a client still sending the old name is told the new name, and nothing is written', async () => {
    await update(FIELD.callType, { name: 'Call category' });
    const before = await callValues();
    expect(await setFields([{ name: 'Call type', value: 'Sales call' }])).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [{ path: 'customFields.0.name', message: 'Unknown custom field; it was renamed to "Call category"' }],
    });
    expect(await callValues()).toEqual(before);
  });

  it('after a rename, the new name and the id both set the value', async () => {
    await update(FIELD.callType, { name: 'Call category' });
    expect(await setFields([{ name: 'Call category', value: 'Sales call' }])).toMatchObject({ __typename: 'SetCallCustomFieldsSuccess' });
    expect((await valueOf(FIELD.callType)).value).toBe('Sales call');
    expect(await setFields([{ fieldId: FIELD.callType, value: 'Billing call' }])).toMatchObject({ __typename: 'SetCallCustomFieldsSuccess' });
    expect(await valueOf(FIELD.callType)).toMatchObject({ name: 'Call category', value: 'Billing call' });
  });

  it('after two renames, both old names point at the current name', async () => {
    await update(FIELD.callType, { name: 'Call category' });
    await update(FIELD.callType, { name: 'Kind of call' });
    for (const name of ['Call type', 'Call category']) {
      expect(await setFields([{ name, value: 'x' }])).toMatchObject({
        details: [{ path: 'customFields.0.name', message: 'Unknown custom field; it was renamed to "Kind of call"' }],
      });
    }
    expect((await fieldNamed('Kind of call')).previousNames).toEqual(['Call category', 'Call type']);
  });

  it('a new field that takes an old name gets it: the old name then means the new field', async () => {
    await update(FIELD.callType, { name: 'Call category' });
    const created = await create({ name: 'Call type', type: 'TEXT' });
    expect(await setFields([{ name: 'Call type', value: 'new field' }])).toMatchObject({ __typename: 'SetCallCustomFieldsSuccess' });
    expect((await valueOf(created.customField.id)).value).toBe('new field');
    expect((await valueOf(FIELD.callType)).value).toBe('Support call');
    expect((await fieldNamed('Call category')).previousNames).toEqual([]);
  });

  it('renaming to another field\'s name (ignoring case) is a ConflictError and changes nothing', async () => {
    const before = await definitions();
    expect(await update(FIELD.callType, { name: 'payment status' })).toMatchObject({
      __typename: 'ConflictError',
      reason: 'DUPLICATE',
      message: 'A custom field named "Payment status" already exists',
    });
    expect(await definitions()).toEqual(before);
  });

  it('changing only the case of the name is allowed and no rename to remember', async () => {
    expect(await update(FIELD.callType, { name: 'Call Type' })).toMatchObject({ customField: { name: 'Call Type', previousNames: [] } });
    expect(await setFields([{ name: 'Call type', value: 'x' }])).toMatchObject({
      details: [{ path: 'customFields.0.name', message: 'Unknown custom field; did you mean "Call Type"?' }],
    });
  });
});

describe('updateCustomField: tightening', () => {
  it('a lower maxLength that stored values exceed is refused without force, counting them; nothing changes', async () => {
    await setFields([{ name: 'Notes', value: 'note two' }], 'editor', CALL.second);
    const before = await definitions();
    expect(await update(FIELD.notes, { maxLength: 3 })).toEqual({
      __typename: 'ConflictError',
      reason: 'STORED_VALUES',
      affectedValues: 2,
      message:
        '2 stored values would no longer be valid under the new definition; use force to apply the change anyway ' +
        '(the values stay stored, flagged as invalid until rewritten)',
    });
    expect(await definitions()).toEqual(before);
    expect(await valueOf(FIELD.notes)).toMatchObject({ value: 'keep me', valid: true });
  });

  it('with force the change applies; the values stay readable, flagged valid: false until rewritten', async () => {
    const result = await update(FIELD.notes, { maxLength: 3 }, { force: true });
    expect(result).toMatchObject({ __typename: 'UpdateCustomFieldSuccess', invalidatedValues: 1, customField: { maxLength: 3 } });
    expect(await valueOf(FIELD.notes)).toEqual({ fieldId: FIELD.notes, name: 'Notes', value: 'keep me', values: null, valid: false });
    expect(await setFields([{ name: 'Notes', value: 'abcd' }])).toMatchObject({ details: [{ message: 'Value is too long' }] });
    await setFields([{ name: 'Notes', value: 'abc' }]);
    expect(await valueOf(FIELD.notes)).toMatchObject({ value: 'abc', valid: true });
  });

  it('loosening again makes a flagged value valid again', async () => {
    await update(FIELD.notes, { maxLength: 3 }, { force: true });
    await update(FIELD.notes, { maxLength: null });
    expect(await valueOf(FIELD.notes)).toMatchObject({ value: 'keep me', valid: true });
  });

  it('removing an option a call uses needs force', async () => {
    await setFields([{ name: 'Payment status', value: 'Unpaid' }]);
    expect(await update(FIELD.paymentStatus, { options: ['Unknown', 'Paid'] })).toMatchObject({ reason: 'STORED_VALUES', affectedValues: 1 });
    expect(await update(FIELD.paymentStatus, { options: ['Unknown', 'Paid'] }, { force: true })).toMatchObject({ invalidatedValues: 1 });
    expect(await valueOf(FIELD.paymentStatus)).toMatchObject({ value: 'Unpaid', valid: false });
  });

  it('changing the type counts the values the new type refuses', async () => {
    await setFields([{ name: 'Call type', value: '42' }], 'editor', CALL.second);
    expect(await update(FIELD.callType, { type: 'NUMBER' })).toMatchObject({ reason: 'STORED_VALUES', affectedValues: 1 });
    expect(await update(FIELD.callType, { type: 'NUMBER' }, { force: true })).toMatchObject({ customField: { type: 'NUMBER', maxLength: null } });
    expect(await valueOf(FIELD.callType)).toMatchObject({ value: 'Support call', valid: false });
    expect(await valueOf(FIELD.callType, CALL.second)).toMatchObject({ value: '42', valid: true });
  });

  it('a tightening no stored value violates needs no force', async () => {
    expect(await update(FIELD.notes, { maxLength: 7 })).toMatchObject({ __typename: 'UpdateCustomFieldSuccess', invalidatedValues: 0 });
  });

  it('force: false is the default and means the same', async () => {
    expect(await update(FIELD.notes, { maxLength: 3 }, { force: false })).toMatchObject({ __typename: 'ConflictError' });
  });
});

describe('updateCustomField: other changes and refusals', () => {
  it('disabling hides the field from customFields and its values from calls; enabling shows them again', async () => {
    await update(FIELD.notes, { enabled: false });
    expect((await t.graphql(`{ customFields { name } }`)).body.data!.customFields.map((f: any) => f.name)).not.toContain('Notes');
    expect(await valueOf(FIELD.notes)).toBeUndefined();
    expect(await setFields([{ name: 'Notes', value: 'x' }])).toMatchObject({ details: [{ message: 'Custom field is disabled' }] });
    await update(FIELD.notes, { enabled: true });
    expect(await valueOf(FIELD.notes)).toMatchObject({ value: 'keep me' });
  });

  it('making a field read-only stops editors from setting it', async () => {
    await update(FIELD.notes, { editable: false, description: 'Read only now' });
    expect(await setFields([{ name: 'Notes', value: 'x' }])).toMatchObject({ details: [{ message: 'Custom field is not editable' }] });
    expect((await fieldNamed('Notes')).description).toBe('Read only now');
  });

  it.each([
    ['another tenant\'s field', FIELD.otherTenant],
    ['an unknown field', '99999999-9999-4999-8999-999999999999'],
    ['an id that is no UUID', 'Notes'],
  ])('%s is "Custom field not found"', async (_label, id) => {
    expect(await update(id, { name: 'Mine now' })).toEqual(NOT_FOUND);
  });

  it('another tenant\'s field stays as it was', async () => {
    await update(FIELD.otherTenant, { name: 'Mine now', enabled: false });
    const { body } = await t.graphql(`{ customFields { id name enabled } }`, {}, 'otherEditor');
    expect(body.data).toEqual({ customFields: [{ id: FIELD.otherTenant, name: 'Secret', enabled: true }] });
  });

  it('invalid changes are listed at their input paths', async () => {
    expect(await update(FIELD.paymentStatus, { name: null, options: [], editable: null })).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [
        { path: 'input.name', message: 'Name is required' },
        { path: 'input.editable', message: 'Editable must be true or false' },
        { path: 'input.options', message: 'An option field needs at least one option' },
      ],
    });
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s is forbidden and nothing changes', async (who) => {
    const before = await definitions();
    expect(await update(FIELD.notes, { name: 'Hijacked' }, { as: who })).toEqual(FORBIDDEN);
    expect(await update(FIELD.notes, { maxLength: 1 }, { as: who, force: true })).toEqual(FORBIDDEN);
    expect(await definitions()).toEqual(before);
  });
});

describe('deleteCustomField', () => {
  it('deletes a field without values at once', async () => {
    expect(await remove(FIELD.amount)).toEqual({
      __typename: 'DeleteCustomFieldSuccess',
      deletedValues: 0,
      customField: { id: FIELD.amount, name: 'Amount' },
    });
    expect(await fieldNamed('Amount')).toBeUndefined();
    expect(await setFields([{ name: 'Amount', value: '1' }])).toMatchObject({ details: [{ message: 'Unknown custom field' }] });
  });

  it('a field with stored values needs force; without it nothing is deleted', async () => {
    const before = await callValues();
    expect(await remove(FIELD.notes)).toEqual({
      __typename: 'ConflictError',
      reason: 'STORED_VALUES',
      affectedValues: 1,
      message: 'The custom field has 1 stored value; use force to delete it together with its value',
    });
    expect(await callValues()).toEqual(before);
    expect(await fieldNamed('Notes')).toBeDefined();
  });

  it('with force the field and its values go together; the calls that lost a value get a new version', async () => {
    expect(await remove(FIELD.notes, { force: true })).toMatchObject({ deletedValues: 1 });
    const after = await callValues();
    expect(after.customFields.map((v) => v.fieldId)).not.toContain(FIELD.notes);
    expect(after.version).toBe(2);
    expect((await callValues(CALL.second)).version).toBe(1);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { [FIELD.callType]: 'Support call', [FIELD.locked]: 'immutable' } });
  });

  it.each([
    ['another tenant\'s field', FIELD.otherTenant],
    ['a deleted field', FIELD.amount],
    ['an id that is no UUID', 'x'],
  ])('%s is "Custom field not found"', async (_label, id) => {
    await remove(FIELD.amount);
    expect(await remove(id, { force: true })).toEqual(NOT_FOUND);
  });

  it('another tenant\'s field and its values survive a forced delete attempt', async () => {
    await remove(FIELD.otherTenant, { force: true });
    const other = (await t.store.findTenantByName('other'))!.id;
    expect(await t.stored(CALL.otherTenant, other)).toEqual({ version: 1, values: { [FIELD.otherTenant]: 'hidden' } });
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s is forbidden and nothing is deleted', async (who) => {
    expect(await remove(FIELD.notes, { force: true, as: who })).toEqual(FORBIDDEN);
    expect(await fieldNamed('Notes')).toBeDefined();
    expect((await valueOf(FIELD.notes)).value).toBe('keep me');
  });
});

describe('multiselect and boolean fields', () => {
  let channels: string;
  let callback: string;
  beforeEach(async () => {
    channels = (await create({ name: 'Channels', type: 'MULTISELECT', options: ['Email', 'Phone', 'Letter'] })).customField.id;
    callback = (await create({ name: 'Callback', type: 'BOOLEAN' })).customField.id;
  });

  it('a multiselect takes values, reads back as values (in option order) and as JSON text', async () => {
    const result = await setFields([{ name: 'Channels', values: ['Letter', 'Email'] }]);
    expect(result.call.customFields.find((v: any) => v.fieldId === channels)).toEqual({
      fieldId: channels,
      name: 'Channels',
      value: '["Email","Letter"]',
      values: ['Email', 'Letter'],
      valid: true,
    });
  });

  it.each([
    ['values: []', { values: [] }],
    ['values: null', { values: null }],
    ['value: null', { value: null }],
  ])('%s clears a multiselect', async (_label, entry) => {
    await setFields([{ name: 'Channels', values: ['Phone'] }]);
    await setFields([{ name: 'Channels', ...entry }]);
    expect(await valueOf(channels)).toBeUndefined();
  });

  it.each([
    ['an item that is no option', { values: ['Fax'] }, 'customFields.0.values', 'Value is not one of the allowed options'],
    ['an item twice', { values: ['Email', 'Email'] }, 'customFields.0.values', 'Value lists an option more than once'],
    ['a plain string', { value: 'Email' }, 'customFields.0.value', 'Value must be a list of options, e.g. ["A", "B"]'],
    ['value and values together', { value: '["Email"]', values: ['Email'] }, 'customFields.0.values', 'Use either value or values, not both'],
  ])('refuses %s and writes nothing', async (_label, entry, path, message) => {
    const before = await callValues();
    expect(await setFields([{ name: 'Channels', ...entry }])).toMatchObject({ details: [{ path, message }] });
    expect(await callValues()).toEqual(before);
  });

  it('values on a text field are refused', async () => {
    expect(await setFields([{ name: 'Notes', values: ['a'] }])).toMatchObject({
      details: [{ path: 'customFields.0.values', message: 'Only multiselect fields take a list of values; use value' }],
    });
  });

  it('removing a chosen option needs force, then flags the selection invalid', async () => {
    await setFields([{ name: 'Channels', values: ['Email', 'Phone'] }]);
    expect(await update(channels, { options: ['Email', 'Letter'] })).toMatchObject({ reason: 'STORED_VALUES', affectedValues: 1 });
    await update(channels, { options: ['Email', 'Letter'] }, { force: true });
    expect(await valueOf(channels)).toMatchObject({ values: ['Email', 'Phone'], valid: false });
  });

  it('includeEmpty lists an unset multiselect with null value and values, and valid: true', async () => {
    const { body } = await t.graphql(
      `query($id: ID!) { call(id: $id) { customFields(includeEmpty: true) { fieldId value values valid updatedAt } } }`,
      { id: CALL.first },
      'viewer',
    );
    const listed = (body.data!.call as { customFields: any[] }).customFields;
    expect(listed.find((v) => v.fieldId === channels)).toEqual({ fieldId: channels, value: null, values: null, valid: true, updatedAt: null });
    await setFields([{ name: 'Channels', values: ['Phone'] }]);
    const again = await t.graphql(`query($id: ID!) { call(id: $id) { customField(name: "Channels") { values valid } } }`, { id: CALL.first }, 'viewer');
    expect(again.body.data!.call).toEqual({ customField: { values: ['Phone'], valid: true } });
  });

  it('a call filter on a multiselect compares the stored JSON text (options in option order)', async () => {
    await setFields([{ name: 'Channels', values: ['Letter', 'Email'] }]);
    const ids = async (equals: string) => {
      const { body } = await t.graphql(
        `query($equals: String!) { calls(first: 100, filter: { customFields: [{ name: "Channels", equals: $equals }] }) { edges { node { id } } } }`,
        { equals },
        'viewer',
      );
      expect(body.errors).toBeUndefined();
      return (body.data!.calls as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id);
    };
    expect(await ids('["Email","Letter"]')).toEqual([CALL.first]);
    expect(await ids('["Letter","Email"]')).toEqual([]);
  });

  it('a multiselect value reads as a JSON array in the REST call list too', async () => {
    await setFields([{ name: 'Channels', values: ['Letter', 'Email'] }]);
    const { json } = await t.rest('GET', '/api/v2/calls.json?limit=1000');
    const call = (json.calls as { call_id: string; custom_fields: any[] }[]).find((c) => c.call_id === CALL.first)!;
    expect(call.custom_fields.find((f) => f.field_id === channels)).toEqual({ field_id: channels, name: 'Channels', value: ['Email', 'Letter'] });
  });

  it('a boolean takes "true" and "false" only', async () => {
    await setFields([{ name: 'Callback', value: 'true' }]);
    expect(await valueOf(callback)).toMatchObject({ value: 'true', values: null, valid: true });
    expect(await setFields([{ name: 'Callback', value: 'yes' }])).toMatchObject({
      details: [{ path: 'customFields.0.value', message: 'Value is not a valid boolean' }],
    });
    await setFields([{ name: 'Callback', value: 'false' }]);
    expect((await valueOf(callback)).value).toBe('false');
  });
});

describe('queries over definitions', () => {
  it('a later field of the same request sees a definition a mutation before it changed', async () => {
    const { status, body } = await t.graphql(
      `mutation($callId: ID!, $id: ID!) {
        before: setCallCustomFields(callId: $callId, customFields: []) {
          ... on SetCallCustomFieldsSuccess { call { customFields(includeEmpty: true) { name } } }
        }
        rename: updateCustomField(id: $id, input: { name: "Call category" }) { __typename }
        after: setCallCustomFields(callId: $callId, customFields: []) {
          ... on SetCallCustomFieldsSuccess { call { customField(name: "Call category") { value } } }
        }
      }`,
      { callId: CALL.first, id: FIELD.callType },
      'admin',
    );
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect((body.data!.before as any).call.customFields.map((f: { name: string }) => f.name)).toContain('Call type');
    expect(body.data!.rename).toEqual({ __typename: 'UpdateCustomFieldSuccess' });
    expect(body.data!.after).toEqual({ call: { customField: { value: 'Support call' } } });
  });

  it('reading a value by a former name is refused with the current name', async () => {
    await update(FIELD.callType, { name: 'Call category' });
    const { body } = await t.graphql(`query($id: ID!) { call(id: $id) { customField(name: "Call type") { value } } }`, { id: CALL.first }, 'viewer');
    expect(body.errors?.map((e) => e.message)).toEqual(['customField(name): Unknown custom field; it was renamed to "Call category"']);
  });

  it('customFields(includeDisabled: true) lists disabled fields too; customFields alone does not', async () => {
    const names = async (query: string) => ((await t.graphql(query)).body.data!.customFields as any[]).map((f) => f.name);
    expect(await names(`{ customFields { name } }`)).not.toContain('Retired');
    expect(await names(`{ customFields(includeDisabled: true) { name } }`)).toContain('Retired');
  });

  it('customField finds one field of the tenant by id (any case) or exact name, and nothing of another tenant', async () => {
    const one = (args: string, as: Who = 'viewer') => t.graphql(`{ customField(${args}) { id name } }`, {}, as).then((r) => r.body.data!.customField);
    expect(await one(`id: "${FIELD.retired.toUpperCase()}"`)).toEqual({ id: FIELD.retired, name: 'Retired' });
    expect(await one(`name: "Payment status"`)).toEqual({ id: FIELD.paymentStatus, name: 'Payment status' });
    expect(await one(`name: "payment status"`)).toBeNull();
    expect(await one(`id: "${FIELD.otherTenant}"`)).toBeNull();
    expect(await one(`name: "Secret"`)).toBeNull();
  });
});
