import { describe, expect, it } from 'vitest';
import { CALL, FIELD, basic, createTestApp } from '../support/fixtures.js';
import { rawRequest } from '../support/http.js';
import { incompressibleText, LONG_TEXT } from '../support/long-values.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const ORIGIN = 'http://callgate.test';
const callPath = (id: string) => `/api/v2/calls/${id}.json`;
const MiB = 1024 * 1024;

/** The vendor's examples, pasted literally from the documentation (invalid JSON on purpose). */
const VENDOR_BY_ID = `{
"call" {
"custom_fields": [
{
"field_id": "138fb20c-4c3b-11ee-8cbb-0015172d2a7d",
"value": "Unknown"
},
{
"field_id": "9079d60a-5192-11ee-aa89-0015172d2a7d",
"value": "Sales call"
},
]
}
}`;

const VENDOR_BY_NAME = `{
"call" {
"custom_fields": [
{
"name": "Payment status",
"value": "Unknown"
},
{
"name": "Call type",
"value": "Sales call"
},
]
}
}`;

const VENDOR_CLEAR = `{
"call" {
"custom_fields": [
{
"field_id": "138fb20c-4c3b-11ee-8cbb-0015172d2a7d",
"name": "Payment status",
"value": null
}
]
}
}`;

/** What the vendor meant: the missing colon added, the trailing commas removed. */
const repaired = (text: string) => text.replace('"call" {', '"call": {').replace(/,(\s*[\]}])/g, '$1');

/** The first call as the fixture imports it. */
const FIRST_CALL = {
  call_id: CALL.first,
  setup_time: '2026-01-01T09:00:00.000Z',
  from_number: '+4930111',
  to_number: '+4930222',
  direction: 'inbound',
  duration: 61,
};
const FIRST_VALUES = {
  [FIELD.callType]: 'Support call',
  [FIELD.notes]: 'keep me',
  [FIELD.locked]: 'immutable',
};

const put = (t: TestApp, customFields: unknown, options: { as?: 'admin' | 'editor' | 'viewer' | 'otherEditor'; id?: string } = {}) =>
  t.rest('PUT', callPath(options.id ?? CALL.first), { body: { call: { custom_fields: customFields } }, as: options.as });

const invalidRecord = (details: Record<string, string>) =>
  JSON.stringify({ error: 'InvalidRecord', description: 'Record Validation errors', details });

/** A request built from scratch, for the cases the fixture's rest() helper cannot express. */
async function send(t: TestApp, init: RequestInit & { path?: string; duplex?: 'half' }) {
  const response = await t.fetch(new Request(`${ORIGIN}${init.path ?? callPath(CALL.first)}`, init));
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
}

/** Asserts the request changed nothing: same version, same values as before. */
async function expectUnchanged(t: TestApp, before: Awaited<ReturnType<TestApp['stored']>>, callId: string = CALL.first) {
  expect(await t.stored(callId)).toEqual(before);
}

/** A client error with the vendor's error body and no trace of internals. */
function expectCleanClientError(r: { status: number; text: string; json: any }) {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(typeof r.json.error).toBe('string');
  expect(r.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|SqliteError|TypeError|RangeError/);
}

describe('GET /api/v2/calls/{call_id}.json', () => {
  it('returns the call with its custom fields in the vendor shape, keys in order, fields ordered by name', async () => {
    const t = await createTestApp();
    const r = await t.rest('GET', callPath(CALL.first));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.text).toBe(
      JSON.stringify({
        call: {
          ...FIRST_CALL,
          custom_fields: [
            { field_id: FIELD.callType, name: 'Call type', value: 'Support call' },
            { field_id: FIELD.locked, name: 'Locked', value: 'immutable' },
            { field_id: FIELD.notes, name: 'Notes', value: 'keep me' },
          ],
        },
      }),
    );
  });

  it('returns an empty custom_fields list and a lowercase direction for a call without values', async () => {
    const t = await createTestApp();
    const r = await t.rest('GET', callPath(CALL.second), { as: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      JSON.stringify({
        call: {
          call_id: CALL.second,
          setup_time: '2026-01-01T10:00:00.000Z',
          from_number: '+4930333',
          to_number: '+4930444',
          direction: 'outbound',
          duration: 5,
          custom_fields: [],
        },
      }),
    );
  });

  it('finds a call by its UUID in upper case and answers with the canonical id', async () => {
    const t = await createTestApp();
    const r = await t.rest('GET', callPath(CALL.first.toUpperCase()));
    expect(r.status).toBe(200);
    expect(r.json.call.call_id).toBe(CALL.first);
  });

  it.each([
    ['an unknown call', '44444444-4444-4444-8444-444444444444'],
    ["another tenant's call", CALL.otherTenant],
    ['a non-UUID id', 'not-a-uuid'],
    ['an id with an encoded slash', encodeURIComponent(`${CALL.first}/x`)],
    ['a malformed percent escape', '%E0%A4%A'],
  ])('answers 404 Call not found for %s', async (_label, id) => {
    const t = await createTestApp();
    const r = await t.rest('GET', callPath(id));
    expect(r.status).toBe(404);
    expect(r.text).toBe(JSON.stringify({ error: 'NotFound', description: 'Call not found' }));
  });

  it('shows a tenant its own call with direction "unknown" and hides the other tenant\'s', async () => {
    const t = await createTestApp();
    const own = await t.rest('GET', callPath(CALL.otherTenant), { as: 'otherEditor' });
    expect(own.status).toBe(200);
    expect(own.json.call.direction).toBe('unknown');
    expect(own.json.call.custom_fields).toEqual([{ field_id: FIELD.otherTenant, name: 'Secret', value: 'hidden' }]);
    const foreign = await t.rest('GET', callPath(CALL.first), { as: 'otherEditor' });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('keep me');
  });
});

