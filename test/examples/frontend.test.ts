import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apollo from '../../examples/frontend/src/apollo.js';
import { frontendDocuments } from '../../examples/frontend/src/documents.js';
import * as relay from '../../examples/frontend/src/relay/environment.js';
import * as urql from '../../examples/frontend/src/urql.js';
import { callId, range, seedCalls } from '../support/calls.js';
import { CALL, FIELD, createTestApp } from '../support/fixtures.js';
import { closeServed } from '../support/http.js';

const MANIFEST = fileURLToPath(new URL('../../examples/frontend/src/gql/persisted-documents.json', import.meta.url));

// The example frontend's own functions against a real server: urql and Apollo
// Client with graphql-codegen's documents, Relay with relay-compiler's artifacts.

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  // Inbound calls: these three (February) and CALL.first (January); CALL.second is outbound.
  await seedCalls(t.store, t.tenantId, range(1, 3).map((n) => ({ n })));
});
afterAll(closeServed);

/** The global fetch, noting each request's method, path and GraphQL operation name. */
function recordingFetch() {
  const requests: { method: string; path: string; operationName: string | undefined }[] = [];
  const csrfHeaders: string[] = [];
  const send: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { query?: string; operationName?: string }) : undefined;
    const text = url.searchParams.get('query') ?? body?.query ?? '';
    requests.push({ method, path: url.pathname, operationName: /\b(?:query|mutation)\s+(\w+)/.exec(text)?.[1] });
    const csrf = new Headers(init?.headers).get('x-graphql-yoga-csrf');
    if (csrf !== null) csrfHeaders.push(csrf);
    return fetch(input, init);
  };
  return { requests, csrfHeaders, send };
}

const options = (send: typeof fetch, who: 'editor' | 'viewer' = 'editor') => ({ url: `${t.url}/graphql`, token: t.tokens[who], fetch: send });

describe('urql with its default settings', () => {
  it('lists calls a page at a time by cursor, with a filter, as GET requests', async () => {
    const { requests, csrfHeaders, send } = recordingFetch();
    const client = urql.createUrqlClient(options(send));
    const filter = { direction: 'INBOUND' as const };

    const first = await urql.listCalls(client, { first: 2, filter });
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e) => e.node.id)).toEqual([callId(3), callId(2)]);
    expect(first.pageInfo.hasNextPage).toBe(true);

    const second = await urql.listCalls(client, { first: 2, after: first.pageInfo.endCursor, filter });
    expect(second.edges.map((e) => e.node.id)).toEqual([callId(1), CALL.first]);
    // urql's document cache adds __typename to every selection.
    expect(second.edges[1]?.node).toEqual({
      __typename: 'Call',
      id: CALL.first,
      setupTime: '2026-01-01T09:00:00.000Z',
      direction: 'INBOUND',
      fromNumber: '+4930111',
      toNumber: '+4930222',
      duration: 61,
      version: expect.any(Number),
    });
    expect(second.pageInfo.hasNextPage).toBe(false);

    // GET without the CSRF header: the Bearer token is what lets it through.
    expect(csrfHeaders).toEqual([]);
    expect(requests).toEqual([
      { method: 'GET', path: '/graphql', operationName: 'CallList' },
      { method: 'GET', path: '/graphql', operationName: 'CallList' },
    ]);
  });

  it('loads one call with every enabled field, empty ones included, and their definitions', async () => {
    const { requests, send } = recordingFetch();
    const call = await urql.loadCall(urql.createUrqlClient(options(send)), CALL.first);

    expect(requests).toEqual([{ method: 'GET', path: '/graphql', operationName: 'Call' }]);
    expect(call?.id).toBe(CALL.first);
    // Ordered by field name; "Retired" is disabled and not listed.
    expect(call?.customFields.map((f) => [f.field.name, f.value])).toEqual([
      ['Amount', null],
      ['Call type', 'Support call'],
      ['Follow-up date', null],
      ['Locked', 'immutable'],
      ['Notes', 'keep me'],
      ['Payment status', null],
    ]);
    expect(call?.customFields.find((f) => f.fieldId === FIELD.paymentStatus)?.field).toEqual({
      __typename: 'CustomField',
      id: FIELD.paymentStatus,
      name: 'Payment status',
      type: 'OPTION',
      description: null,
      editable: true,
      options: ['Unknown', 'Paid', 'Unpaid'],
      maxLength: null,
    });
    expect(await urql.loadCall(urql.createUrqlClient(options(send)), '00000000-0000-4000-8000-00000000dead')).toBeNull();
  });

  it('saves entries, and reports a refused entry as InvalidRecordError with nothing written', async () => {
    const { requests, send } = recordingFetch();
    const client = urql.createUrqlClient(options(send));
    const before = await urql.loadCall(client, CALL.second);

    const saved = await urql.saveCustomFields(client, {
      callId: CALL.second,
      customFields: [{ fieldId: FIELD.callType, value: 'Sales' }],
      expectedVersion: before?.version,
    });
    expect(saved.kind).toBe('saved');
    if (saved.kind !== 'saved') return;
    expect(saved.call.version).toBe(before!.version + 1);
    expect(saved.call.customFields.find((f) => f.fieldId === FIELD.callType)).toMatchObject({ value: 'Sales', updatedBy: 'editor' });
    expect((await t.stored(CALL.second))?.values[FIELD.callType]).toBe('Sales');

    const refused = await urql.saveCustomFields(client, {
      callId: CALL.second,
      customFields: [
        { fieldId: FIELD.callType, value: 'Support' },
        { fieldId: FIELD.notes, value: 'longer than ten characters' },
      ],
    });
    expect(refused).toEqual({
      kind: 'invalid',
      message: expect.any(String),
      problems: [{ __typename: 'ValidationDetail', path: 'customFields.1.value', message: 'Value is too long' }],
    });
    expect(await t.stored(CALL.second)).toEqual({ version: before!.version + 1, values: { [FIELD.callType]: 'Sales' } });

    const stale = await urql.saveCustomFields(client, {
      callId: CALL.second,
      customFields: [{ fieldId: FIELD.callType, value: 'Support' }],
      expectedVersion: before?.version,
    });
    expect(stale).toMatchObject({ kind: 'conflict', reason: 'VERSION_MISMATCH' });

    const viewer = urql.createUrqlClient(options(send, 'viewer'));
    expect(await urql.saveCustomFields(viewer, { callId: CALL.second, customFields: [{ fieldId: FIELD.callType, value: 'x' }] })).toMatchObject({
      kind: 'forbidden',
    });
    expect(requests.filter((r) => r.operationName === 'SetCallCustomFields').map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    expect((await t.stored(CALL.second))?.values[FIELD.callType]).toBe('Sales');
  });
});

