import { describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

const path = `/api/v2/calls/${CALL.first}.json`;
const body = (value: string) => ({ call: { custom_fields: [{ field_id: FIELD.callType, value }] } });

describe('REST: ETag and If-Match', () => {
  it('GET returns the version as ETag, and a successful PUT the new one', async () => {
    const t = await createTestApp();
    const get = await t.rest('GET', path);
    expect(get.headers.get('etag')).toBe('"1"');
    const put = await t.rest('PUT', path, { body: body('Sales call'), headers: { 'if-match': '"1"' } });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('Sales call');
  });

  it('answers 412 when the call has moved on since the ETag, writing nothing', async () => {
    const t = await createTestApp();
    await t.rest('PUT', path, { body: body('first') });
    const before = await t.stored(CALL.first);
    const stale = await t.rest('PUT', path, { body: body('second'), headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      error: 'PreconditionFailed',
      description: 'Call has changed: its version is 2, not 1; nothing was written',
    });
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('takes * and weak tags, refuses a malformed If-Match with 400, and without it behaves as the vendor', async () => {
    const t = await createTestApp();
    expect((await t.rest('PUT', path, { body: body('a'), headers: { 'if-match': '*' } })).status).toBe(200);
    expect((await t.rest('PUT', path, { body: body('b'), headers: { 'if-match': 'W/"2"' } })).status).toBe(200);
    const bad = await t.rest('PUT', path, { body: body('c'), headers: { 'if-match': '"3", "4"' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('InvalidHeader');
    expect((await t.stored(CALL.first))!.version).toBe(3);
    expect((await t.rest('PUT', path, { body: body('d') })).status).toBe(200);
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('d');
  });

  it('still answers 404 for an unknown call whatever If-Match says', async () => {
    const t = await createTestApp();
    const r = await t.rest('PUT', `/api/v2/calls/${CALL.otherTenant}.json`, { body: body('x'), headers: { 'if-match': '"1"' } });
    expect(r.status).toBe(404);
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