describe('PUT /api/v2/calls/{call_id}.json: setting values', () => {
  it('sets values by field_id, answers the whole call after the update, and leaves other values untouched', async () => {
    const t = await createTestApp();
    const r = await put(t, [
      { field_id: FIELD.paymentStatus, value: 'Unknown' },
      { field_id: FIELD.callType, value: 'Sales call' },
    ]);
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      JSON.stringify({
        call: {
          ...FIRST_CALL,
          custom_fields: [
            { field_id: FIELD.callType, name: 'Call type', value: 'Sales call' },
            { field_id: FIELD.locked, name: 'Locked', value: 'immutable' },
            { field_id: FIELD.notes, name: 'Notes', value: 'keep me' },
            { field_id: FIELD.paymentStatus, name: 'Payment status', value: 'Unknown' },
          ],
        },
      }),
    );
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { ...FIRST_VALUES, [FIELD.callType]: 'Sales call', [FIELD.paymentStatus]: 'Unknown' },
    });
    // What GET shows afterwards is what PUT answered.
    expect((await t.rest('GET', callPath(CALL.first))).text).toBe(r.text);
  });

  it('sets values by name', async () => {
    const t = await createTestApp();
    const r = await put(t, [
      { name: 'Payment status', value: 'Unknown' },
      { name: 'Call type', value: 'Sales call' },
    ]);
    expect(r.status).toBe(200);
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { ...FIRST_VALUES, [FIELD.callType]: 'Sales call', [FIELD.paymentStatus]: 'Unknown' },
    });
  });

  it('lets field_id beat name, even when the name names another field or none', async () => {
    const t = await createTestApp();
    const r = await put(t, [
      { field_id: FIELD.callType, name: 'Notes', value: 'By id' },
      { field_id: FIELD.amount, name: 'No such field', value: '7' },
    ]);
    expect(r.status).toBe(200);
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { ...FIRST_VALUES, [FIELD.callType]: 'By id', [FIELD.amount]: '7' },
    });
  });

  it('accepts a field_id in upper case', async () => {
    const t = await createTestApp();
    const r = await put(t, [{ field_id: FIELD.callType.toUpperCase(), value: 'Upper' }]);
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('Upper');
  });

  it('works for an admin and for an upper-case call id', async () => {
    const t = await createTestApp();
    const r = await put(t, [{ name: 'Amount', value: '1.5' }], { as: 'admin', id: CALL.first.toUpperCase() });
    expect(r.status).toBe(200);
    expect(r.json.call.call_id).toBe(CALL.first);
    expect((await t.stored(CALL.first))!.values[FIELD.amount]).toBe('1.5');
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
  ])('clears a value with %s, and only that value', async (_label, value) => {
    const t = await createTestApp();
    const r = await put(t, [{ field_id: FIELD.notes, value }]);
    expect(r.status).toBe(200);
    expect(r.json.call.custom_fields.map((f: { name: string }) => f.name)).toEqual(['Call type', 'Locked']);
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { [FIELD.callType]: 'Support call', [FIELD.locked]: 'immutable' },
    });
  });

  it('clears by name as well', async () => {
    const t = await createTestApp();
    expect((await put(t, [{ name: 'Call type', value: null }])).status).toBe(200);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { [FIELD.notes]: 'keep me', [FIELD.locked]: 'immutable' } });
  });

  it('handles a mix of set, clear, by id and by name in one request', async () => {
    const t = await createTestApp();
    const r = await put(t, [
      { name: 'Payment status', value: 'Paid' },
      { field_id: FIELD.notes, value: null },
      { field_id: FIELD.amount, value: 42 },
      { name: 'Follow-up date', value: '2026-02-28' },
      { name: 'Call type', value: '' },
    ]);
    expect(r.status).toBe(200);
    expect(r.json.call.custom_fields).toEqual([
      { field_id: FIELD.amount, name: 'Amount', value: '42' },
      { field_id: FIELD.followUp, name: 'Follow-up date', value: '2026-02-28' },
      { field_id: FIELD.locked, name: 'Locked', value: 'immutable' },
      { field_id: FIELD.paymentStatus, name: 'Payment status', value: 'Paid' },
    ]);
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { [FIELD.locked]: 'immutable', [FIELD.amount]: '42', [FIELD.followUp]: '2026-02-28', [FIELD.paymentStatus]: 'Paid' },
    });
  });

  it('bumps the version by one per successful request, also when the value is the same', async () => {
    const t = await createTestApp();
    await put(t, [{ field_id: FIELD.callType, value: 'A' }]);
    await put(t, [{ field_id: FIELD.callType, value: 'A' }]);
    expect((await t.stored(CALL.first))!.version).toBe(3);
  });

  it('loses no update when several requests run at once', async () => {
    const t = await createTestApp();
    const writes = [
      { field_id: FIELD.paymentStatus, value: 'Paid' },
      { field_id: FIELD.callType, value: 'Concurrent' },
      { field_id: FIELD.amount, value: 7 },
      { field_id: FIELD.followUp, value: '2026-03-01' },
      { field_id: FIELD.notes, value: null },
    ];
    const results = await Promise.all(writes.map((entry) => put(t, [entry])));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await t.stored(CALL.first)).toEqual({
      version: 1 + writes.length,
      values: {
        [FIELD.locked]: 'immutable',
        [FIELD.paymentStatus]: 'Paid',
        [FIELD.callType]: 'Concurrent',
        [FIELD.amount]: '7',
        [FIELD.followUp]: '2026-03-01',
      },
    });
  });

  it('answers 200 with the call unchanged for an empty custom_fields list', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, []);
    expect(r.status).toBe(200);
    expect(r.text).toBe((await t.rest('GET', callPath(CALL.first))).text);
    await expectUnchanged(t, before);
  });

  it('accepts application/json with a charset parameter and in any case', async () => {
    const t = await createTestApp();
    for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
      const r = await t.rest('PUT', callPath(CALL.first), {
        raw: JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: type }] } }),
        headers: { 'content-type': type },
      });
      expect(r.status).toBe(200);
      expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe(type);
    }
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const t = await createTestApp();
    const json = JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: 'Padded' }] } });
    const r = await t.rest('PUT', callPath(CALL.first), { raw: json + ' '.repeat(MiB - json.length) });
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('Padded');
  });
});

