import { beforeEach, describe, expect, it } from 'vitest';
import { callId, range, seedCalls } from '../support/calls.js';
import { CALL, createTestApp, FIELD, NOW } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

/** A query that must succeed. */
async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, as: 'editor' | 'viewer' | 'otherEditor' = 'editor'): Promise<T> {
  const { status, body } = await t.graphql<T>(query, variables, as);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data!;
}

const empty = (fieldId: string, name: string) => ({ fieldId, name, value: null, updatedAt: null, updatedBy: null });
const imported = (fieldId: string, name: string, value: string) => ({ fieldId, name, value, updatedAt: NOW, updatedBy: null });

describe('Call.customFields', () => {
  const QUERY = `query($id: ID!, $includeEmpty: Boolean) {
    call(id: $id) { customFields(includeEmpty: $includeEmpty) { fieldId name value updatedAt updatedBy } }
  }`;

  it('lists only the values the call has by default', async () => {
    const data = await ok(QUERY, { id: CALL.first });
    expect(data.call.customFields).toEqual([
      imported(FIELD.callType, 'Call type', 'Support call'),
      imported(FIELD.locked, 'Locked', 'immutable'),
      imported(FIELD.notes, 'Notes', 'keep me'),
    ]);
    expect((await ok(QUERY, { id: CALL.second })).call.customFields).toEqual([]);
  });

  it('with includeEmpty lists every enabled field of the tenant by name, null where unset', async () => {
    const data = await ok(QUERY, { id: CALL.first, includeEmpty: true });
    expect(data.call.customFields).toEqual([
      empty(FIELD.amount, 'Amount'),
      imported(FIELD.callType, 'Call type', 'Support call'),
      empty(FIELD.followUp, 'Follow-up date'),
      imported(FIELD.locked, 'Locked', 'immutable'),
      imported(FIELD.notes, 'Notes', 'keep me'),
      empty(FIELD.paymentStatus, 'Payment status'),
    ]);
  });

  it('never shows a disabled field or another tenant\'s field, with or without includeEmpty', async () => {
    const data = await ok(QUERY, { id: CALL.second, includeEmpty: true });
    const names = data.call.customFields.map((f: { name: string }) => f.name);
    expect(names).not.toContain('Retired');
    expect(names).not.toContain('Secret');
    expect(names).toHaveLength(6);
  });

  it('each value exposes its field definition for form rendering', async () => {
    const data = await ok(`query($id: ID!) {
      call(id: $id) { customFields(includeEmpty: true) { name value field { id name type options maxLength editable enabled } } }
    }`, { id: CALL.first });
    const byName = Object.fromEntries(data.call.customFields.map((f: { name: string; field: unknown }) => [f.name, f.field]));
    expect(byName['Payment status']).toEqual({
      id: FIELD.paymentStatus,
      name: 'Payment status',
      type: 'OPTION',
      options: ['Unknown', 'Paid', 'Unpaid'],
      maxLength: null,
      editable: true,
      enabled: true,
    });
    expect(byName['Notes']).toMatchObject({ type: 'TEXT', maxLength: 10, editable: true });
    expect(byName['Locked']).toMatchObject({ type: 'TEXT', maxLength: 255, editable: false });
  });

  it('the mutation result shows the values and fields after the change', async () => {
    const data = await ok(`mutation($id: ID!) {
      setCallCustomFields(callId: $id, customFields: [{ name: "Amount", value: "3" }]) {
        ... on SetCallCustomFieldsSuccess { call { customField(name: "Amount") { value updatedBy field { type } } } }
      }
    }`, { id: CALL.second });
    expect(data.setCallCustomFields.call.customField).toEqual({ value: '3', updatedBy: 'editor', field: { type: 'NUMBER' } });
  });
});

