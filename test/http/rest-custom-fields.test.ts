import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const FIELDS = '/api/v2/custom_fields.json';
const fieldPath = (id: string, query = '') => `/api/v2/custom_fields/${id}.json${query}`;
const callPath = (id: string = CALL.first) => `/api/v2/calls/${id}.json`;

const post = (body: unknown, as: Who = 'admin') => t.rest('POST', FIELDS, { body, as });
const put = (id: string, body: unknown, options: { as?: Who; query?: string } = {}) => t.rest('PUT', fieldPath(id, options.query), { body, as: options.as ?? 'admin' });
const del = (id: string, options: { as?: Who; query?: string } = {}) => t.rest('DELETE', fieldPath(id, options.query), { as: options.as ?? 'admin' });
const putCall = (customFields: unknown[], as: Who = 'editor', id: string = CALL.first) => t.rest('PUT', callPath(id), { body: { call: { custom_fields: customFields } }, as });
const callFields = async (id: string = CALL.first) => (await t.rest('GET', callPath(id))).json.call.custom_fields as { field_id: string; name: string; value: unknown }[];
const listed = async (as: Who = 'admin') => (await t.rest('GET', FIELDS, { as })).json.custom_fields as Record<string, unknown>[];

const FORBIDDEN = { error: 'Forbidden', description: 'API user has no permission to administer custom fields' };
const NOT_FOUND = { error: 'NotFound', description: 'Custom field not found' };
const invalid = (details: Record<string, string>) => ({ error: 'InvalidRecord', description: 'Record Validation errors', details });