describe('urql with trusted documents, against PERSISTED_DOCUMENTS_MODE=require and the example\'s manifest', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ persistedDocuments: { paths: [MANIFEST], mode: 'require' } });
  });
  const strictOptions = (send: typeof fetch, trustedDocuments: boolean) => ({ url: `${strict.url}/graphql`, token: strict.tokens.editor, fetch: send, trustedDocuments });

  it('lists, loads and saves by manifest id alone (queries as GET), never sending the text', async () => {
    const sent: string[] = [];
    const send: typeof fetch = (input, init) => {
      sent.push(`${init?.method ?? 'GET'} ${input instanceof Request ? input.url : String(input)} ${typeof init?.body === 'string' ? init.body : ''}`);
      return fetch(input, init);
    };
    const client = urql.createUrqlClient(strictOptions(send, true));

    const page = await urql.listCalls(client, { first: 2 });
    expect(page.totalCount).toBe(2);
    const call = await urql.loadCall(client, CALL.first);
    expect(call?.id).toBe(CALL.first);
    const saved = await urql.saveCustomFields(client, { callId: CALL.first, customFields: [{ fieldId: FIELD.paymentStatus, value: 'Paid' }] });
    expect(saved.kind).toBe('saved');
    expect((await strict.stored(CALL.first))?.values[FIELD.paymentStatus]).toBe('Paid');

    expect(sent.map((line) => line.split(' ')[0])).toEqual(['GET', 'GET', 'POST']);
    for (const line of sent) expect(line).not.toMatch(/query[=":]+\s*\w*\s*(query|mutation)\b|%20%7B/);
    expect(sent.join('\n')).toContain('sha256');
  });

  it('refuses the same client sending query text: 400 naming the rule', async () => {
    const client = urql.createUrqlClient(strictOptions(fetch, false));
    await expect(urql.loadCall(client, CALL.first)).rejects.toThrow(/PERSISTED_DOCUMENTS_MODE=require/);
  });
});

describe('Apollo Client with the same typed documents', () => {
  it('loads a call and saves it; an unknown call is NotFoundError', async () => {
    const client = apollo.createApolloClient(options(fetch));
    const before = await apollo.loadCall(client, CALL.first);
    expect(before?.customFields.find((f) => f.fieldId === FIELD.notes)?.value).toBe('keep me');

    const saved = await apollo.saveCustomFields(client, {
      callId: CALL.first,
      customFields: [{ fieldId: FIELD.amount, value: '12.5' }],
      expectedVersion: before?.version,
    });
    expect(saved.kind).toBe('saved');
    if (saved.kind !== 'saved') return;
    expect(saved.call.customFields.find((f) => f.fieldId === FIELD.amount)?.value).toBe('12.5');
    expect((await t.stored(CALL.first))?.values[FIELD.amount]).toBe('12.5');

    const missing = await apollo.saveCustomFields(client, {
      callId: '00000000-0000-4000-8000-00000000dead',
      customFields: [{ fieldId: FIELD.amount, value: '1' }],
    });
    expect(missing).toMatchObject({ kind: 'notFound' });
  });
});