describe('PUT: the longest values a text field takes', () => {
  it.each([
    ['mixed 1-, 3- and 4-byte characters', incompressibleText(60_000)],
    ['only 4-byte characters', incompressibleText(60_000, { fourByte: true })],
    ['exactly max_length characters', incompressibleText(LONG_TEXT.maxLength, { seed: 'full' })],
  ])('stores an incompressible value of %s and reads it back exactly', async (_label, value) => {
    const t = await createTestApp();
    const created = await t.rest('POST', '/api/v2/custom_fields.json', {
      body: { custom_field: { name: LONG_TEXT.name, type: 'text', str_max_len: LONG_TEXT.maxLength } },
      as: 'admin',
    });
    expect(created.status).toBe(201);
    const fieldId = created.json.custom_field.field_id as string;

    const r = await put(t, [{ field_id: fieldId, value }]);
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(r.json.call.custom_fields.find((f: { field_id: string }) => f.field_id === fieldId).value).toBe(value);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { ...FIRST_VALUES, [fieldId]: value } });
    const read = await t.rest('GET', callPath(CALL.first));
    expect(read.text).toBe(r.text);
  });
});

describe("PUT: REST value types", () => {
  it('stores a number as its text in a number field', async () => {
    const t = await createTestApp();
    const r = await put(t, [{ field_id: FIELD.amount, value: 42 }]);
    expect(r.status).toBe(200);
    expect(r.json.call.custom_fields[0]).toEqual({ field_id: FIELD.amount, name: 'Amount', value: '42' });
    expect((await t.stored(CALL.first))!.values[FIELD.amount]).toBe('42');
  });

  it('stores negative and fractional numbers as their text', async () => {
    const t = await createTestApp();
    expect((await put(t, [{ field_id: FIELD.amount, value: -12.75 }])).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.amount]).toBe('-12.75');
  });

  it('stores booleans as "true" and "false" in a text field', async () => {
    const t = await createTestApp();
    expect((await put(t, [{ field_id: FIELD.callType, value: true }])).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('true');
    expect((await put(t, [{ field_id: FIELD.callType, value: false }])).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('false');
  });

  it('checks a number against the field type: true is not a number', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ field_id: FIELD.amount, value: true }]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(invalidRecord({ 'custom_fields.0.value': 'Value is not a valid number' }));
    await expectUnchanged(t, before);
  });

  it.each([
    ['an object', { text: 'x' }],
    ['an array', ['x']],
    ['an empty object', {}],
    ['an empty array', []],
  ])('refuses %s as a value with a detail at custom_fields.N.value, writing nothing', async (_label, value) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [
      { field_id: FIELD.amount, value: '5' },
      { field_id: FIELD.callType, value },
    ]);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidRecord');
    expect(Object.keys(r.json.details)).toEqual(['custom_fields.1.value']);
    await expectUnchanged(t, before);
  });

  // A JSON number beyond double range must not pass through a double: Infinity would print as "null".
  it('stores a number too large for a double in a text field as the text sent', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: `{"call": {"custom_fields": [{"field_id": "${FIELD.callType}", "value": 1e400}, {"field_id": "${FIELD.notes}", "value": -0.10}]}}`,
    });
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values).toMatchObject({ [FIELD.callType]: '1e400', [FIELD.notes]: '-0.10' });
  });

  it('refuses a number field value beyond double range', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: `{"call": {"custom_fields": [{"field_id": "${FIELD.amount}", "value": 1e400}]}}`,
    });
    expect(r.status).toBe(400);
    expect(r.json.details).toEqual({ 'custom_fields.0.value': 'Value is not a valid number' });
  });

  it('stores a large integer as the digits the client sent', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: `{"call": {"custom_fields": [{"field_id": "${FIELD.amount}", "value": 12345678901234567890}]}}`,
    });
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.amount]).toBe('12345678901234567890');
  });
});

