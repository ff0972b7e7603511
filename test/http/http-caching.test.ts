import { describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';
import { rawRequest } from '../support/http.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const callPath = `/api/v2/calls/${CALL.first}.json`;

/** Every REST resource that answers GET. */
const GET_ROUTES = [
  ['a call', callPath],
  ['the call list', '/api/v2/calls.json?limit=5'],
  ['the custom fields', '/api/v2/custom_fields.json'],
  ['one custom field', `/api/v2/custom_fields/${FIELD.notes}.json`],
] as const;

const invalidHeader = (name: string) =>
  JSON.stringify({
    error: 'InvalidHeader',
    description: `${name} must be * or a comma-separated list of entity tags in double quotes, as ETag gives them (e.g. "Zm9vYmFy"; W/"..." for a weak one)`,
  });

/** A request over node:http as the admin, so HEAD and 304 answers are read as sent (no body, no invented headers). */
const raw = (t: TestApp, method: string, path: string, headers: Record<string, string> = {}) =>
  rawRequest(t.url, { method, path, headers: { authorization: t.bearer('admin'), ...headers } });

describe.each(GET_ROUTES)('GET and HEAD on %s', (_name, path) => {
  it('answer 200 with a strong ETag and Cache-Control: private, no-cache; the same body, the same ETag', async () => {
    const t = await createTestApp();
    const first = await raw(t, 'GET', path);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toMatch(/^"[\w-]{22}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const second = await raw(t, 'GET', path);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('If-None-Match naming the ETag (strong, weak, in a list, or *) is a 304 with the ETag and Cache-Control and no body', async () => {
    const t = await createTestApp();
    const etag = (await raw(t, 'GET', path)).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const r = await raw(t, 'GET', path, { 'if-none-match': ifNoneMatch });
      expect(r.status, ifNoneMatch).toBe(304);
      expect(r.text).toBe('');
      expect(r.headers.get('etag')).toBe(etag);
      expect(r.headers.get('cache-control')).toBe('private, no-cache');
      expect(r.headers.get('content-length')).toBeNull();
    }
  });

  it('If-None-Match naming another tag is a 200 with the body; a malformed one a 400', async () => {
    const t = await createTestApp();
    const full = await raw(t, 'GET', path);
    const other = await raw(t, 'GET', path, { 'if-none-match': '"2147483648", W/"1"' });
    expect(other.status).toBe(200);
    expect(other.text).toBe(full.text);
    const bad = await raw(t, 'GET', path, { 'if-none-match': full.headers.get('etag')!.slice(1, -1) });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe(invalidHeader('If-None-Match'));
  });

  it('If-Match on GET: the ETag answers 200, another tag 412, a weak tag of the ETag 412', async () => {
    const t = await createTestApp();
    const etag = (await raw(t, 'GET', path)).headers.get('etag')!;
    expect((await raw(t, 'GET', path, { 'if-match': etag })).status).toBe(200);
    for (const ifMatch of ['"1"', `W/${etag}`]) {
      const r = await raw(t, 'GET', path, { 'if-match': ifMatch });
      expect(r.status, ifMatch).toBe(412);
      expect(r.text).toBe(JSON.stringify({ error: 'PreconditionFailed', description: 'The resource has changed: If-Match does not name its current ETag' }));
    }
  });

  it('HEAD answers the headers GET would, without a body; with If-None-Match, 304', async () => {
    const t = await createTestApp();
    const get = await raw(t, 'GET', path);
    const head = await raw(t, 'HEAD', path);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    for (const name of ['etag', 'cache-control', 'content-type', 'content-length']) expect(head.headers.get(name), name).toBe(get.headers.get(name));
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(get.text));
    expect((await raw(t, 'HEAD', path, { 'if-none-match': get.headers.get('etag')! })).status).toBe(304);
  });
});

describe('HEAD', () => {
  it('answers a missing call 404 and a missing credential 401 as GET does, without a body', async () => {
    const t = await createTestApp();
    const missing = await raw(t, 'HEAD', `/api/v2/calls/${CALL.otherTenant}.json`);
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    const anonymous = await rawRequest(t.url, { method: 'HEAD', path: callPath, headers: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBeTruthy();
  });

  it('changes nothing: the version stays', async () => {
    const t = await createTestApp();
    await raw(t, 'HEAD', callPath);
    expect((await t.stored(CALL.first))!.version).toBe(1);
  });
});

describe('the ETag follows the body', () => {
  it('changes when a field shown in the call is renamed, though the call’s version does not; the old ETag is then stale', async () => {
    const t = await createTestApp();
    const before = await t.rest('GET', callPath);
    const listBefore = await t.rest('GET', '/api/v2/custom_fields.json');
    const renamed = await t.rest('PUT', `/api/v2/custom_fields/${FIELD.callType}.json`, { body: { custom_field: { name: 'Call category' } }, as: 'admin' });
    expect(renamed.status).toBe(200);
    const after = await t.rest('GET', callPath);
    expect(after.text).not.toBe(before.text);
    expect(after.json.call.custom_fields.map((f: { name: string }) => f.name)).toContain('Call category');
    expect((await t.stored(CALL.first))!.version).toBe(1);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    // A client revalidating with the old ETag gets the new body, not a 304.
    const revalidated = await t.rest('GET', callPath, { headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(revalidated.status).toBe(200);
    expect(revalidated.text).toBe(after.text);
    expect((await t.rest('GET', '/api/v2/custom_fields.json')).headers.get('etag')).not.toBe(listBefore.headers.get('etag'));
    // The old ETag names a representation that is gone: a PUT with it is refused, the new one applies.
    const body = { call: { custom_fields: [{ field_id: FIELD.callType, value: 'x' }] } };
    expect((await t.rest('PUT', callPath, { body, headers: { 'if-match': before.headers.get('etag')! } })).status).toBe(412);
    expect((await t.rest('PUT', callPath, { body, headers: { 'if-match': after.headers.get('etag')! } })).status).toBe(200);
  });

  it('changes with every write, one that leaves the body as it was too; a PUT’s answer has the ETag GET then gives', async () => {
    const t = await createTestApp();
    const seen = new Set([(await t.rest('GET', callPath)).headers.get('etag')]);
    const bodies = new Set<string>();
    for (const value of ['a', 'b', 'a', 'a']) {
      const put = await t.rest('PUT', callPath, { body: { call: { custom_fields: [{ field_id: FIELD.callType, value }] } } });
      expect(put.headers.get('etag')).toBe((await t.rest('GET', callPath)).headers.get('etag'));
      seen.add(put.headers.get('etag'));
      bodies.add(put.text);
    }
    expect(bodies.size).toBe(2);
    expect(seen.size).toBe(5);
  });
});
