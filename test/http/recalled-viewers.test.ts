import { beforeEach, describe, expect, it } from 'vitest';
import { hashApiToken, hashPassword } from '../../src/auth/credentials.js';
import { onPostgres, STORE_UNDER_TEST } from '../support/database.js';
import { basic, CALL, createTestApp, FIELD, NOW } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const UNKNOWN_CALL = '00000000-0000-4000-8000-00000000dead';

/**
 * Where the store can carry credentials with its reads (PostgreSQL), a request
 * whose credentials were checked before is served on the viewer they were
 * admitted as, and the user row read with its first read decides whether that
 * viewer stands (src/http/provisional-reads.ts). These tests change the
 * credentials behind the instance's back, as another instance would, and
 * expect the very next request to see it, whatever the request read: a call,
 * no call, a page, an empty page, nothing at all, or a write. On SQLite every
 * request checks first; the same answers are expected.
 */
describe(`${STORE_UNDER_TEST}: credentials changed elsewhere are seen by the next request`, () => {
  let t: App;
  beforeEach(async () => {
    t = await createTestApp();
  });

  /** A /graphql POST with a body of declared length, as most clients send it (the fast path). */
  async function graphql(query: string, authorization = t.bearer('editor'), variables: Record<string, unknown> = {}) {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
  }

  const get = (path: string, authorization = t.bearer('editor')) => t.rest('GET', path, { headers: { authorization } });
  const CALL_QUERY = `{ call(id: "${CALL.first}") { id customFields { name value } } }`;
  const EMPTY_PAGE = `{ calls(first: 5, filter: { numberPrefix: "+999999" }) { edges { node { id } } } }`;
  const SET_AMOUNT = `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ fieldId: "${FIELD.amount}", value: "4242" }]) { __typename } }`;

  /** Every kind of request, each once with the credentials so the instance has checked them. */
  const REQUESTS = {
    'REST GET of a call': (auth: string) => get(`/api/v2/calls/${CALL.first}.json`, auth),
    'REST GET of no call': (auth: string) => get(`/api/v2/calls/${UNKNOWN_CALL}.json`, auth),
    'REST call list': (auth: string) => get('/api/v2/calls.json?limit=5', auth),
    'the call query': (auth: string) => graphql(CALL_QUERY, auth),
    'an empty page': (auth: string) => graphql(EMPTY_PAGE, auth),
    'a query that reads nothing': (auth: string) => graphql('{ viewer { username role } }', auth),
  };

  async function warmUp(authorization: string) {
    for (const [name, request] of Object.entries(REQUESTS)) {
      const { status } = await request(authorization);
      expect([200, 404], name).toContain(status);
    }
  }

  async function expectEveryRequestRefused(authorization: string) {
    for (const [name, request] of Object.entries(REQUESTS)) {
      const answer = await request(authorization);
      expect(answer.status, name).toBe(401);
      expect(JSON.stringify('body' in answer ? answer.body : answer.json), name).not.toContain(CALL.first);
    }
  }

  it('a revoked token is refused at once, and its mutation writes nothing', async () => {
    const authorization = t.bearer('editor');
    await warmUp(authorization);
    await t.sql('update api_tokens set revoked_at = ? where token_hash = ?', NOW, hashApiToken(t.tokens.editor));
    await expectEveryRequestRefused(authorization);
    const before = await t.stored(CALL.first);
    expect((await graphql(SET_AMOUNT, authorization)).status).toBe(401);
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('a disabled user is refused at once, by token and by password', async () => {
    const byPassword = basic('editor');
    await warmUp(t.bearer('editor'));
    await warmUp(byPassword);
    await t.sql('update api_users set disabled = (1 = ?) where username = ?', 1, 'editor');
    await expectEveryRequestRefused(t.bearer('editor'));
    await expectEveryRequestRefused(byPassword);
    expect((await graphql(SET_AMOUNT, byPassword)).status).toBe(401);
  });

  it('a changed password refuses the old one at once, though the login was cached', async () => {
    const old = basic('editor');
    await warmUp(old);
    await t.sql('update api_users set password_hash = ? where username = ?', await hashPassword('a new password, long enough'), 'editor');
    await expectEveryRequestRefused(old);
  });

  it('a changed role takes effect at once: the answer is the new role, and its refusals', async () => {
    const authorization = t.bearer('editor');
    await warmUp(authorization);
    await t.sql('update api_users set role = ? where username = ?', 'viewer', 'editor');
    const viewer = await graphql('{ viewer { username role } }', authorization);
    expect(viewer.body.data.viewer).toEqual({ username: 'editor', role: 'VIEWER' });
    const refused = await graphql(SET_AMOUNT, authorization);
    expect(JSON.stringify(refused.body)).toMatch(/PERMISSION|FORBIDDEN|not allowed/i);
    const rest = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, {
      headers: { authorization },
      body: { call: { custom_fields: [{ field_id: FIELD.amount, value: '1' }] } },
    });
    expect(rest.status).toBe(403);
  });

  it('a renamed field is answered under its new name by the next read', async () => {
    const authorization = t.bearer('editor');
    await warmUp(authorization);
    await t.sql('update custom_fields set name = ? where field_id = ?', 'Notes renamed', FIELD.notes);
    const { json } = await get(`/api/v2/calls/${CALL.first}.json`, authorization);
    expect(JSON.stringify(json)).toContain('Notes renamed');
    const { body } = await graphql(CALL_QUERY, authorization);
    expect(body.data.call.customFields.map((f: { name: string }) => f.name)).toContain('Notes renamed');
  });

  it.runIf(onPostgres)('on PostgreSQL a recalled viewer costs no statement of its own: the call statement checks the token', async () => {
    const authorization = t.bearer('editor');
    await warmUp(authorization);
    const { statements } = await t.statements.during(() => get(`/api/v2/calls/${CALL.first}.json`, authorization));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/api_tokens/);
  });
});