describe('PUT: 400 InvalidRecord', () => {
  it("answers the vendor's documented body for a value over the field's max length, writing nothing", async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ field_id: FIELD.notes, value: '12345678901' }]);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.text).toBe('{"error":"InvalidRecord","description":"Record Validation errors","details":{"custom_fields.0.value":"Value is too long"}}');
    await expectUnchanged(t, before);
  });

  it('accepts exactly max length, counted in characters (code points), not UTF-16 units', async () => {
    const t = await createTestApp();
    expect((await put(t, [{ field_id: FIELD.notes, value: '1234567890' }])).status).toBe(200);
    const emoji = '😀'.repeat(10);
    expect((await put(t, [{ field_id: FIELD.notes, value: emoji }])).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.notes]).toBe(emoji);
    expect((await put(t, [{ field_id: FIELD.notes, value: emoji + 'x' }])).status).toBe(400);
  });

  it('writes nothing when one entry of several is invalid, and reports it under its own index', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [
      { field_id: FIELD.paymentStatus, value: 'Paid' },
      { name: 'Call type', value: null },
      { name: 'Notes', value: 'far too long for notes' },
    ]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(invalidRecord({ 'custom_fields.2.value': 'Value is too long' }));
    await expectUnchanged(t, before);
  });

  it('reports every problem, each under its REST name', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [
      { field_id: '99999999-9999-4999-8999-999999999999', value: 'x' },
      { name: 'No such field', value: 'x' },
      { value: 'x' },
      { field_id: FIELD.amount, value: 'abc' },
      { field_id: FIELD.callType },
    ]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      invalidRecord({
        'custom_fields.0.field_id': 'Unknown custom field',
        'custom_fields.1.name': 'Unknown custom field',
        'custom_fields.2': 'Either field_id or name is required',
        'custom_fields.3.value': 'Value is not a valid number',
        'custom_fields.4.value': 'Value is required; use null to clear',
      }),
    );
    await expectUnchanged(t, before);
  });

  it.each([
    ['a field that is not editable', { field_id: FIELD.locked, value: 'x' }, 'custom_fields.0.field_id', 'Custom field is not editable'],
    ['a disabled field', { name: 'Retired', value: 'x' }, 'custom_fields.0.name', 'Custom field is disabled'],
    ["another tenant's field", { field_id: FIELD.otherTenant, value: 'x' }, 'custom_fields.0.field_id', 'Unknown custom field'],
    ['a value that is not an option', { name: 'Payment status', value: 'unknown' }, 'custom_fields.0.value', 'Value is not one of the allowed options'],
    ['a date that does not exist', { name: 'Follow-up date', value: '2026-02-30' }, 'custom_fields.0.value', 'Value is not a valid date'],
    ['a name in the wrong case', { name: 'call type', value: 'x' }, 'custom_fields.0.name', 'Unknown custom field; did you mean "Call type"?'],
    ['a NUL character in the value', { name: 'Call type', value: 'a\u0000b' }, 'custom_fields.0.value', 'Value must not contain NUL characters'],
  ])('refuses %s', async (_label, entry, key, message) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [entry]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(invalidRecord({ [key]: message }));
    await expectUnchanged(t, before);
  });

  it('refuses a field listed twice (by id and by name), writing neither', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [
      { field_id: FIELD.callType, value: 'one' },
      { name: 'Call type', value: 'two' },
    ]);
    expect(r.status).toBe(400);
    expect(r.json.details).toEqual({ 'custom_fields.1.name': 'Custom field is listed more than once' });
    await expectUnchanged(t, before);
  });

  it.each([
    ['an array as the body', []],
    ['a string as the body', 'call'],
    ['null as the body', null],
    ['a number as the body', 7],
    ['an empty object', {}],
    ['{"call": null}', { call: null }],
    ['{"call": []}', { call: [] }],
    ['a call without custom_fields', { call: {} }],
    ['custom_fields as an object', { call: { custom_fields: { 0: { name: 'Call type', value: 'x' } } } }],
    ['custom_fields as null', { call: { custom_fields: null } }],
    ['custom_fields as a string', { call: { custom_fields: 'Call type=x' } }],
    ['custom_fields at the top level', { custom_fields: [{ name: 'Call type', value: 'x' }] }],
  ])('answers details key "call.custom_fields" for %s', async (_label, body) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), { raw: JSON.stringify(body) });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidRecord');
    expect(r.json.description).toBe('Record Validation errors');
    expect(Object.keys(r.json.details)).toEqual(['call.custom_fields']);
    await expectUnchanged(t, before);
  });

  it.each([
    ['a string', 'Call type'],
    ['a number', 3],
    ['null', null],
    ['an array', [{ name: 'Call type', value: 'x' }]],
    ['a boolean', true],
  ])('answers details key custom_fields.N for an entry that is %s', async (_label, entry) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ name: 'Call type', value: 'ok' }, entry]);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidRecord');
    expect(Object.keys(r.json.details)).toEqual(['custom_fields.1']);
    await expectUnchanged(t, before);
  });

  it.each([
    ['field_id', { field_id: 138, value: 'x' }],
    ['field_id', { field_id: { id: FIELD.callType }, value: 'x' }],
    ['field_id', { field_id: [FIELD.callType], name: 'Call type', value: 'x' }],
    ['name', { name: 42, value: 'x' }],
    ['name', { name: ['Call type'], value: 'x' }],
  ])('answers details key custom_fields.N.%s when it is not a string', async (key, entry) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [entry]);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidRecord');
    expect(Object.keys(r.json.details)).toEqual([`custom_fields.0.${key}`]);
    await expectUnchanged(t, before);
  });

  // The vendor's details name every invalid entry at once, so a client fixes them in one round.
  it('names the other entries’ problems too when one entry is malformed, writing nothing', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [
      { field_id: FIELD.amount, value: '5' },
      { field_id: FIELD.notes, value: '12345678901' },
      { field_id: FIELD.callType, value: { text: 'x' } },
      { name: 'No such field', value: 'x' },
      { name: 42, value: 'x' },
    ]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      invalidRecord({
        'custom_fields.1.value': 'Value is too long',
        'custom_fields.2.value': 'Value must be a string, number, boolean, null or a list of strings',
        'custom_fields.3.name': 'Unknown custom field',
        'custom_fields.4.name': 'name must be a string',
      }),
    );
    await expectUnchanged(t, before);
  });

  it('judges a body with malformed entries without running the write at all', async () => {
    const t = await createTestApp();
    let writes = 0;
    const write = t.store.setCallCustomFields.bind(t.store);
    t.store.setCallCustomFields = (command) => {
      writes += 1;
      return write(command);
    };
    const malformed = await put(t, [{ field_id: FIELD.amount, value: '5' }, 'Call type']);
    expect(malformed.status).toBe(400);
    expect(writes).toBe(0);
    expect((await put(t, [{ field_id: FIELD.amount, value: '5' }])).status).toBe(200);
    expect(writes).toBe(1);
  });

  it('reports only the malformed entries when the rest are valid, and nothing about the placeholders it checked them with', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ field_id: FIELD.amount, value: '5' }, 'Call type', { field_id: FIELD.callType, value: [1] }]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      invalidRecord({
        'custom_fields.1': 'Must be an object with field_id or name, and value',
        'custom_fields.2.value': 'Value must be a string, number, boolean, null or a list of strings',
      }),
    );
    await expectUnchanged(t, before);
  });

  it('numbers the other entries’ problems as they stand in the body, an empty entry’s and a repeated field’s included', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ name: 'Call type', value: 'a' }, 7, {}, { name: 'Call type', value: 'b' }]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      invalidRecord({
        'custom_fields.1': 'Must be an object with field_id or name, and value',
        'custom_fields.2': 'Either field_id or name is required',
        'custom_fields.2.value': 'Value is required; use null to clear',
        'custom_fields.3.name': 'Custom field is listed more than once',
      }),
    );
    await expectUnchanged(t, before);
  });

  it.each([
    ['an unknown call', { id: '99999999-9999-4999-8999-999999999999' }],
    ['a viewer', { as: 'viewer' as const }],
  ])('still answers a malformed body with 400 for %s', async (_label, options) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ field_id: FIELD.notes, value: '12345678901' }, { field_id: FIELD.callType, value: {} }], options);
    expect(r.status).toBe(400);
    expect(r.text).toBe(invalidRecord({ 'custom_fields.1.value': 'Value must be a string, number, boolean, null or a list of strings' }));
    await expectUnchanged(t, before);
  });
});