describe('Call.customField', () => {
  const QUERY = `query($id: ID!, $fieldId: ID, $name: String) {
    call(id: $id) { customField(fieldId: $fieldId, name: $name) { fieldId name value } }
  }`;

  it('finds one value by field id or exact name, the id winning', async () => {
    const notes = { fieldId: FIELD.notes, name: 'Notes', value: 'keep me' };
    expect((await ok(QUERY, { id: CALL.first, fieldId: FIELD.notes })).call.customField).toEqual(notes);
    expect((await ok(QUERY, { id: CALL.first, fieldId: FIELD.notes.toUpperCase() })).call.customField).toEqual(notes);
    expect((await ok(QUERY, { id: CALL.first, name: 'Notes' })).call.customField).toEqual(notes);
    expect((await ok(QUERY, { id: CALL.first, fieldId: FIELD.notes, name: 'Call type' })).call.customField).toEqual(notes);
  });

  it('is null for a field the call has no value for', async () => {
    expect((await ok(QUERY, { id: CALL.first, name: 'Amount' })).call.customField).toBeNull();
  });

  it.each([
    [{ name: 'notes' }, 'customField(name): Unknown custom field; did you mean "Notes"?'],
    [{ name: 'Secret' }, 'customField(name): Unknown custom field'],
    [{ fieldId: FIELD.otherTenant }, 'customField(fieldId): Unknown custom field'],
    [{ name: 'Retired' }, 'customField(name): Custom field is disabled'],
    [{}, 'customField: Either fieldId or name is required'],
  ])('%j is a clear error', async (args, message) => {
    const { status, body } = await t.graphql(QUERY, { id: CALL.first, ...args });
    expect(status).toBe(200);
    expect(body.errors?.map((e) => e.message)).toEqual([message]);
    expect(body.data).toEqual({ call: { customField: null } });
  });
});

describe('Query.customFields and Query.customField', () => {
  it('customFields leaves disabled fields out unless includeDisabled', async () => {
    const names = async (includeDisabled?: boolean) =>
      (await ok(`query($d: Boolean) { customFields(includeDisabled: $d) { name enabled } }`, { d: includeDisabled })).customFields.map(
        (f: { name: string }) => f.name,
      );
    expect(await names()).toEqual(['Amount', 'Call type', 'Follow-up date', 'Locked', 'Notes', 'Payment status']);
    expect(await names(false)).toEqual(await names());
    expect(await names(true)).toEqual(['Amount', 'Call type', 'Follow-up date', 'Locked', 'Notes', 'Payment status', 'Retired']);
  });

  it('customFields with includeDisabled shows the other tenant only its own field', async () => {
    const data = await ok(`{ customFields(includeDisabled: true) { id } }`, {}, 'otherEditor');
    expect(data.customFields).toEqual([{ id: FIELD.otherTenant }]);
  });

  const ONE = `query($id: ID, $name: String) { customField(id: $id, name: $name) { id name enabled } }`;

  it('customField finds a field by id or exact name, the id winning, disabled fields too', async () => {
    expect((await ok(ONE, { id: FIELD.amount })).customField).toEqual({ id: FIELD.amount, name: 'Amount', enabled: true });
    expect((await ok(ONE, { name: 'Amount' })).customField).toEqual({ id: FIELD.amount, name: 'Amount', enabled: true });
    expect((await ok(ONE, { id: FIELD.amount, name: 'Notes' })).customField).toMatchObject({ name: 'Amount' });
    expect((await ok(ONE, { name: 'Retired' })).customField).toEqual({ id: FIELD.retired, name: 'Retired', enabled: false });
  });

  it('customField is null for an unknown field, a near-miss name or another tenant\'s field', async () => {
    expect((await ok(ONE, { name: 'amount' })).customField).toBeNull();
    expect((await ok(ONE, { id: '99999999-9999-4999-8999-999999999999', name: 'Amount' })).customField).toBeNull();
    expect((await ok(ONE, { id: FIELD.otherTenant })).customField).toBeNull();
    expect((await ok(ONE, { name: 'Secret' })).customField).toBeNull();
  });

  it('customField without id or name is a clear error', async () => {
    const { status, body } = await t.graphql(ONE, {});
    expect(status).toBe(200);
    expect(body.errors?.map((e) => e.message)).toEqual(['Either id or name is required']);
  });
});