/** The call form's own data: its id, version and each field's value (the definitions are fragment references). */
const formValues = (call: Awaited<ReturnType<typeof relay.loadCall>>) =>
  call && { id: call.id, version: call.version, values: call.customFields.map((f) => [f.fieldId, f.value, f.values, f.valid]) };

describe('Relay with relay-compiler default configuration and relay-runtime defaults', () => {
  it('pages through the call list with the compiled pagination query; the connection grows', async () => {
    const { requests, send } = recordingFetch();
    const environment = relay.createRelayEnvironment(options(send));
    const filter = { direction: 'INBOUND' as const };

    const first = await relay.loadCallList(environment, { count: 2, filter });
    expect(first.calls?.totalCount).toBe(4);
    expect(first.calls?.edges.map((e) => e.node.id)).toEqual([callId(3), callId(2)]);
    expect(first.calls?.pageInfo.hasNextPage).toBe(true);

    const both = await relay.loadNextCalls(environment, { count: 2, cursor: first.calls!.pageInfo.endCursor!, filter });
    expect(both.calls?.edges.map((e) => e.node.id)).toEqual([callId(3), callId(2), callId(1), CALL.first]);
    expect(both.calls?.pageInfo.hasNextPage).toBe(false);
    expect(requests.map((r) => [r.method, r.operationName])).toEqual([
      ['POST', 'callListQuery'],
      ['POST', 'callListPaginationQuery'],
    ]);
  });

  it('loads a call, refetches it through node(id:), and shows a save without refetching', async () => {
    const { requests, send } = recordingFetch();
    const environment = relay.createRelayEnvironment(options(send));

    const loaded = await relay.loadCall(environment, CALL.first);
    expect(loaded?.id).toBe(CALL.first);
    expect(loaded?.customFields.find((f) => f.fieldId === FIELD.notes)).toMatchObject({ value: 'keep me', field: expect.anything() });

    const refetched = await relay.refetchCall(environment, CALL.first);
    expect(formValues(refetched)).toEqual(formValues(loaded));
    expect(formValues(refetched)).toMatchObject({ id: CALL.first, values: expect.arrayContaining([[FIELD.notes, 'keep me', null, true]]) });

    const saved = await relay.saveCustomFields(environment, {
      callId: CALL.first,
      customFields: [{ fieldId: FIELD.notes, value: 'tagged' }],
      expectedVersion: loaded!.version,
    });
    expect(saved.kind).toBe('saved');
    expect((await t.stored(CALL.first))?.values[FIELD.notes]).toBe('tagged');

    // The form's query, answered from the store: the call record (keyed by its id) holds the save.
    const fromStore = await relay.loadCall(environment, CALL.first, 'store-or-network');
    expect(fromStore?.version).toBe(loaded!.version + 1);
    expect(fromStore?.customFields.find((f) => f.fieldId === FIELD.notes)?.value).toBe('tagged');
    expect(environment.getStore().getSource().get(CALL.first)?.version).toBe(loaded!.version + 1);
    expect(requests.map((r) => r.operationName)).toEqual(['callEditorQuery', 'callEditorRefetchQuery', 'callEditorSaveMutation']);

    const refused = await relay.saveCustomFields(environment, { callId: CALL.first, customFields: [{ fieldId: FIELD.amount, value: 'lots' }] });
    expect(refused).toEqual({ kind: 'invalid', message: expect.any(String), problems: [{ path: 'customFields.0.value', message: 'Value is not a valid number' }] });
  });

  it('the refetch query is the compiled one: node(id:) with $id', () => {
    const refetch = frontendDocuments.find((d) => d.operationName === 'callEditorRefetchQuery');
    expect(refetch?.text).toContain('node(id: $id)');
  });
});

describe('the list of documents', () => {
  it('holds every operation of both compilers, each with its text', () => {
    expect(frontendDocuments.map((d) => `${d.compiler} ${d.operationName}`).sort()).toEqual([
      'graphql-codegen Call',
      'graphql-codegen CallList',
      'graphql-codegen SetCallCustomFields',
      'relay-compiler callEditorQuery',
      'relay-compiler callEditorRefetchQuery',
      'relay-compiler callEditorSaveMutation',
      'relay-compiler callListPaginationQuery',
      'relay-compiler callListQuery',
    ]);
    for (const d of frontendDocuments.filter((d) => d.compiler === 'graphql-codegen')) expect(d.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