describe('PUT: at most 1000 entries', () => {
  const TOO_MANY = invalidRecord({ 'call.custom_fields': 'At most 1000 custom fields can be set in one request' });
  const entries = (count: number) => Array.from({ length: count }, () => ({ field_id: FIELD.notes, value: 'x' }));

  it.each([
    ['an editor', {}],
    ['a viewer, as for any malformed body', { as: 'viewer' as const }],
  ])('refuses 1001 entries as a whole for %s, writing nothing', async (_label, options) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, entries(1001), options);
    expect(r.status).toBe(400);
    expect(r.text).toBe(TOO_MANY);
    await expectUnchanged(t, before);
  });

  it('checks 1000 entries one by one', async () => {
    const t = await createTestApp();
    const r = await put(t, entries(1000));
    expect(r.status).toBe(400);
    expect(Object.keys(r.json.details)).toHaveLength(999);
    expect(r.json.details['custom_fields.999.field_id']).toBe('Custom field is listed more than once');
  });

  it('answers a 1 MiB body of empty entries with the one detail, not one per entry', async () => {
    const t = await createTestApp();
    const json = `{"call":{"custom_fields":[${Array(Math.floor((MiB - 40) / 3)).fill('{}').join(',')}]}}`;
    expect(json.length).toBeLessThanOrEqual(MiB);
    const r = await t.rest('PUT', callPath(CALL.first), { raw: json });
    expect(r.status).toBe(400);
    expect(r.text).toBe(TOO_MANY);
  });
});

describe('PUT: 400 InvalidJSON', () => {
  it.each([
    ['by field_id', VENDOR_BY_ID],
    ['by name', VENDOR_BY_NAME],
    ['clearing', VENDOR_CLEAR],
  ])("answers the vendor's %s example, pasted literally, with the line and column of the missing colon", async (_label, raw) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), { raw });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(r.json)).toEqual(['error', 'description']);
    expect(r.json.error).toBe('InvalidJSON');
    // `"call" {` is line 2; the '{' where the ':' belongs is column 8.
    expect(r.json.description).toMatch(/\bline 2\b/);
    expect(r.json.description).toMatch(/\bcolumn 8\b/);
    expect(r.json.description).toContain(':');
    await expectUnchanged(t, before);
  });

  it("names the line and column of the vendor's trailing comma once the colon is fixed", async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const raw = VENDOR_BY_ID.replace('"call" {', '"call": {');
    const r = await t.rest('PUT', callPath(CALL.first), { raw });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidJSON');
    // The ']' after the trailing "}," is on line 12, column 1.
    expect(r.json.description).toMatch(/\bline 12, column 1\b/);
    expect(r.json.description).toMatch(/trailing comma/i);
    await expectUnchanged(t, before);
  });

  it('counts columns from 1 within the line, with indentation', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), { raw: '{\n  "call": {\n    "custom_fields": [1,]\n  }\n}' });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidJSON');
    // "    \"custom_fields\": [1," is 24 characters; the ']' is column 25 of line 3.
    expect(r.json.description).toMatch(/\bline 3, column 25\b/);
  });

  it.each([
    ['an empty body', ''],
    ['a body of only whitespace', ' \n\t '],
    ['a truncated body', '{"call": {"custom_fields": [{"name": "Call type", "value": "x"}'],
    ['single quotes', "{'call': {'custom_fields': []}}"],
    ['a raw control character in a string', '{"call": {"custom_fields": [{"name": "Call type", "value": "a\u0001b"}]}}'],
    ['a raw NUL byte in a string', '{"call": {"custom_fields": [{"name": "Call type", "value": "a\u0000b"}]}}'],
    ['two JSON values', '{"call": {"custom_fields": []}} {}'],
    ['NaN', '{"call": {"custom_fields": [{"name": "Amount", "value": NaN}]}}'],
    ['an unquoted key', '{call: {"custom_fields": []}}'],
    ['a comment', '{"call": {"custom_fields": []}} // done'],
    ['deeply nested arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['deeply nested objects', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)],
    ['an unclosed deep nesting', '['.repeat(200_000)],
  ])('answers 400 InvalidJSON for %s, writing nothing', async (_label, raw) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), { raw, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(Object.keys(r.json)).toEqual(['error', 'description']);
    expect(r.json.error).toBe('InvalidJSON');
    expect(r.json.description.length).toBeGreaterThan(0);
    expectCleanClientError(r);
    await expectUnchanged(t, before);
  });

  it('names line and column for a syntax error inside an otherwise valid body', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), { raw: '{"call": {"custom_fields": [{"name": "Call type" "value": "x"}]}}' });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidJSON');
    expect(r.json.description).toMatch(/\bline 1, column 50\b/);
  });

  it('answers 400 InvalidJSON for a PUT without a body', async () => {
    const t = await createTestApp();
    const r = await send(t, { method: 'PUT', headers: { authorization: t.bearer('editor'), 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('InvalidJSON');
  });
});

describe("the vendor's examples, repaired", () => {
  it('sets "Unknown" and "Sales call" by field_id, byte for byte', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), { raw: repaired(VENDOR_BY_ID) });
    expect(r.status).toBe(200);
    const stored = await t.stored(CALL.first);
    expect(stored!.values['138fb20c-4c3b-11ee-8cbb-0015172d2a7d']).toBe('Unknown');
    expect(stored!.values['9079d60a-5192-11ee-aa89-0015172d2a7d']).toBe('Sales call');
    expect(r.json.call.custom_fields).toContainEqual({ field_id: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d', name: 'Payment status', value: 'Unknown' });
    expect(r.json.call.custom_fields).toContainEqual({ field_id: '9079d60a-5192-11ee-aa89-0015172d2a7d', name: 'Call type', value: 'Sales call' });
  });

  it('sets the same values by name', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), { raw: repaired(VENDOR_BY_NAME) });
    expect(r.status).toBe(200);
    expect(await t.stored(CALL.first)).toEqual({
      version: 2,
      values: { ...FIRST_VALUES, '138fb20c-4c3b-11ee-8cbb-0015172d2a7d': 'Unknown', '9079d60a-5192-11ee-aa89-0015172d2a7d': 'Sales call' },
    });
  });

  it('clears "Payment status" with field_id, name and null together', async () => {
    const t = await createTestApp();
    await t.rest('PUT', callPath(CALL.first), { raw: repaired(VENDOR_BY_ID) });
    const r = await t.rest('PUT', callPath(CALL.first), { raw: repaired(VENDOR_CLEAR) });
    expect(r.status).toBe(200);
    expect(r.json.call.custom_fields.map((f: { name: string }) => f.name)).not.toContain('Payment status');
    expect(await t.stored(CALL.first)).toEqual({
      version: 3,
      values: { ...FIRST_VALUES, '9079d60a-5192-11ee-aa89-0015172d2a7d': 'Sales call' },
    });
  });

  it('clears by field_id even when the name beside it names a different field', async () => {
    const t = await createTestApp();
    const raw = repaired(VENDOR_CLEAR).replace('"Payment status"', '"Call type"').replace('138fb20c', '9079d60a').replace('4c3b-11ee-8cbb', '5192-11ee-aa89');
    const r = await t.rest('PUT', callPath(CALL.first), { raw: raw.replace('"Call type"', '"Notes"') });
    expect(r.status).toBe(200);
    expect(await t.stored(CALL.first)).toEqual({ version: 2, values: { [FIELD.notes]: 'keep me', [FIELD.locked]: 'immutable' } });
  });
});