describe('GET /api/v2/custom_fields.json', () => {
  it('lists the tenant\'s definitions in the vendor\'s shape, disabled ones included, by name', async () => {
    const { status, headers, json } = await t.rest('GET', FIELDS, { as: 'viewer' });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.custom_fields.map((f: { name: string }) => f.name)).toEqual([
      'Amount',
      'Call type',
      'Follow-up date',
      'Locked',
      'Notes',
      'Payment status',
      'Retired',
    ]);
    expect(json.custom_fields.find((f: { name: string }) => f.name === 'Payment status')).toEqual({
      field_id: FIELD.paymentStatus,
      name: 'Payment status',
      description: null,
      enable: true,
      type: 'option',
      str_max_len: null,
      editable: true,
      options: ['Unknown', 'Paid', 'Unpaid'],
    });
    expect(json.custom_fields.find((f: { name: string }) => f.name === 'Retired')).toMatchObject({ enable: false, type: 'text', str_max_len: 255 });
  });

  it('lists every field by name in the vendor\'s shape and key order, byte for byte', async () => {
    const response = await t.rest('GET', FIELDS);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const field = (field_id: string, name: string, type: string, more: Record<string, unknown> = {}) => ({
      field_id,
      name,
      description: null,
      type,
      str_max_len: null,
      options: null,
      editable: true,
      enable: true,
      ...more,
    });
    expect(response.text).toBe(
      JSON.stringify({
        custom_fields: [
          field(FIELD.amount, 'Amount', 'number'),
          field(FIELD.callType, 'Call type', 'text', { str_max_len: 255 }),
          field(FIELD.followUp, 'Follow-up date', 'date'),
          field(FIELD.locked, 'Locked', 'text', { str_max_len: 255, editable: false }),
          field(FIELD.notes, 'Notes', 'text', { str_max_len: 10 }),
          field(FIELD.paymentStatus, 'Payment status', 'option', { options: ['Unknown', 'Paid', 'Unpaid'] }),
          field(FIELD.retired, 'Retired', 'text', { str_max_len: 255, enable: false }),
        ],
      }),
    );
    expect(Object.keys(response.json.custom_fields[0])).toEqual([
      'field_id',
      'name',
      'description',
      'type',
      'str_max_len',
      'options',
      'editable',
      'enable',
    ]);
  });

  it('shows another tenant only its own fields', async () => {
    const response = await t.rest('GET', FIELDS, { as: 'otherEditor' });
    expect(response.json).toEqual({
      custom_fields: [
        { field_id: FIELD.otherTenant, name: 'Secret', description: null, type: 'text', str_max_len: 255, options: null, editable: true, enable: true },
      ],
    });
  });

  it('a viewer may read the definitions', async () => {
    expect((await t.rest('GET', FIELDS, { as: 'viewer' })).json.custom_fields).toHaveLength(7);
  });

  it('another tenant sees only its own definitions', async () => {
    expect((await listed('otherEditor')).map((f) => f.field_id)).toEqual([FIELD.otherTenant]);
  });

  it('needs credentials', async () => {
    const response = await t.fetch(new Request(`http://callgate.test${FIELDS}`));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="callgate"');
  });

  it.each(['DELETE', 'PATCH', 'PUT'])('%s is 405 with Allow', async (method) => {
    const response = await t.rest(method, FIELDS, { raw: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

describe('GET /api/v2/custom_fields/{field_id}.json', () => {
  it('returns one definition of the tenant, also a disabled one, by its id in any case', async () => {
    const { status, json } = await t.rest('GET', fieldPath(FIELD.notes.toUpperCase()), { as: 'viewer' });
    expect(status).toBe(200);
    expect(json).toEqual({
      custom_field: { field_id: FIELD.notes, name: 'Notes', description: null, enable: true, type: 'text', str_max_len: 10, editable: true, options: null },
    });
    expect((await t.rest('GET', fieldPath(FIELD.retired))).json.custom_field).toMatchObject({ name: 'Retired', enable: false });
  });

  it.each([
    ['another tenant\'s field', FIELD.otherTenant],
    ['an unknown field', '99999999-9999-4999-8999-999999999999'],
    ['an id that is no UUID', 'Notes'],
  ])('%s is 404', async (_label, id) => {
    const response = await t.rest('GET', fieldPath(id));
    expect([response.status, response.json]).toEqual([404, NOT_FOUND]);
  });

  it('PATCH is 405 with Allow', async () => {
    const response = await t.rest('PATCH', fieldPath(FIELD.notes), { raw: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
  });
});

describe('POST /api/v2/custom_fields.json', () => {
  it('creates a field (201, Location) that integrations can use by name at once', async () => {
    const response = await post({ custom_field: { name: ' Customer ID ', type: 'text', str_max_len: 12, description: 'CRM key', editable: true, enable: true } });
    expect(response.status).toBe(201);
    const created = response.json.custom_field;
    expect(created).toEqual({
      field_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Customer ID',
      description: 'CRM key',
      enable: true,
      type: 'text',
      str_max_len: 12,
      editable: true,
      options: null,
    });
    // Relative, like next_url: the client-controlled Host header plays no part in REST answers.
    expect(response.headers.get('location')).toBe(fieldPath(created.field_id));
    expect((await t.rest('GET', fieldPath(created.field_id))).json.custom_field).toEqual(created);
    expect((await putCall([{ name: 'Customer ID', value: 'C-1' }])).status).toBe(200);
  });

  it('refuses a description with a NUL character with a 400 naming it, on both stores alike (PostgreSQL text cannot hold one)', async () => {
    const response = await post({ custom_field: { name: 'Remark', type: 'text', description: 'a\u0000b' } });
    expect(response.status).toBe(400);
    expect(response.json.details).toEqual({ description: 'Description must be valid Unicode text without NUL characters' });
    expect((await t.rest('GET', '/api/v2/custom_fields.json')).json.custom_fields.map((f: { name: string }) => f.name)).not.toContain('Remark');
  });

  it('keeps a vendor field_id given in the body', async () => {
    const id = '6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d09';
    const response = await post({ custom_field: { field_id: id, name: 'Imported', type: 'option', options: ['A', 'B'], editable: false } });
    expect(response.json.custom_field).toMatchObject({ field_id: id, editable: false, enable: true, options: ['A', 'B'] });
  });

  it('a call\'s id as field_id is 409 Conflict and creates nothing', async () => {
    const before = await listed();
    const response = await post({ custom_field: { field_id: CALL.first, name: 'Mine', type: 'text' } });
    expect([response.status, response.json]).toEqual([409, { error: 'Conflict', description: 'Id is already used by a call' }]);
    expect(await listed()).toEqual(before);
  });

  it.each([
    ['the same name', 'Call type'],
    ['the name in another case', 'call TYPE'],
  ])('%s is 409 Conflict and creates nothing', async (_label, name) => {
    const before = await listed();
    const response = await post({ custom_field: { name, type: 'number' } });
    expect([response.status, response.json]).toEqual([409, { error: 'Conflict', description: 'A custom field named "Call type" already exists' }]);
    expect(await listed()).toEqual(before);
  });

  it('reports every invalid attribute under its vendor name, and creates nothing', async () => {
    const before = await listed();
    const response = await post({ custom_field: { name: 'n'.repeat(65), type: 'number', str_max_len: 0, options: ['x'] } });
    expect([response.status, response.json]).toEqual([
      400,
      invalid({
        name: 'Name is longer than 64 characters',
        options: 'Only option and multiselect fields have options',
        str_max_len: 'Only text fields have a max length',
      }),
    ]);
    expect(await listed()).toEqual(before);
  });

  it.each<[string, unknown, Record<string, string>]>([
    ['a body without custom_field', { name: 'X', type: 'text' }, { custom_field: 'Must be an object with the custom field\'s attributes' }],
    ['missing name and type', { custom_field: {} }, { name: 'Name is required', type: 'Type is required' }],
    ['an unknown type', { custom_field: { name: 'X', type: 'dropdown' } }, { type: 'Type must be one of text, option, number, date, multiselect, boolean' }],
    ['a string max length', { custom_field: { name: 'X', type: 'text', str_max_len: '20' } }, { str_max_len: 'Max length must be a positive integer' }],
    ['a fractional max length', { custom_field: { name: 'X', type: 'text', str_max_len: 2.5 } }, { str_max_len: 'Max length must be a positive integer' }],
    ['a huge max length', { custom_field: { name: 'X', type: 'text', str_max_len: 1e12 } }, { str_max_len: 'Max length must be at most 65535' }],
    ['options that are not strings', { custom_field: { name: 'X', type: 'option', options: [1, 2] } }, { options: 'Options must be a list of strings' }],
    ['"yes" for enable', { custom_field: { name: 'X', type: 'text', enable: 'yes' } }, { enable: 'Enabled must be true or false' }],
    ['a misspelt attribute', { custom_field: { name: 'X', type: 'text', str_max_length: 5 } }, {
      str_max_length: 'Unknown attribute; expected one of field_id, name, description, enable, type, str_max_len, editable, options',
    }],
    ['a field_id that is no UUID', { custom_field: { field_id: 'abc', name: 'X', type: 'text' } }, { field_id: 'Id must be a UUID' }],
  ])('%s is 400 InvalidRecord', async (_label, body, details) => {
    const response = await post(body);
    expect([response.status, response.json]).toEqual([400, invalid(details)]);
  });

  it('broken JSON is 400 InvalidJSON saying where; another content type is 415', async () => {
    const broken = await t.rest('POST', FIELDS, { raw: '{"custom_field" {"name": "X"}}', as: 'admin' });
    expect(broken.status).toBe(400);
    expect(broken.json).toEqual({ error: 'InvalidJSON', description: "Invalid JSON at line 1, column 17: Expected ':' after property name, found '{'" });
    const text = await t.rest('POST', FIELDS, { raw: 'name=X', as: 'admin', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s gets 403 and nothing is created', async (who) => {
    const before = await listed();
    const response = await post({ custom_field: { name: 'Sneaky', type: 'text' } }, who);
    expect([response.status, response.json]).toEqual([403, FORBIDDEN]);
    expect(await listed()).toEqual(before);
  });
});

describe('PUT /api/v2/custom_fields/{field_id}.json', () => {
  it('renames; the old name then gets a hint, the new name and the id work, and the value survived', async () => {
    const renamed = await put(FIELD.callType, { custom_field: { name: 'Call category' } });
    expect([renamed.status, renamed.json]).toEqual([
      200,
      {
        custom_field: { field_id: FIELD.callType, name: 'Call category', description: null, enable: true, type: 'text', str_max_len: 255, editable: true, options: null },
        invalidated_values: 0,
      },
    ]);
    expect((await callFields()).find((f) => f.field_id === FIELD.callType)).toEqual({ field_id: FIELD.callType, name: 'Call category', value: 'Support call' });

    const before = await t.stored(CALL.first);
    const byOldName = await putCall([{ name: 'Call type', value: 'Sales call' }]);
    expect([byOldName.status, byOldName.json]).toEqual([400, invalid({ 'custom_fields.0.name': 'Unknown custom field; it was renamed to "Call category"' })]);
    expect(await t.stored(CALL.first)).toEqual(before);

    expect((await putCall([{ name: 'Call category', value: 'Sales call' }])).status).toBe(200);
    expect((await putCall([{ field_id: FIELD.callType, name: 'Call type', value: 'Billing call' }])).status).toBe(200);
    expect((await callFields()).find((f) => f.field_id === FIELD.callType)!.value).toBe('Billing call');
  });

  it('a lower str_max_len that a stored value exceeds is 409 with the count, unless ?force=true', async () => {
    const refused = await put(FIELD.notes, { custom_field: { str_max_len: 4 } });
    expect([refused.status, refused.json]).toEqual([
      409,
      {
        error: 'Conflict',
        description:
          '1 stored value would no longer be valid under the new definition; use force to apply the change anyway ' +
          '(the value stays stored, flagged as invalid until rewritten)',
        affected_values: 1,
      },
    ]);
    expect((await t.rest('GET', fieldPath(FIELD.notes))).json.custom_field.str_max_len).toBe(10);

    const forced = await put(FIELD.notes, { custom_field: { str_max_len: 4 } }, { query: '?force=true' });
    expect(forced.status).toBe(200);
    expect(forced.json).toMatchObject({ custom_field: { str_max_len: 4 }, invalidated_values: 1 });
    expect((await callFields()).find((f) => f.field_id === FIELD.notes)).toMatchObject({ value: 'keep me' });
    const rewrite = await putCall([{ name: 'Notes', value: 'keep me' }]);
    expect([rewrite.status, rewrite.json]).toEqual([400, invalid({ 'custom_fields.0.value': 'Value is too long' })]);
  });

  it('removing an option in use is 409 as well', async () => {
    await putCall([{ name: 'Payment status', value: 'Unpaid' }]);
    const refused = await put(FIELD.paymentStatus, { custom_field: { options: ['Unknown', 'Paid'] } });
    expect(refused.status).toBe(409);
    expect(refused.json.affected_values).toBe(1);
  });

  it('a GET-modify-PUT round trip of the whole object works', async () => {
    const { json } = await t.rest('GET', fieldPath(FIELD.paymentStatus));
    const response = await put(FIELD.paymentStatus, { custom_field: { ...json.custom_field, options: [...json.custom_field.options, 'Refunded'] } });
    expect(response.status).toBe(200);
    expect(response.json.custom_field.options).toEqual(['Unknown', 'Paid', 'Unpaid', 'Refunded']);
  });

  it.each<[string, string, unknown, Record<string, string>]>([
    ['a field_id other than the URL\'s', '', { custom_field: { field_id: FIELD.amount, name: 'X' } }, { field_id: 'Does not match the field_id in the URL' }],
    ['a duplicate-free but empty name', '', { custom_field: { name: '' } }, { name: 'Name is required' }],
    ['null for enable', '', { custom_field: { enable: null } }, { enable: 'Enabled must be true or false' }],
    ['?force=maybe', '?force=maybe', { custom_field: { str_max_len: 4 } }, { force: 'Must be true or false' }],
  ])('%s is 400 and changes nothing', async (_label, query, body, details) => {
    const before = await listed();
    const response = await put(FIELD.notes, body, { query });
    expect([response.status, response.json]).toEqual([400, invalid(details)]);
    expect(await listed()).toEqual(before);
  });

  it('renaming onto another name is 409', async () => {
    const response = await put(FIELD.notes, { custom_field: { name: 'AMOUNT' } });
    expect([response.status, response.json]).toEqual([409, { error: 'Conflict', description: 'A custom field named "Amount" already exists' }]);
  });

  it('another tenant\'s field is 404 and stays as it was', async () => {
    const response = await put(FIELD.otherTenant, { custom_field: { name: 'Mine', enable: false } }, { query: '?force=true' });
    expect([response.status, response.json]).toEqual([404, NOT_FOUND]);
    expect(await listed('otherEditor')).toEqual([expect.objectContaining({ name: 'Secret', enable: true })]);
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s gets 403 and nothing changes', async (who) => {
    const before = await listed();
    const response = await put(FIELD.notes, { custom_field: { name: 'Hijacked', str_max_len: 1 } }, { as: who, query: '?force=true' });
    expect([response.status, response.json]).toEqual([403, FORBIDDEN]);
    expect(await listed()).toEqual(before);
  });
});

describe('DELETE /api/v2/custom_fields/{field_id}.json', () => {
  it('deletes a field without values', async () => {
    const response = await del(FIELD.amount);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ custom_field: { field_id: FIELD.amount, name: 'Amount' }, deleted_values: 0 });
    expect((await t.rest('GET', fieldPath(FIELD.amount))).status).toBe(404);
  });

  it('a field with values is 409 without ?force=true; with it the values go too', async () => {
    const refused = await del(FIELD.notes);
    expect([refused.status, refused.json]).toEqual([
      409,
      { error: 'Conflict', description: 'The custom field has 1 stored value; use force to delete it together with its value', affected_values: 1 },
    ]);
    expect((await callFields()).map((f) => f.name)).toContain('Notes');

    const forced = await del(FIELD.notes, { query: '?force=true' });
    expect(forced.status).toBe(200);
    expect(forced.json.deleted_values).toBe(1);
    expect((await callFields()).map((f) => f.name)).toEqual(['Call type', 'Locked']);
    expect((await t.stored(CALL.first))!.version).toBe(2);
  });

  it('another tenant\'s field is 404, even with force', async () => {
    const response = await del(FIELD.otherTenant, { query: '?force=true' });
    expect([response.status, response.json]).toEqual([404, NOT_FOUND]);
    expect(await listed('otherEditor')).toHaveLength(1);
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s gets 403 and nothing is deleted', async (who) => {
    const response = await del(FIELD.notes, { as: who, query: '?force=true' });
    expect([response.status, response.json]).toEqual([403, FORBIDDEN]);
    expect((await callFields()).map((f) => f.name)).toContain('Notes');
  });
});

describe('multiselect and boolean values through PUT /api/v2/calls/{call_id}.json', () => {
  let channels: string;
  let callback: string;
  beforeEach(async () => {
    channels = (await post({ custom_field: { name: 'Channels', type: 'multiselect', options: ['Email', 'Phone', 'Letter'] } })).json.custom_field.field_id;
    callback = (await post({ custom_field: { name: 'Callback', type: 'boolean' } })).json.custom_field.field_id;
  });

  it('a multiselect value is a JSON array of options, in and out', async () => {
    const response = await putCall([{ name: 'Channels', value: ['Letter', 'Email'] }]);
    expect(response.status).toBe(200);
    expect(response.json.call.custom_fields.find((f: { name: string }) => f.name === 'Channels')).toEqual({
      field_id: channels,
      name: 'Channels',
      value: ['Email', 'Letter'],
    });
    expect((await callFields()).find((f) => f.field_id === channels)!.value).toEqual(['Email', 'Letter']);
  });

  it.each([
    ['[]', []],
    ['null', null],
  ])('%s clears a multiselect value', async (_label, value) => {
    await putCall([{ name: 'Channels', value: ['Phone'] }]);
    expect((await putCall([{ field_id: channels, value }])).status).toBe(200);
    expect((await callFields()).map((f) => f.field_id)).not.toContain(channels);
  });

  it.each<[string, unknown, string]>([
    ['an option that does not exist', ['Fax'], 'Value is not one of the allowed options'],
    ['a string instead of a list', 'Email', 'Value must be a list of options, e.g. ["A", "B"]'],
    ['a list with a number', ['Email', 2], 'Value must be a string, number, boolean, null or a list of strings'],
  ])('%s is 400 and writes nothing', async (_label, value, message) => {
    const before = await t.stored(CALL.first);
    const response = await putCall([{ name: 'Channels', value }]);
    expect([response.status, response.json]).toEqual([400, invalid({ 'custom_fields.0.value': message })]);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('REST and GraphQL store the same selection the same way', async () => {
    await putCall([{ name: 'Channels', value: ['Phone', 'Email'] }], 'editor', CALL.first);
    const { body } = await t.graphql(
      `mutation { setCallCustomFields(callId: "${CALL.second}", customFields: [{ name: "Channels", values: ["Email", "Phone"] }]) { __typename } }`,
    );
    expect(body.data).toEqual({ setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess' } });
    expect((await t.stored(CALL.first))!.values[channels]).toBe('["Email","Phone"]');
    expect((await t.stored(CALL.second))!.values[channels]).toBe('["Email","Phone"]');
  });

  it('a list for a text field is 400', async () => {
    const response = await putCall([{ name: 'Notes', value: ['a'] }]);
    expect([response.status, response.json]).toEqual([400, invalid({ 'custom_fields.0.value': 'Only multiselect fields take a list of values; use value' })]);
  });

  it('a boolean field takes JSON true/false and "true"/"false", and reads back as text', async () => {
    await putCall([{ name: 'Callback', value: true }]);
    expect((await callFields()).find((f) => f.field_id === callback)!.value).toBe('true');
    await putCall([{ name: 'Callback', value: 'false' }]);
    expect((await callFields()).find((f) => f.field_id === callback)!.value).toBe('false');
    const response = await putCall([{ name: 'Callback', value: 'yes' }]);
    expect([response.status, response.json]).toEqual([400, invalid({ 'custom_fields.0.value': 'Value is not a valid boolean' })]);
  });
});

describe('unexpected failures', () => {
  it('a store failure is 500 "Unexpected error." without details, through REST and GraphQL alike', async () => {
    t.store.updateCustomField = async () => {
      throw new Error('SECRET disk I/O error in /var/db/callgate.sqlite');
    };
    const rest = await put(FIELD.notes, { custom_field: { name: 'X' } });
    expect([rest.status, rest.json]).toEqual([500, { error: 'InternalError', description: 'Unexpected error.' }]);
    const { body } = await t.graphql(`mutation { updateCustomField(id: "${FIELD.notes}", input: { name: "X" }) { __typename } }`, {}, 'admin');
    expect(body.errors?.map((e) => e.message)).toEqual(['Unexpected error.']);
    expect(JSON.stringify(body) + rest.text).not.toMatch(/SECRET|\/var\/db|\.ts:\d+/);
  });
});
