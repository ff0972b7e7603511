import { describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

const path = `/api/v2/calls/${CALL.first}.json`;
const body = (value: string) => ({ call: { custom_fields: [{ field_id: FIELD.callType, value }] } });

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const IF_MATCH_REFUSED = JSON.stringify({
  error: 'PreconditionFailed',
  description: 'Call has changed: If-Match does not name its current ETag; nothing was written',
});
const invalidHeader = (name: string) =>
  JSON.stringify({
    error: 'InvalidHeader',
    description: `${name} must be * or a comma-separated list of entity tags in double quotes, as ETag gives them (e.g. "Zm9vYmFy"; W/"..." for a weak one)`,
  });

const etagOf = async (t: TestApp, callId: string = CALL.first) => (await t.rest('GET', `/api/v2/calls/${callId}.json`)).headers.get('etag')!;
const putWith = (t: TestApp, headers: Record<string, string>, value = 'x', options: { as?: 'viewer'; callId?: string } = {}) =>
  t.rest('PUT', `/api/v2/calls/${options.callId ?? CALL.first}.json`, { body: body(value), headers, as: options.as });

describe('REST: ETag and If-Match', () => {
  it('GET gives a strong ETag; a PUT with it applies and answers the new ETag, the one the next GET gives', async () => {
    const t = await createTestApp();
    const etag = await etagOf(t);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const put = await putWith(t, { 'if-match': etag }, 'Sales call');
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).not.toBe(etag);
    expect(put.headers.get('etag')).toBe(await etagOf(t));
    expect(await t.stored(CALL.first)).toMatchObject({ version: 2, values: { [FIELD.callType]: 'Sales call' } });
  });

  it.each([
    ['another value', 'theirs'],
    ['the value the call already had', 'Unknown'],
  ])('answers 412 after someone else’s write of %s, writing nothing; the ETag GET gives then applies', async (_label, theirs) => {
    const t = await createTestApp();
    await putWith(t, {}, 'Unknown');
    const mine = await etagOf(t);
    expect((await putWith(t, {}, theirs)).status).toBe(200);
    const before = await t.stored(CALL.first);
    const stale = await putWith(t, { 'if-match': mine }, 'mine');
    expect(stale.status).toBe(412);
    expect(stale.text).toBe(IF_MATCH_REFUSED);
    expect(await t.stored(CALL.first)).toEqual(before);
    expect((await putWith(t, { 'if-match': await etagOf(t) }, 'mine')).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('mine');
  });

  it.each([
    ['If-Match with the current ETag', async (t: TestApp) => ({ 'if-match': await etagOf(t) }), 'Call has changed: If-Match does not name its current ETag; nothing was written'],
    ['If-None-Match with another tag', async () => ({ 'if-none-match': '"other"' }), 'Call has changed while the request’s conditions were checked; nothing was written'],
  ])('refuses with 412 when another write comes between the check of %s and the write', async (_label, conditions, description) => {
    const t = await createTestApp();
    const headers = await conditions(t);
    const getCall = t.store.getCall.bind(t.store);
    let overtaken = false;
    // The other write lands right after the conditions were checked against the call as read.
    t.store.getCall = async (...args) => {
      const found = await getCall(...args);
      if (!overtaken) {
        overtaken = true;
        expect((await putWith(t, {}, 'overtaking')).status).toBe(200);
      }
      return found;
    };
    const r = await putWith(t, headers, 'mine');
    expect(overtaken).toBe(true);
    expect(r.status).toBe(412);
    expect(r.text).toBe(JSON.stringify({ error: 'PreconditionFailed', description }));
    expect(await t.stored(CALL.first)).toMatchObject({ version: 2, values: { [FIELD.callType]: 'overtaking' } });
  });

  it.each([
    ['2^31', '"2147483648"'],
    ['15 digits', '"999999999999999"'],
    ['2^53 + 1', '"9007199254740993"'],
    ['40 digits', `"${'9'.repeat(40)}"`],
    ['the version', '"1"'],
    ['the version, zero-padded', '"00000000000001"'],
    ['a weak tag of the version', 'W/"1"'],
    ['an empty tag', '""'],
  ])('answers 412 for a well-formed If-Match naming another tag: %s, writing nothing', async (_label, ifMatch) => {
    const t = await createTestApp();
    const before = await t.stored(CALL.first);
    const r = await putWith(t, { 'if-match': ifMatch });
    expect(r.status).toBe(412);
    expect(r.text).toBe(IF_MATCH_REFUSED);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('never takes a weak tag in If-Match, not even of the current ETag', async () => {
    const t = await createTestApp();
    const r = await putWith(t, { 'if-match': `W/${await etagOf(t)}` });
    expect(r.status).toBe(412);
    expect(r.text).toBe(IF_MATCH_REFUSED);
    expect((await t.stored(CALL.first))!.version).toBe(1);
  });

  it('applies with * or with a list that names the current ETag among others', async () => {
    const t = await createTestApp();
    expect((await putWith(t, { 'if-match': '*' }, 'a')).status).toBe(200);
    const list = `"2147483648", W/${await etagOf(t)},${await etagOf(t)} , "1"`;
    expect((await putWith(t, { 'if-match': list }, 'b')).status).toBe(200);
    expect(await t.stored(CALL.first)).toMatchObject({ version: 3, values: { [FIELD.callType]: 'b' } });
    // Without If-Match, the vendor's behaviour: the write applies whatever the version.
    expect((await putWith(t, {}, 'c')).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('c');
  });

  it.each([
    ['a bare number', '1'],
    ['a bare number past 2^31', '2147483648'],
    ['two tags without a comma', '"3" "4"'],
    ['a lower-case weak prefix', 'w/"1"'],
    ['a space after W/', 'W/ "1"'],
    ['an unterminated tag', '"1'],
    ['a quote inside the tag', '"a"b"'],
    ['a space inside the tag', '"a b"'],
    ['* in a list', '*, "1"'],
    ['only commas', ' , ,'],
    ['an empty header', ''],
  ])('answers 400 InvalidHeader for an If-Match that is not an entity-tag list: %s, writing nothing', async (_label, ifMatch) => {
    const t = await createTestApp();
    const r = await putWith(t, { 'if-match': ifMatch });
    expect(r.status).toBe(400);
    expect(r.text).toBe(invalidHeader('If-Match'));
    expect((await t.stored(CALL.first))!.version).toBe(1);
  });

  it('keeps 404, 403 and the body’s 400 ahead of an If-Match that does not match, as for a stale version', async () => {
    const t = await createTestApp();
    const huge = { 'if-match': '"2147483648"' };
    const unknown = await putWith(t, huge, 'x', { callId: CALL.otherTenant });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe(JSON.stringify({ error: 'NotFound', description: 'Call not found' }));
    const viewer = await putWith(t, huge, 'x', { as: 'viewer' });
    expect(viewer.status).toBe(403);
    expect(viewer.text).toBe(JSON.stringify({ error: 'Forbidden', description: 'API user has no permission to update call records' }));
    const json = await t.rest('PUT', path, { raw: '{"call" {}}', headers: huge });
    expect(json.status).toBe(400);
    expect(json.json.error).toBe('InvalidJSON');
    const malformed = await t.rest('PUT', path, { body: { call: { custom_fields: [{ name: 'Call type', value: {} }, { name: 'Nope', value: 'x' }] } }, headers: huge });
    expect(malformed.status).toBe(400);
    // As with a stale version, only the malformed entry is named: the write could not apply anyway.
    expect(malformed.json.details).toEqual({ 'custom_fields.0.value': 'Value must be a string, number, boolean, null or a list of strings' });
    // A well-formed body whose entries the rules refuse: the precondition is judged first, as the version is.
    const refused = await t.rest('PUT', path, { body: { call: { custom_fields: [{ name: 'Nope', value: 'x' }] } }, headers: huge });
    expect(refused.status).toBe(412);
    expect((await t.stored(CALL.first))!.version).toBe(1);
  });

  it('If-None-Match on PUT: * or the current ETag is a 412, another tag applies, a malformed one is a 400', async () => {
    const t = await createTestApp();
    const refused = JSON.stringify({ error: 'PreconditionFailed', description: 'Call matches If-None-Match (its current ETag, or * for any call); nothing was written' });
    for (const ifNoneMatch of ['*', await etagOf(t), `"x", W/${await etagOf(t)}`]) {
      const r = await putWith(t, { 'if-none-match': ifNoneMatch });
      expect(r.status, ifNoneMatch).toBe(412);
      expect(r.text).toBe(refused);
    }
    expect((await t.stored(CALL.first))!.version).toBe(1);
    expect((await putWith(t, { 'if-none-match': '"2147483648"' })).status).toBe(200);
    const bad = await putWith(t, { 'if-none-match': '2' });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe(invalidHeader('If-None-Match'));
    expect((await t.stored(CALL.first))!.version).toBe(2);
  });
});

describe('versions past 32 bits', () => {
  const QUERY = `query Version($id: ID!) { call(id: $id) { version } }`;
  const MUTATION = `mutation Set($callId: ID!, $expectedVersion: SafeInt) {
    setCallCustomFields(callId: $callId, expectedVersion: $expectedVersion, customFields: [{ fieldId: "${FIELD.callType}", value: "big" }]) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version } }
      ... on ConflictError { message }
    }
  }`;

  it.each([
    ['2^31 + 6', 2 ** 31 + 6],
    ['2^53 - 3', Number.MAX_SAFE_INTEGER - 2],
  ])('stores and serves a call at version %s through GraphQL and REST', async (_label, version) => {
    const t = await createTestApp();
    await t.sql('update calls set version = ? where call_id = ?', version, CALL.first);
    expect((await t.graphql(QUERY, { id: CALL.first })).body).toEqual({ data: { call: { version } } });
    const put = await putWith(t, { 'if-match': await etagOf(t) }, 'rest');
    expect(put.status).toBe(200);
    expect(await t.stored(CALL.first)).toMatchObject({ version: version + 1, values: { [FIELD.callType]: 'rest' } });
    const stale = await t.graphql(MUTATION, { callId: CALL.first, expectedVersion: version });
    expect(stale.body.data).toEqual({
      setCallCustomFields: { __typename: 'ConflictError', message: `Call has changed: its version is ${version + 1}, not ${version}; nothing was written` },
    });
    const ok = await t.graphql(MUTATION, { callId: CALL.first, expectedVersion: version + 1 });
    expect(ok.body.data).toEqual({ setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess', call: { version: version + 2 } } });
    // The JSON carries the plain number, digit for digit.
    const raw = await t.fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: t.bearer('viewer') },
        body: JSON.stringify({ query: QUERY, variables: { id: CALL.first } }),
      }),
    );
    expect(await raw.text()).toBe(`{"data":{"call":{"version":${version + 2}}}}`);
  });

  it.each([
    ['2^53', 2 ** 53],
    ['a fraction', 1.5],
    ['a string', '3'],
  ])('refuses an expectedVersion that is not a safe integer (%s) as a GraphQL error, writing nothing', async (_label, expectedVersion) => {
    const t = await createTestApp();
    const r = await t.graphql(MUTATION, { callId: CALL.first, expectedVersion });
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message).toMatch(/SafeInt must be a whole number from -\(2\^53-1\) to 2\^53-1/);
    expect((await t.stored(CALL.first))!.version).toBe(1);
  });
});

describe('GraphQL: expectedVersion', () => {
  const MUTATION = `mutation Set($callId: ID!, $expectedVersion: SafeInt, $value: String) {
    setCallCustomFields(callId: $callId, expectedVersion: $expectedVersion, customFields: [{ fieldId: "${FIELD.callType}", value: $value }]) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version } }
      ... on ConflictError { message reason }
    }
  }`;

  it('applies at the expected version and refuses a stale one with a ConflictError, writing nothing', async () => {
    const t = await createTestApp();
    const ok = await t.graphql(MUTATION, { callId: CALL.first, expectedVersion: 1, value: 'x' });
    expect(ok.body.data).toEqual({ setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess', call: { version: 2 } } });
    const before = await t.stored(CALL.first);
    const stale = await t.graphql(MUTATION, { callId: CALL.first, expectedVersion: 1, value: 'y' });
    expect(stale.body.data).toEqual({
      setCallCustomFields: {
        __typename: 'ConflictError',
        message: 'Call has changed: its version is 2, not 1; nothing was written',
        reason: 'VERSION_MISMATCH',
      },
    });
    expect(await t.stored(CALL.first)).toEqual(before);
    const without = await t.graphql(MUTATION, { callId: CALL.first, value: 'z' });
    expect(without.body.data).toEqual({ setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess', call: { version: 3 } } });
  });
});