describe('PUT: permissions and scope', () => {
  it('answers 403 for a viewer and writes nothing', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await put(t, [{ name: 'Call type', value: 'x' }], { as: 'viewer' });
    expect(r.status).toBe(403);
    expect(r.text).toBe(JSON.stringify({ error: 'Forbidden', description: 'API user has no permission to update call records' }));
    await expectUnchanged(t, before);
  });

  it('answers 403 for a viewer with HTTP Basic too', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), {
      body: { call: { custom_fields: [{ name: 'Call type', value: 'x' }] } },
      headers: { authorization: basic('viewer') },
    });
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('Forbidden');
  });

  it.each([
    ['an unknown call', '44444444-4444-4444-8444-444444444444'],
    ["another tenant's call", CALL.otherTenant],
    ['a non-UUID id', 'not-a-uuid'],
    ['a UUID with extra characters', `${CALL.first}0`],
  ])('answers 404 Call not found for %s', async (_label, id) => {
    const t = await createTestApp();
    const otherBefore = await t.stored(CALL.otherTenant, (await t.store.findTenantByName('other'))!.id);
    const r = await put(t, [{ name: 'Call type', value: 'x' }], { id });
    expect(r.status).toBe(404);
    expect(r.text).toBe(JSON.stringify({ error: 'NotFound', description: 'Call not found' }));
    expect(await t.stored(CALL.otherTenant, (await t.store.findTenantByName('other'))!.id)).toEqual(otherBefore);
  });

  it("cannot write another tenant's call by using that tenant's field id", async () => {
    const t = await createTestApp();
    const otherTenant = (await t.store.findTenantByName('other'))!.id;
    const before = await t.stored(CALL.otherTenant, otherTenant);
    const r = await put(t, [{ field_id: FIELD.otherTenant, value: 'overwritten' }], { id: CALL.otherTenant });
    expect(r.status).toBe(404);
    expect(await t.stored(CALL.otherTenant, otherTenant)).toEqual(before);
  });
});

