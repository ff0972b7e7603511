import { describe, expect, it } from 'vitest';
import { CALL, FIELD, NOW, createTestApp } from '../support/fixtures.js';

/**
 * The REST shim and the GraphQL mutation are two doors to one rule. For the
 * same input, applied to two fresh worlds (one through each door), the stored
 * result must be the same: values, who and when, and the version bump.
 */

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

/** One entry in GraphQL terms; a key left out stays left out on both sides. */
interface Entry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
}

const SET = /* GraphQL */ `
  mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { id version customFields { fieldId name value updatedAt updatedBy } } }
      ... on InvalidRecordError { details { path message } }
      ... on Error { message }
    }
  }`;

const toRestEntry = (entry: Entry) => {
  const rest: Record<string, unknown> = {};
  if ('fieldId' in entry) rest.field_id = entry.fieldId;
  if ('name' in entry) rest.name = entry.name;
  if ('value' in entry) rest.value = entry.value;
  return rest;
};

/** The GraphQL input path as the vendor names it, written out here rather than taken from src. */
const restKey = (path: string) =>
  path.replace(/^customFields\./, 'custom_fields.').replace(/\.fieldId$/, '.field_id');

/** Everything stored for a call that a client could ever see, tenant-independent. */
async function snapshot(t: TestApp, callId: string = CALL.first) {
  const found = await t.store.getCall(t.tenantId, callId);
  if (!found) return null;
  const { tenantId: _tenantId, ...call } = found.call;
  return { call, customFields: found.customFields };
}

async function viaRest(t: TestApp, entries: Entry[], as: Who = 'editor', callId: string = CALL.first) {
  return t.rest('PUT', `/api/v2/calls/${callId}.json`, { body: { call: { custom_fields: entries.map(toRestEntry) } }, as });
}

async function viaGraphql(t: TestApp, entries: Entry[], as: Who = 'editor', callId: string = CALL.first) {
  const r = await t.graphql<{ setCallCustomFields: any }>(SET, { callId, customFields: entries }, as);
  expect(r.status).toBe(200);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.setCallCustomFields;
}

const FIELD_BY_NAME: Record<string, string> = {
  'Payment status': FIELD.paymentStatus,
  'Call type': FIELD.callType,
  Notes: FIELD.notes,
  Amount: FIELD.amount,
  'Follow-up date': FIELD.followUp,
};

const FIRST_VALUES = {
  [FIELD.callType]: 'Support call',
  [FIELD.notes]: 'keep me',
  [FIELD.locked]: 'immutable',
};

type Case =
  | { label: string; entries: Entry[]; values: Record<string, string>; bump: 0 | 1 }
  | { label: string; entries: Entry[]; details: Record<string, string> };