describe('Node and Query.node', () => {
  const NODE = `query($id: ID!) { node(id: $id) { __typename nodeId ... on Call { id fromNumber } ... on CustomField { id name } } }`;

  it('a call\'s nodeId round-trips through node(id:), and Call.id stays the UUID', async () => {
    const listed = await ok(`{ calls(first: 1) { edges { node { id nodeId } } } }`);
    const { id, nodeId } = listed.calls.edges[0].node;
    expect(id).toBe(CALL.second);
    expect(nodeId).not.toBe(id);
    expect(nodeId).not.toContain(id);
    const data = await ok(NODE, { id: nodeId });
    expect(data.node).toEqual({ __typename: 'Call', nodeId, id: CALL.second, fromNumber: '+4930333' });
  });

  it('id is the global id: node(id:) takes a call\'s or a field\'s UUID, and the deprecated nodeId still answers as before', async () => {
    const RELAY = `query($id: ID!) { node(id: $id) { __typename id nodeId ... on Call { setupTime } ... on CustomField { name } } }`;
    const call = (await ok(RELAY, { id: CALL.first })).node;
    expect(call).toMatchObject({ __typename: 'Call', id: CALL.first, setupTime: '2026-01-01T09:00:00.000Z' });
    expect(call.nodeId).toBe(Buffer.from(`Call:${CALL.first}`).toString('base64'));
    expect((await ok(RELAY, { id: call.nodeId })).node).toEqual(call);
    const field = (await ok(RELAY, { id: FIELD.notes })).node;
    expect(field).toMatchObject({ __typename: 'CustomField', id: FIELD.notes, name: 'Notes' });
    expect((await ok(RELAY, { id: field.nodeId })).node).toEqual(field);
  });

  it('a custom field is a node too', async () => {
    const { customField } = await ok(`{ customField(name: "Notes") { nodeId } }`);
    expect((await ok(NODE, { id: customField.nodeId })).node).toEqual({ __typename: 'CustomField', nodeId: customField.nodeId, id: FIELD.notes, name: 'Notes' });
  });

  it('a bare call or field UUID is accepted as well', async () => {
    expect((await ok(NODE, { id: CALL.first })).node).toMatchObject({ __typename: 'Call', id: CALL.first });
    expect((await ok(NODE, { id: FIELD.amount.toUpperCase() })).node).toMatchObject({ __typename: 'CustomField', id: FIELD.amount });
  });

  it('another tenant\'s call or field, an unknown id and garbage are null', async () => {
    const theirs = await ok(`{ calls { edges { node { nodeId } } } customFields { nodeId } }`, {}, 'otherEditor');
    for (const id of [
      theirs.calls.edges[0].node.nodeId,
      theirs.customFields[0].nodeId,
      CALL.otherTenant,
      FIELD.otherTenant,
      Buffer.from(`Call:99999999-9999-4999-8999-999999999999`).toString('base64'),
      Buffer.from(`Viewer:${CALL.first}`).toString('base64'),
      'not a node id',
      '',
    ]) {
      expect((await ok(NODE, { id })).node, id).toBeNull();
    }
  });
});