describe('authentication', () => {
  const UNAUTHORIZED_CHALLENGE = 'Basic realm="callgate"';

  const attempts: [string, Record<string, string>][] = [
    ['no credentials', {}],
    ['a wrong Basic password', { authorization: basic('editor', 'wrong password') }],
    ['an unknown Basic user', { authorization: basic('nobody') }],
    ['a bad bearer token', { authorization: 'Bearer not-a-real-token' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['an unknown scheme', { authorization: 'Digest username="editor"' }],
    ['Basic without a colon', { authorization: `Basic ${Buffer.from('editor').toString('base64')}` }],
  ];

  it.each(attempts)('answers 401 with a Basic challenge for %s on PUT, writing nothing', async (_label, headers) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await send(t, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: 'x' }] } }),
    });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(UNAUTHORIZED_CHALLENGE);
    expect(r.json.error).toBe('Unauthorized');
    await expectUnchanged(t, before);
  });

  it.each(attempts)('answers 401 with a Basic challenge for %s on GET, showing no call data', async (_label, headers) => {
    const t = await createTestApp();
    const r = await send(t, { method: 'GET', headers });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(UNAUTHORIZED_CHALLENGE);
    expect(r.text).not.toContain(CALL.first);
  });

  it('answers an unknown user and a wrong password with identical responses', async () => {
    const t = await createTestApp();
    // The same request id for both; the Date header tells the time, not the user.
    const id = { 'x-request-id': 'login-check' };
    const unknown = await send(t, { method: 'GET', headers: { authorization: basic('nobody'), ...id } });
    const wrong = await send(t, { method: 'GET', headers: { authorization: basic('editor', 'wrong password'), ...id } });
    const headersOf = (r: typeof unknown) => [...r.headers].filter(([name]) => name !== 'date');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(headersOf(unknown)).toEqual(headersOf(wrong));
  });

  it('answers 401 before revealing whether a path or call exists', async () => {
    const t = await createTestApp();
    for (const path of [callPath('44444444-4444-4444-8444-444444444444'), '/api/v2/nothing']) {
      const r = await send(t, { method: 'GET', path });
      expect(r.status).toBe(401);
    }
  });

  it('accepts HTTP Basic with the correct password for GET and PUT', async () => {
    const t = await createTestApp();
    const get = await t.rest('GET', callPath(CALL.first), { headers: { authorization: basic('editor') } });
    expect(get.status).toBe(200);
    expect(get.json.call.call_id).toBe(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), {
      body: { call: { custom_fields: [{ name: 'Call type', value: 'via basic' }] } },
      headers: { authorization: basic('editor') },
    });
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('via basic');
    // The cached login must not let a wrong password through afterwards.
    const wrong = await t.rest('GET', callPath(CALL.first), { headers: { authorization: basic('editor', 'wrong password') } });
    expect(wrong.status).toBe(401);
  });

  it('accepts a lower-case scheme name', async () => {
    const t = await createTestApp();
    const r = await t.rest('GET', callPath(CALL.first), { headers: { authorization: `bearer ${t.tokens.editor}` } });
    expect(r.status).toBe(200);
  });
});

describe('HTTP semantics', () => {
  it.each(['POST', 'DELETE', 'PATCH'])('answers 405 with Allow: GET, HEAD, PUT for %s, writing nothing', async (method) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest(method, callPath(CALL.first), { body: { call: { custom_fields: [{ name: 'Call type', value: null }] } } });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, PUT');
    expect(r.json.error).toBe('MethodNotAllowed');
    await expectUnchanged(t, before);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['JSON merge patch', 'application/merge-patch+json'],
    ['a type that only starts like JSON', 'application/jsonp'],
  ])('answers 415 for %s, writing nothing', async (_label, type) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: 'x' }] } }),
      headers: { 'content-type': type },
    });
    expect(r.status).toBe(415);
    expect(r.json.error).toBe('UnsupportedMediaType');
    await expectUnchanged(t, before);
  });

  it('answers 415 for a body without any content type', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await send(t, {
      method: 'PUT',
      headers: { authorization: t.bearer('editor') },
      // Bytes, not a string: a string body would get "text/plain" from Request itself.
      body: new TextEncoder().encode(JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: 'x' }] } })),
    });
    expect(r.status).toBe(415);
    expect(r.json.error).toBe('UnsupportedMediaType');
    await expectUnchanged(t, before);
  });

  it('answers 413 for a body over 1 MiB with a content-length', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const json = JSON.stringify({ call: { custom_fields: [{ name: 'Call type', value: 'Padded' }] } });
    const raw = json + ' '.repeat(MiB + 1 - json.length);
    const r = await t.rest('PUT', callPath(CALL.first), { raw, headers: { 'content-type': 'application/json', 'content-length': String(raw.length) } });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('PayloadTooLarge');
    await expectUnchanged(t, before);
  });

  it('answers 413 when only the declared content-length is over 1 MiB', async () => {
    const t = await createTestApp();
    const r = await rawRequest(t.url, {
      method: 'PUT',
      path: callPath(CALL.first),
      body: JSON.stringify({ call: { custom_fields: [] } }),
      headers: { authorization: t.bearer('editor'), 'content-type': 'application/json', 'content-length': String(MiB + 1) },
    });
    expect(r.status).toBe(413);
  });

  it('answers 413 for a chunked body over 1 MiB without content-length, writing nothing', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const encoder = new TextEncoder();
    const head = encoder.encode('{"call": {"custom_fields": [{"name": "Call type", "value": "Padded"}]}}');
    const padding = encoder.encode(' '.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        else if (sent > MiB + 2 * padding.length) controller.close();
        else controller.enqueue(padding);
        sent += sent === 0 ? head.length : padding.length;
      },
    });
    const r = await send(t, {
      method: 'PUT',
      headers: { authorization: t.bearer('editor'), 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('PayloadTooLarge');
    await expectUnchanged(t, before);
  });

  it('answers 413 for a huge chunked body, without reading it to the end', async () => {
    const t = await createTestApp();
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    // 64 MiB in all, as far as the server would read; it should stop just past 1 MiB.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 64 * MiB) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const r = await send(t, {
      method: 'PUT',
      headers: { authorization: t.bearer('editor'), 'content-type': 'application/json' },
      body,
      duplex: 'half',
    });
    expect(r.status).toBe(413);
    // The client can push what the loopback socket buffers hold (a few MiB, more under load) past where the server stopped.
    expect(pulled).toBeLessThan(16 * MiB);
  });

  it.each([
    ['an unknown /api/ path', '/api/v2/nothing'],
    ['a call path without .json', `/api/v2/calls/${CALL.first}`],
    ['a call path with a trailing slash', `/api/v2/calls/${CALL.first}.json/`],
    ['another API version', `/api/v1/calls/${CALL.first}.json`],
  ])('answers 404 JSON for %s', async (_label, path) => {
    const t = await createTestApp();
    const r = await t.rest('GET', path);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json.error).toBe('NotFound');
    expect(typeof r.json.description).toBe('string');
  });
});