const ACCEPTED: Extract<Case, { values: unknown }>[] = [
  {
    label: "the vendor's example by id",
    entries: [
      { fieldId: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d', value: 'Unknown' },
      { fieldId: '9079d60a-5192-11ee-aa89-0015172d2a7d', value: 'Sales call' },
    ],
    values: { ...FIRST_VALUES, [FIELD.paymentStatus]: 'Unknown', [FIELD.callType]: 'Sales call' },
    bump: 1,
  },
  {
    label: "the vendor's example by name",
    entries: [
      { name: 'Payment status', value: 'Unknown' },
      { name: 'Call type', value: 'Sales call' },
    ],
    values: { ...FIRST_VALUES, [FIELD.paymentStatus]: 'Unknown', [FIELD.callType]: 'Sales call' },
    bump: 1,
  },
  {
    label: 'a clear with null, id and name together (the vendor\'s clearing example)',
    entries: [{ fieldId: FIELD.notes, name: 'Notes', value: null }],
    values: { [FIELD.callType]: 'Support call', [FIELD.locked]: 'immutable' },
    bump: 1,
  },
  {
    label: 'a clear with an empty string by name',
    entries: [{ name: 'Call type', value: '' }],
    values: { [FIELD.notes]: 'keep me', [FIELD.locked]: 'immutable' },
    bump: 1,
  },
  {
    label: 'a mix of set and clear, by id and by name, with id beating name',
    entries: [
      { name: 'Payment status', value: 'Paid' },
      { fieldId: FIELD.notes, value: null },
      { fieldId: FIELD.amount, value: '42' },
      { fieldId: FIELD.callType, name: 'Notes', value: 'id wins' },
      { name: 'Follow-up date', value: '2026-02-28' },
    ],
    values: {
      [FIELD.locked]: 'immutable',
      [FIELD.paymentStatus]: 'Paid',
      [FIELD.amount]: '42',
      [FIELD.callType]: 'id wins',
      [FIELD.followUp]: '2026-02-28',
    },
    bump: 1,
  },
  {
    label: 'an id with a name that names no field',
    entries: [{ fieldId: FIELD.amount, name: 'No such field', value: '-3.14' }],
    values: { ...FIRST_VALUES, [FIELD.amount]: '-3.14' },
    bump: 1,
  },
  {
    label: 'an upper-case field id',
    entries: [{ fieldId: FIELD.callType.toUpperCase(), value: 'Upper' }],
    values: { ...FIRST_VALUES, [FIELD.callType]: 'Upper' },
    bump: 1,
  },
  {
    label: 'an explicit null name beside an id',
    entries: [{ fieldId: FIELD.callType, name: null, value: 'null name' }],
    values: { ...FIRST_VALUES, [FIELD.callType]: 'null name' },
    bump: 1,
  },
  {
    label: 'the value already stored',
    entries: [{ name: 'Notes', value: 'keep me' }],
    values: FIRST_VALUES,
    bump: 1,
  },
  {
    label: 'Unicode at the max length (10 code points)',
    entries: [{ name: 'Notes', value: 'Grüße 😀東京!' }],
    values: { ...FIRST_VALUES, [FIELD.notes]: 'Grüße 😀東京!' },
    bump: 1,
  },
  {
    label: 'an empty list',
    entries: [],
    values: FIRST_VALUES,
    bump: 0,
  },
];

const REFUSED: Extract<Case, { details: unknown }>[] = [
  {
    label: 'a value too long beside a valid one',
    entries: [
      { fieldId: FIELD.callType, value: 'fine' },
      { fieldId: FIELD.notes, value: '12345678901' },
    ],
    details: { 'custom_fields.1.value': 'Value is too long' },
  },
  {
    label: 'unknown references and a missing value',
    entries: [
      { fieldId: '99999999-9999-4999-8999-999999999999', value: 'x' },
      { name: 'No such field', value: 'x' },
      { value: 'x' },
      { fieldId: FIELD.callType },
    ],
    details: {
      'custom_fields.0.field_id': 'Unknown custom field',
      'custom_fields.1.name': 'Unknown custom field',
      'custom_fields.2': 'Either field_id or name is required',
      'custom_fields.3.value': 'Value is required; use null to clear',
    },
  },
  {
    label: 'fields that may not be set',
    entries: [
      { fieldId: FIELD.locked, value: 'x' },
      { name: 'Retired', value: 'x' },
      { fieldId: FIELD.otherTenant, value: 'x' },
    ],
    details: {
      'custom_fields.0.field_id': 'Custom field is not editable',
      'custom_fields.1.name': 'Custom field is disabled',
      'custom_fields.2.field_id': 'Unknown custom field',
    },
  },
  {
    label: 'values of the wrong type',
    entries: [
      { name: 'Payment status', value: 'Maybe' },
      { name: 'Amount', value: 'forty-two' },
      { name: 'Follow-up date', value: '28.02.2026' },
      { name: 'Call type', value: 'nul\u0000byte' },
    ],
    details: {
      'custom_fields.0.value': 'Value is not one of the allowed options',
      'custom_fields.1.value': 'Value is not a valid number',
      'custom_fields.2.value': 'Value is not a valid date',
      'custom_fields.3.value': 'Value must not contain NUL characters',
    },
  },
  {
    label: 'a field listed twice, and a name in the wrong case',
    entries: [
      { fieldId: FIELD.callType, value: 'one' },
      { name: 'Call type', value: 'two' },
      { name: 'notes', value: 'x' },
    ],
    details: {
      'custom_fields.1.name': 'Custom field is listed more than once',
      'custom_fields.2.name': 'Unknown custom field; did you mean "Notes"?',
    },
  },
];

describe('REST and GraphQL store the same result for the same input', () => {
  it.each(ACCEPTED)('$label', async ({ entries, values, bump }) => {
    const [rest, graphql] = await Promise.all([createTestApp(), createTestApp()]);
    const before = await snapshot(rest);
    expect(await snapshot(graphql)).toEqual(before);

    const r = await viaRest(rest, entries);
    const g = await viaGraphql(graphql, entries);
    expect(r.status).toBe(200);
    expect(g.__typename).toBe('SetCallCustomFieldsSuccess');

    const afterRest = await snapshot(rest);
    const afterGraphql = await snapshot(graphql);
    expect(afterRest).toEqual(afterGraphql);

    // Both equal, and both right: the expected values and a version bumped by exactly `bump`.
    expect(await rest.stored(CALL.first)).toEqual({ version: before!.call.version + bump, values });
    expect(g.call.version).toBe(before!.call.version + bump);
    // A written value records who and when; an untouched one keeps what it had.
    const written = new Set(entries.filter((e) => e.value).map((e) => (e.fieldId ? e.fieldId.toLowerCase() : FIELD_BY_NAME[e.name!])));
    for (const value of afterRest!.customFields) {
      if (written.has(value.fieldId)) expect([value.updatedAt, value.updatedBy]).toEqual([NOW, 'editor']);
      else expect(value).toEqual(before!.customFields.find((b) => b.fieldId === value.fieldId));
    }

    // Both doors answer with the same call after the update.
    expect(r.json.call.custom_fields).toEqual(
      g.call.customFields.map((f: { fieldId: string; name: string; value: string }) => ({ field_id: f.fieldId, name: f.name, value: f.value })),
    );
    expect(g.call.customFields.map((f: { updatedAt: string; updatedBy: string | null }) => [f.updatedAt, f.updatedBy])).toEqual(
      afterGraphql!.customFields.map((f) => [f.updatedAt, f.updatedBy]),
    );
  });

  it.each(REFUSED)('$label: refused by both, nothing stored either way', async ({ entries, details }) => {
    const [rest, graphql] = await Promise.all([createTestApp(), createTestApp()]);
    const before = await snapshot(rest);

    const r = await viaRest(rest, entries);
    const g = await viaGraphql(graphql, entries);
    expect(r.status).toBe(400);
    expect(r.text).toBe(JSON.stringify({ error: 'InvalidRecord', description: 'Record Validation errors', details }));
    expect(g.__typename).toBe('InvalidRecordError');
    expect(Object.fromEntries(g.details.map((d: { path: string; message: string }) => [restKey(d.path), d.message]))).toEqual(details);

    expect(await snapshot(rest)).toEqual(before);
    expect(await snapshot(graphql)).toEqual(before);
  });

  it('stays in step over a sequence of requests', async () => {
    const [rest, graphql] = await Promise.all([createTestApp(), createTestApp()]);
    const steps = [...ACCEPTED.map((c) => c.entries), ...REFUSED.map((c) => c.entries), ACCEPTED[4]!.entries, ACCEPTED[2]!.entries];
    let expectedVersion = (await rest.stored(CALL.first))!.version;
    for (const entries of steps) {
      const r = await viaRest(rest, entries);
      const g = await viaGraphql(graphql, entries);
      expect(r.status === 200).toBe(g.__typename === 'SetCallCustomFieldsSuccess');
      if (r.status === 200 && entries.length > 0) expectedVersion += 1;
      const afterRest = await snapshot(rest);
      expect(afterRest).toEqual(await snapshot(graphql));
      expect(afterRest!.call.version).toBe(expectedVersion);
    }
    // Both doors also read back the same call.
    const get = await rest.rest('GET', `/api/v2/calls/${CALL.first}.json`);
    const query = await graphql.graphql<{ call: { customFields: { fieldId: string; name: string; value: string }[] } }>(
      `query { call(id: "${CALL.first}") { customFields { fieldId name value } } }`,
    );
    expect(get.json.call.custom_fields).toEqual(query.body.data!.call.customFields.map((f) => ({ field_id: f.fieldId, name: f.name, value: f.value })));
  });

  it('refuses a viewer through both doors, storing nothing', async () => {
    const [rest, graphql] = await Promise.all([createTestApp(), createTestApp()]);
    const before = await snapshot(rest);
    const entries = [{ name: 'Call type', value: 'viewer was here' }];
    const r = await viaRest(rest, entries, 'viewer');
    const g = await viaGraphql(graphql, entries, 'viewer');
    expect(r.status).toBe(403);
    expect(g.__typename).toBe('ForbiddenError');
    expect(r.json.description).toBe(g.message);
    expect(await snapshot(rest)).toEqual(before);
    expect(await snapshot(graphql)).toEqual(before);
  });

  it.each([
    ["another tenant's call", CALL.otherTenant],
    ['an unknown call', '44444444-4444-4444-8444-444444444444'],
    ['a non-UUID id', 'not-a-uuid'],
  ])('answers not found for %s through both doors, storing nothing', async (_label, callId) => {
    const [rest, graphql] = await Promise.all([createTestApp(), createTestApp()]);
    const otherBefore = await rest.store.getCall((await rest.store.findTenantByName('other'))!.id, CALL.otherTenant);
    const entries = [{ fieldId: FIELD.otherTenant, value: 'overwritten' }];
    const r = await viaRest(rest, entries, 'editor', callId);
    const g = await viaGraphql(graphql, entries, 'editor', callId);
    expect(r.status).toBe(404);
    expect(g.__typename).toBe('NotFoundError');
    expect(r.json.description).toBe(g.message);
    for (const t of [rest, graphql]) {
      const other = await t.store.getCall((await t.store.findTenantByName('other'))!.id, CALL.otherTenant);
      expect(other!.call.version).toBe(otherBefore!.call.version);
      expect(other!.customFields.map((f) => f.value)).toEqual(['hidden']);
    }
  });
});