describe('batching: a page costs the same few statements whatever its size', () => {
  const PAGE = /* GraphQL */ `
    query($first: Int, $filter: CallFilter) {
      calls(first: $first, filter: $filter) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges {
          cursor
          node {
            id nodeId setupTime
            customFields(includeEmpty: true) { name value updatedBy field { id type options maxLength editable } }
            notes: customField(name: "Notes") { value }
            amount: customField(fieldId: "${FIELD.amount}") { value field { name } }
          }
        }
      }
    }`;

  /** SQL statements one GraphQL request runs beyond what authentication costs. */
  async function statementsFor(query: string, variables: Record<string, unknown>) {
    const baseline = await t.statements.during(() => t.graphql(`{ __typename }`));
    const run = await t.statements.during(() => t.graphql(query, variables));
    expect(run.result.body.errors).toBeUndefined();
    return { data: run.result.body.data as any, statements: run.statements.slice(baseline.statements.length) };
  }

  beforeEach(async () => {
    await seedCalls(t.store, t.tenantId, range(1, 150).map((n) => ({
      n,
      customFields: [
        { fieldId: FIELD.notes, value: `note ${n}` },
        { fieldId: FIELD.amount, value: String(n) },
        ...(n % 2 ? [{ fieldId: FIELD.paymentStatus, value: 'Paid' }] : []),
      ],
    })));
  });

  it('100 calls with all their custom fields and definitions: at most 3 statements, as for 5 calls', async () => {
    const big = await statementsFor(PAGE, { first: 100 });
    expect(big.data.calls.edges).toHaveLength(100);
    expect(big.data.calls.edges[0].node.customFields).toHaveLength(6);
    expect(big.data.calls.edges[0].node.notes).toEqual({ value: 'note 150' });
    expect(big.data.calls.edges[0].node.amount).toEqual({ value: '150', field: { name: 'Amount' } });
    expect(big.statements.length, big.statements.join('\n')).toBeLessThanOrEqual(3);

    const small = await statementsFor(PAGE, { first: 5 });
    expect(small.statements.length).toBe(big.statements.length);
  });

  it('the same with a custom field filter by name, which needs the definitions first', async () => {
    const run = await statementsFor(PAGE, { first: 100, filter: { customFields: [{ name: 'Payment status', equals: 'Paid' }], setupTimeFrom: '2026-02-01T00:00:00Z' } });
    expect(run.data.calls.edges).toHaveLength(75);
    expect(run.data.calls.totalCount).toBe(75);
    expect(run.statements.length, run.statements.join('\n')).toBeLessThanOrEqual(3);
  });

  it('counts only when totalCount is asked for, @include and @skip respected', async () => {
    const query = `query($count: Boolean!) { calls(first: 10) { totalCount @include(if: $count) edges { cursor } } }`;
    const counted = await statementsFor(query, { count: true });
    expect(counted.data.calls.totalCount).toBe(152);
    expect(counted.statements.join('\n')).toMatch(/count\(\*\)/);
    const uncounted = await statementsFor(query, { count: false });
    expect(uncounted.data.calls).not.toHaveProperty('totalCount');
    expect(uncounted.statements).toHaveLength(1);
    expect(uncounted.statements[0]).not.toMatch(/count\(\*\)/);
  });

  it('the values of all calls on a page are read in one statement', async () => {
    const run = await statementsFor(`{ calls(first: 100) { edges { node { customFields { value } } } } }`, {});
    expect(run.statements.filter((s) => /from "?call_custom_field_values\b/i.test(s))).toHaveLength(1);
    expect(run.statements).toHaveLength(2);
  });
});

describe('Call.customFields on many calls', () => {
  it('each call of a page gets its own values', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 3).map((n) => ({ n, customFields: [{ fieldId: FIELD.amount, value: String(n * 10) }] })));
    const data = await ok(`{ calls { edges { node { id customFields { name value } } } } }`);
    expect(data.calls.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: callId(3), customFields: [{ name: 'Amount', value: '30' }] },
      { id: callId(2), customFields: [{ name: 'Amount', value: '20' }] },
      { id: callId(1), customFields: [{ name: 'Amount', value: '10' }] },
      { id: CALL.second, customFields: [] },
      { id: CALL.first, customFields: [{ name: 'Call type', value: 'Support call' }, { name: 'Locked', value: 'immutable' }, { name: 'Notes', value: 'keep me' }] },
    ]);
  });
});
