import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config.js';
import { StoreUnavailableError } from '../../src/store/call-store.js';
import { CALL, FIELD, createTestApp } from '../support/fixtures.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** One /graphql request as a client sees it: status and the body's exact text. */
async function post(t: TestApp, body: unknown, as: 'admin' | 'editor' | 'viewer' = 'editor') {
  const response = await t.fetch(
    new Request('http://callgate.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: t.bearer(as) },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.text() };
}

const counters = (t: TestApp) => t.app.compiledExecution!.stats();

const CALL_QUERY = 'query C($id: ID!) { call(id: $id) { id version customFields { fieldId name value } } }';

const ALL_CALL_FIELDS = /* GraphQL */ `
  query Everything($id: ID!, $withValues: Boolean!, $skipField: Boolean = true) {
    __typename
    first: call(id: $id) {
      ...Head
      id
      ... on Call @include(if: $withValues) { customFields(includeEmpty: true) { ...Value field { id name type options maxLength editable enabled } } }
      ...Tail @skip(if: $skipField)
      notes: customField(name: "Notes") { ...Value }
      byId: customField(fieldId: "${FIELD.callType}") { value }
    }
    missing: call(id: "00000000-0000-4000-8000-000000000000") { id }
    notAUuid: call(id: "nope") { id }
  }
  fragment Head on Call { version duration id direction setupTime }
  fragment Tail on Call { fromNumber toNumber nodeId }
  fragment Value on CustomFieldValue { name value values valid updatedAt updatedBy fieldId __typename }`;

const LIST = /* GraphQL */ `
  query List($first: Int, $filter: CallFilter, $order: CallOrder) {
    calls(first: $first, filter: $filter, orderBy: $order) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id duration customFields { name value } } }
    }
  }`;

const SET = /* GraphQL */ `
  mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {
    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version customFields { name value updatedAt updatedBy } } }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
      ... on ConflictError { reason }
    }
  }`;

interface Case {
  name: string;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  as?: 'admin' | 'editor' | 'viewer';
  /** graphql-js answers instead (its variable coercion refused the variables, or there is nothing to execute). */
  graphqlJs?: true;
}

/**
 * Requests covering what execution does: fragments in every position, field
 * order across fragments, aliases, @skip/@include on fields, fragments and
 * inline fragments, nulls, resolver errors with paths (several in one
 * result), unions and interfaces, introspection, serial mutations and their
 * outcomes, list and input coercion, defaults, enums and custom scalars, and
 * bad variables. Sent in this order to two worlds; mutations keep them alike.
 */
const CASES: Case[] = [
  { name: 'a call with fragments in every position', body: { query: ALL_CALL_FIELDS, variables: { id: CALL.first, withValues: true } } },
  { name: 'the same with @include false and @skip false', body: { query: ALL_CALL_FIELDS, variables: { id: CALL.first, withValues: false, skipField: false } } },
  { name: 'a call in upper case', body: { query: CALL_QUERY, variables: { id: CALL.first.toUpperCase() } } },
  { name: 'a call of another tenant', body: { query: CALL_QUERY, variables: { id: CALL.otherTenant } } },
  {
    name: 'two resolver errors and a value',
    body: { query: `{ a: call(id: "${CALL.first}") { x: customField(name: "Nope") { value } y: customField(name: "Retired") { value } z: customField(name: "Notes") { value } } }` },
  },
  { name: 'an error under a list item', body: { query: `{ calls(first: 2) { edges { node { id customField(fieldId: "not-a-field") { value } } } } }` } },
  { name: 'a node by call id, typed fragments', body: { query: `{ node(id: "${CALL.first}") { __typename ... on Call { duration } ... on CustomField { name } } }` } },
  { name: 'fields, enabled and disabled', body: { query: '{ customFields(includeDisabled: true) { id name type options maxLength enabled editable } }' } },
  { name: 'a field by name', body: { query: '{ customField(name: "payment status") { id name options } }' } },
  { name: 'the viewer', body: { query: '{ viewer { username role tenant permissions } }' }, as: 'viewer' },
  { name: 'introspection', body: { query: '{ __type(name: "CallFilter") { name kind inputFields { name type { name kind ofType { name } } defaultValue } } __schema { queryType { name } mutationType { name } } }' } },
  { name: 'a page with defaults', body: { query: LIST, variables: {} } },
  { name: 'a filtered page, single value to list, enum and DateTime', body: { query: LIST, variables: { first: 5, filter: { direction: 'INBOUND', setupTimeFrom: '2026-01-01T00:00:00Z', customFields: { name: 'Notes', equals: 'keep me' } }, order: { field: 'DURATION', direction: 'ASC' } } } },
  { name: 'a page too large', body: { query: LIST, variables: { first: 5000 } } },
  { name: 'a DateTime the scalar refuses', body: { query: LIST, variables: { filter: { setupTimeFrom: 'yesterday' } } }, graphqlJs: true },
  { name: 'a missing required variable', body: { query: CALL_QUERY, variables: {} }, graphqlJs: true },
  { name: 'a variable of the wrong type', body: { query: LIST, variables: { first: 'ten' } }, graphqlJs: true },
  { name: 'an unknown enum value', body: { query: LIST, variables: { order: { field: 'LENGTH' } } }, graphqlJs: true },
  {
    name: 'a write by id, by name and a clear',
    body: { query: SET, variables: { callId: CALL.first, customFields: [{ fieldId: FIELD.paymentStatus, value: 'Paid' }, { name: 'Call type', value: 'Sales call' }, { name: 'Notes', value: null }] } },
  },
  { name: 'an invalid write', body: { query: SET, variables: { callId: CALL.first, customFields: [{ name: 'Amount', value: 'many' }, { name: 'Nope', value: 'x' }] } } },
  { name: 'a stale expected version', body: { query: SET, variables: { callId: CALL.first, customFields: [{ name: 'Notes', value: 'x' }], expectedVersion: 1 } } },
  { name: 'a single input object for the list', body: { query: SET, variables: { callId: CALL.second, customFields: { name: 'Notes', value: 'one' } } } },
  { name: 'a viewer may not write', body: { query: SET, variables: { callId: CALL.first, customFields: [{ name: 'Notes', value: 'x' }] } }, as: 'viewer' },
  {
    name: 'two mutations, run one after the other',
    body: {
      query: `mutation { a: setCallCustomFields(callId: "${CALL.second}", customFields: [{ name: "Notes", value: "a" }]) { ... on SetCallCustomFieldsSuccess { call { version customField(name: "Notes") { value } } } }
                         b: setCallCustomFields(callId: "${CALL.second}", customFields: [{ name: "Notes", value: "b" }]) { ... on SetCallCustomFieldsSuccess { call { version customField(name: "Notes") { value } } } } }`,
    },
  },
  { name: 'an admin mutation with a union result', body: { query: 'mutation { createCustomField(input: { name: "Payment status", type: TEXT }) { __typename ... on Error { message } } }' }, as: 'admin' },
  { name: 'one operation of several, by name', body: { query: `query A { viewer { username } } query B { call(id: "${CALL.second}") { version } }`, operationName: 'B' } },
  { name: 'the other one', body: { query: `query A { viewer { username } } query B { call(id: "${CALL.second}") { version } }`, operationName: 'A' } },
  { name: 'the call after the writes', body: { query: ALL_CALL_FIELDS, variables: { id: CALL.first, withValues: true, skipField: false } } },
];

describe('graphql-jit for operations that run often', () => {
  it('answers every request byte for byte as graphql-js does, and really ran compiled', async () => {
    const jit = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 100 } });
    const plain = await createTestApp({ compiledExecution: false });
    expect(plain.app.compiledExecution).toBeNull();
    const answers = new Map<string, { status: number; body: string }>();
    for (const c of CASES) {
      const before = counters(jit).compiledExecutions;
      const expected = await post(plain, c.body, c.as);
      const actual = await post(jit, c.body, c.as);
      expect({ case: c.name, ...actual }).toEqual({ case: c.name, ...expected });
      expect({ case: c.name, compiled: counters(jit).compiledExecutions - before }).toEqual({ case: c.name, compiled: c.graphqlJs ? 0 : 1 });
      answers.set(c.name, actual);
    }
    // the answers say what they should, so "identical" is not identical nonsense
    const first = JSON.parse(answers.get(CASES[0]!.name)!.body).data.first;
    expect(first).toMatchObject({ id: CALL.first, notes: { value: 'keep me', valid: true }, byId: { value: 'Support call' } });
    expect(JSON.parse(answers.get('two resolver errors and a value')!.body).errors).toHaveLength(2);
    expect(answers.get('a DateTime the scalar refuses')!.status).toBe(400);
  });

  it('masks an unexpected resolver error, and answers 503 for an unavailable database, as graphql-js does', async () => {
    const jit = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 100 } });
    const plain = await createTestApp({ compiledExecution: false });
    const body = { query: `{ viewer { username } call(id: "${CALL.first}") { id } }` };
    const unexpected = { message: 'Unexpected error.', locations: [{ line: 1, column: 23 }], path: ['call'] };
    const unavailable = { extensions: { code: 'SERVICE_UNAVAILABLE' } };
    for (const [failure, status, error] of [
      [new Error('disk on fire'), 200, unexpected],
      [new StoreUnavailableError('connection refused'), 503, unavailable],
    ] as const) {
      for (const t of [jit, plain]) t.store.getCall = () => Promise.reject(failure);
      const expected = await post(plain, body);
      const before = counters(jit).compiledExecutions;
      expect(await post(jit, body)).toEqual(expected);
      expect(counters(jit).compiledExecutions - before).toBe(1);
      expect(expected.status).toBe(status);
      expect(expected.body).not.toMatch(/disk on fire|connection refused/);
      expect(JSON.parse(expected.body).errors[0]).toMatchObject(error);
    }
  });

  it('runs a document with graphql-js until it is hot, then compiled', async () => {
    const t = await createTestApp({ compiledExecution: { hotAfter: 2, maxOperations: 10 } });
    const body = { query: CALL_QUERY, variables: { id: CALL.first } };
    const answers = [];
    for (let run = 1; run <= 4; run++) {
      answers.push(await post(t, body));
      expect({ run, ...counters(t) }).toMatchObject({ run, compilations: run > 2 ? 1 : 0, compiledExecutions: Math.max(0, run - 2) });
    }
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers[0]!.status).toBe(200);
  });

  it('keeps at most maxOperations compiled, dropping the least recently run', async () => {
    const t = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 2 } });
    const query = (n: number) => ({ query: `{ call(id: "${CALL.first}") { v${n}: version } }` });
    for (const n of [1, 2, 1, 3]) await post(t, query(n));
    expect(counters(t)).toMatchObject({ operations: 2, compilations: 3 });
    await post(t, query(1)); // still compiled: run more recently than 2
    expect(counters(t)).toMatchObject({ operations: 2, compilations: 3 });
    await post(t, query(2)); // dropped: compiled again
    expect(counters(t)).toMatchObject({ operations: 2, compilations: 4 });
  });

  it('compiles at most compilationsPerSecond operations a second; the others run with graphql-js until the budget refills', async () => {
    let clock = 0;
    const t = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 100, compilationsPerSecond: 2, now: () => clock } });
    const plain = await createTestApp({ compiledExecution: false });
    const query = (n: number) => ({ query: `{ call(id: "${CALL.first}") { v${n}: version } }` });
    for (const n of [1, 2, 3, 4]) expect(await post(t, query(n))).toEqual(await post(plain, query(n)));
    expect(counters(t)).toMatchObject({ compilations: 2, compiledExecutions: 2, postponedCompilations: 2 });
    clock += 500; // half a second: one more
    await post(t, query(3));
    await post(t, query(4));
    expect(counters(t)).toMatchObject({ compilations: 3, compiledExecutions: 3, postponedCompilations: 3 });
    clock += 60_000; // a long pause refills the budget to its burst of 2, no more
    for (const n of [4, 5, 6]) await post(t, query(n));
    expect(counters(t)).toMatchObject({ compilations: 5, compiledExecutions: 5, postponedCompilations: 4 });
    await post(t, query(1));
    expect(counters(t)).toMatchObject({ compilations: 5, compiledExecutions: 6 });
  });

  it('runs the REST call documents compiled, with the same answers as graphql-js', async () => {
    const jit = await createTestApp();
    const plain = await createTestApp({ compiledExecution: false });
    const before = counters(jit).compiledExecutions;
    const put = { body: { call: { custom_fields: [{ name: 'Payment status', value: 'Paid' }] } } };
    for (const t of [jit, plain]) {
      const got = await t.rest('GET', `/api/v2/calls/${CALL.first}.json`);
      const written = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, put);
      expect(got.status).toBe(200);
      expect(written.status).toBe(200);
    }
    expect(counters(jit).compiledExecutions - before).toBe(2);
    expect((await jit.rest('GET', `/api/v2/calls/${CALL.first}.json`)).text).toBe((await plain.rest('GET', `/api/v2/calls/${CALL.first}.json`)).text);
  });

  it('GRAPHQL_JIT=false turns it off; anything but a flag is refused by name', () => {
    expect(parseConfig({}).jit).toBe(true);
    expect(parseConfig({ GRAPHQL_JIT: 'false' }).jit).toBe(false);
    expect(() => parseConfig({ GRAPHQL_JIT: 'off' })).toThrow(/GRAPHQL_JIT="off"/);
  });
});