describe('odd input never causes a 500', () => {
  const odd: [string, string][] = [
    ['an array as the body', '[{"call": {"custom_fields": []}}]'],
    ['{"call": null}', '{"call": null}'],
    ['{"call": "x"}', '{"call": "x"}'],
    ['entries that are strings and numbers', '{"call": {"custom_fields": ["Call type", 1, 2.5, -0, true, null]}}'],
    ['field_id as a number', '{"call": {"custom_fields": [{"field_id": 1384, "value": "x"}]}}'],
    ['field_id as a huge number', '{"call": {"custom_fields": [{"field_id": 1e999, "value": "x"}]}}'],
    ['an empty field_id and name', '{"call": {"custom_fields": [{"field_id": "", "name": "", "value": "x"}]}}'],
    ['deeply nested value', `{"call": {"custom_fields": [{"name": "Call type", "value": ${'['.repeat(400)}${']'.repeat(400)}}]}}`],
    ['nesting past the parser limit in a value', `{"call": {"custom_fields": [{"name": "Call type", "value": ${'['.repeat(5000)}${']'.repeat(5000)}}]}}`],
    ['__proto__ at the top', '{"__proto__": {"call": {"custom_fields": [{"name": "Call type", "value": "x"}]}}}'],
    ['__proto__ in call', '{"call": {"__proto__": {"custom_fields": [{"name": "Call type", "value": "x"}]}}}'],
    ['__proto__ in an entry', '{"call": {"custom_fields": [{"__proto__": {"name": "Call type"}, "value": "x"}]}}'],
    ['a name "__proto__"', '{"call": {"custom_fields": [{"name": "__proto__", "value": "x"}]}}'],
    ['a name "constructor"', '{"call": {"custom_fields": [{"name": "constructor", "value": "x"}]}}'],
    ['a name "toString"', '{"call": {"custom_fields": [{"name": "toString", "value": "x"}]}}'],
    ['constructor.prototype keys', '{"constructor": {"prototype": {"polluted": true}}, "call": {"custom_fields": []}}'],
    ['a lone surrogate in the value', '{"call": {"custom_fields": [{"name": "Call type", "value": "\\ud800"}]}}'],
    ['a NUL in the name', '{"call": {"custom_fields": [{"name": "Call\\u0000type", "value": "x"}]}}'],
    ['a NUL in the field_id', `{"call": {"custom_fields": [{"field_id": "${FIELD.callType}\\u0000", "value": "x"}]}}`],
    ['a very long field_id', `{"call": {"custom_fields": [{"field_id": "${'a'.repeat(100_000)}", "value": "x"}]}}`],
    ['a very long value', `{"call": {"custom_fields": [{"name": "Call type", "value": "${'x'.repeat(500_000)}"}]}}`],
    ['a 400-digit number', `{"call": {"custom_fields": [{"name": "Amount", "value": ${'9'.repeat(400)}}]}}`],
    ['a 1000-digit number', `{"call": {"custom_fields": [{"name": "Amount", "value": ${'9'.repeat(1000)}}]}}`],
    ['many entries', `{"call": {"custom_fields": [${Array.from({ length: 5000 }, () => '{"name": "Call type", "value": "x"}').join(',')}]}}`],
    ['a UTF-8 byte order mark', '\ufeff{"call": {"custom_fields": []}}'],
    ['invalid UTF-8 bytes', '{"call": {"custom_fields": [{"name": "Call type", "value": "\udcff"}]}}'],
  ];

  it.each(odd)('answers %s with a clean 2xx/4xx', async (_label, raw) => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), { raw });
    expect(r.status).not.toBeGreaterThanOrEqual(500);
    if (r.status !== 200) expectCleanClientError(r);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).call).toBeUndefined();
    // The app still works afterwards.
    expect((await t.rest('GET', callPath(CALL.first))).status).toBe(200);
  });

  it('refuses __proto__-wrapped input instead of acting on it', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    for (const raw of [
      '{"__proto__": {"call": {"custom_fields": [{"name": "Call type", "value": "x"}]}}}',
      '{"call": {"__proto__": {"custom_fields": [{"name": "Call type", "value": "x"}]}}}',
    ]) {
      const r = await t.rest('PUT', callPath(CALL.first), { raw });
      expect(r.status).toBe(400);
      expect(Object.keys(r.json.details)).toEqual(['call.custom_fields']);
    }
    const entry = await t.rest('PUT', callPath(CALL.first), { raw: '{"call": {"custom_fields": [{"__proto__": {"name": "Call type"}, "value": "x"}]}}' });
    expect(entry.status).toBe(400);
    expect(entry.json.details).toEqual({ 'custom_fields.0': 'Either field_id or name is required' });
    await expectUnchanged(t, before);
  });

  it('stores and returns Unicode byte for byte', async () => {
    const t = await createTestApp();
    const value = 'Grüße, 東京 😀 — "quoted" \\ back\tslash\nnewline';
    const r = await put(t, [{ name: 'Call type', value }]);
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe(value);
    const get = await t.rest('GET', callPath(CALL.first));
    expect(get.text).toContain(JSON.stringify(value));
    expect(get.json.call.custom_fields[0].value).toBe(value);
  });

  it('does not match a field by a name with a NUL appended', async () => {
    const t = await createTestApp();
    const r = await put(t, [{ name: 'Call type\u0000', value: 'x' }]);
    expect(r.status).toBe(400);
    expect(Object.keys(r.json.details)).toEqual(['custom_fields.0.name']);
  });
});

describe('PUT: encoding edge cases', () => {
  it('ignores a UTF-8 byte-order mark before the JSON', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: `\uFEFF{"call": {"custom_fields": [{"field_id": "${FIELD.paymentStatus}", "value": "Paid"}]}}`,
    });
    expect(r.status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.paymentStatus]).toBe('Paid');
  });

  it('refuses a value with a lone surrogate instead of storing replacement characters', async () => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await t.rest('PUT', callPath(CALL.first), {
      raw: `{"call": {"custom_fields": [{"field_id": "${FIELD.callType}", "value": "a\\ud800b"}]}}`,
    });
    expect(r.status).toBe(400);
    expect(r.json.details).toEqual({ 'custom_fields.0.value': 'Value must be valid Unicode text' });
    expect(await t.stored(CALL.first)).toEqual(before);
  });
});
