import { beforeEach, describe, expect, it } from 'vitest';
import { basic, CALL, createTestApp, FIELD, NOW, PASSWORD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const CALL_QUERY = /* GraphQL */ `
  query Call($id: ID!) {
    call(id: $id) {
      id setupTime fromNumber toNumber direction duration version
      customFields { fieldId name value updatedAt updatedBy }
    }
  }`;

const CHALLENGE = 'Basic realm="callgate"';

/** A raw POST /graphql with whatever Authorization header the test wants (or none). */
async function post(query: string, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await t.fetch(new Request('http://callgate.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as any };
}

describe('Query.call', () => {
  it('returns a call of the viewer\'s tenant with its values, ordered by field name', async () => {
    const { status, body } = await t.graphql(CALL_QUERY, { id: CALL.first });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        call: {
          id: CALL.first,
          setupTime: '2026-01-01T09:00:00.000Z',
          fromNumber: '+4930111',
          toNumber: '+4930222',
          direction: 'INBOUND',
          duration: 61,
          version: 1,
          customFields: [
            { fieldId: FIELD.callType, name: 'Call type', value: 'Support call', updatedAt: NOW, updatedBy: null },
            { fieldId: FIELD.locked, name: 'Locked', value: 'immutable', updatedAt: NOW, updatedBy: null },
            { fieldId: FIELD.notes, name: 'Notes', value: 'keep me', updatedAt: NOW, updatedBy: null },
          ],
        },
      },
    });
  });

  it('finds the call by its upper-case UUID', async () => {
    const { body } = await t.graphql(`query($id: ID!) { call(id: $id) { id } }`, { id: CALL.first.toUpperCase() });
    expect(body).toEqual({ data: { call: { id: CALL.first } } });
  });

  it('a viewer may read calls', async () => {
    const { body } = await t.graphql(`query($id: ID!) { call(id: $id) { id direction } }`, { id: CALL.second }, 'viewer');
    expect(body).toEqual({ data: { call: { id: CALL.second, direction: 'OUTBOUND' } } });
  });

  it.each([
    ['a call of another tenant', CALL.otherTenant],
    ['an unknown call', '99999999-9999-4999-8999-999999999999'],
    ['an id that is no UUID', 'not-a-uuid'],
  ])('%s is null, without an error', async (_label, id) => {
    const { status, body } = await t.graphql(CALL_QUERY, { id });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { call: null } });
  });

  it('the other tenant sees its own call and not ours', async () => {
    const own = await t.graphql(`query($id: ID!) { call(id: $id) { id customFields { name value } } }`, { id: CALL.otherTenant }, 'otherEditor');
    expect(own.body).toEqual({ data: { call: { id: CALL.otherTenant, customFields: [{ name: 'Secret', value: 'hidden' }] } } });
    const ours = await t.graphql(`query($id: ID!) { call(id: $id) { id } }`, { id: CALL.first }, 'otherEditor');
    expect(ours.body).toEqual({ data: { call: null } });
  });
});

describe('Query.customFields', () => {
  const QUERY = `{ customFields { id name type options maxLength editable enabled } }`;

  it('lists the enabled fields of the viewer\'s tenant by name, without disabled fields or other tenants\' fields', async () => {
    const { body } = await t.graphql(QUERY);
    expect(body).toEqual({
      data: {
        customFields: [
          { id: FIELD.amount, name: 'Amount', type: 'NUMBER', options: null, maxLength: null, editable: true, enabled: true },
          { id: FIELD.callType, name: 'Call type', type: 'TEXT', options: null, maxLength: 255, editable: true, enabled: true },
          { id: FIELD.followUp, name: 'Follow-up date', type: 'DATE', options: null, maxLength: null, editable: true, enabled: true },
          { id: FIELD.locked, name: 'Locked', type: 'TEXT', options: null, maxLength: 255, editable: false, enabled: true },
          { id: FIELD.notes, name: 'Notes', type: 'TEXT', options: null, maxLength: 10, editable: true, enabled: true },
          {
            id: FIELD.paymentStatus,
            name: 'Payment status',
            type: 'OPTION',
            options: ['Unknown', 'Paid', 'Unpaid'],
            maxLength: null,
            editable: true,
            enabled: true,
          },
        ],
      },
    });
  });

  it('the other tenant sees only its own field', async () => {
    const { body } = await t.graphql(`{ customFields { id name } }`, {}, 'otherEditor');
    expect(body).toEqual({ data: { customFields: [{ id: FIELD.otherTenant, name: 'Secret' }] } });
  });
});

describe('Query.viewer', () => {
  it.each([
    ['editor', { username: 'editor', role: 'EDITOR', tenant: 'default', permissions: ['EDIT_CALLS', 'VIEW_CALLS'] }],
    ['viewer', { username: 'viewer', role: 'VIEWER', tenant: 'default', permissions: ['VIEW_CALLS'] }],
    ['admin', { username: 'admin', role: 'ADMIN', tenant: 'default', permissions: ['ADMINISTER', 'EDIT_CALLS', 'VIEW_CALLS'] }],
    ['otherEditor', { username: 'otherEditor', role: 'EDITOR', tenant: 'other', permissions: ['EDIT_CALLS', 'VIEW_CALLS'] }],
  ] as const)('describes %s', async (who, expected) => {
    const { body } = await t.graphql<{ viewer: { permissions: string[] } }>(`{ viewer { username role tenant permissions } }`, {}, who);
    expect(body.errors).toBeUndefined();
    expect({ ...body.data!.viewer, permissions: [...body.data!.viewer.permissions].sort() }).toEqual(expected);
  });
});

describe('authentication over /graphql', () => {
  const VIEWER = `{ viewer { username } }`;

  it('good Basic credentials work', async () => {
    const response = await post(VIEWER, basic('editor'));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ data: { viewer: { username: 'editor' } } });
  });

  it('a good Bearer token works', async () => {
    const response = await post(VIEWER, t.bearer('viewer'));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ data: { viewer: { username: 'viewer' } } });
  });

  it.each<[string, string | undefined]>([
    ['no Authorization header', undefined],
    ['an empty Authorization header', ''],
    ['"Basic" without credentials', 'Basic'],
    ['Basic credentials that are not base64 of user:password', `Basic ${Buffer.from('editor').toString('base64')}`],
    ['a wrong password', basic('editor', 'wrong password')],
    ['an unknown user', basic('nobody', PASSWORD)],
    ['an unknown Bearer token', 'Bearer cg_not-a-real-token'],
    ['Basic credentials sent as a Bearer token', `Bearer ${Buffer.from(`editor:${PASSWORD}`).toString('base64')}`],
    ['an unknown scheme', `Token ${Buffer.from(`editor:${PASSWORD}`).toString('base64')}`],
  ])('%s is 401 with the Basic challenge and no data', async (_label, authorization) => {
    const response = await post(VIEWER, authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
    expect(response.json.data).toBeUndefined();
    expect(response.text).not.toContain('editor');
  });

  it('a token of one user does not work as a Basic password', async () => {
    const response = await post(VIEWER, basic('editor', t.tokens.editor));
    expect(response.status).toBe(401);
  });

  it('an unknown user and a wrong password get the same 401 response', async () => {
    const unknownUser = await post(VIEWER, basic('nobody', PASSWORD));
    const wrongPassword = await post(VIEWER, basic('editor', 'wrong password'));
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.text).toBe(wrongPassword.text);
    expect(unknownUser.headers.get('www-authenticate')).toBe(wrongPassword.headers.get('www-authenticate'));
  });

  it('an anonymous GET with a query is 401, not an answer', async () => {
    const response = await t.fetch(
      new Request(`http://callgate.test/graphql?query=${encodeURIComponent(VIEWER)}`, { headers: { accept: 'application/json' } }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
    expect(await response.text()).not.toContain('username');
  });

  it('an anonymous introspection query is 401', async () => {
    const response = await post(`{ __schema { types { name } } }`);
    expect(response.status).toBe(401);
    expect(response.text).not.toContain('setCallCustomFields');
  });

  it('an anonymous mutation writes nothing', async () => {
    const before = await t.stored(CALL.first);
    const response = await post(
      `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ name: "Amount", value: "1" }]) { __typename } }`,
    );
    expect(response.status).toBe(401);
    expect(await t.stored(CALL.first)).toEqual(before);
  });
});

describe('error masking', () => {
  const leaks = (text: string) => {
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('/var/db');
    expect(text).not.toMatch(/stack|originalError/i);
    expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules/);
  };

  it('an unexpected failure in a query reaches the client as "Unexpected error." without details', async () => {
    t.store.getCall = async () => {
      throw new Error('SECRET driver failure in /var/db/callgate.sqlite');
    };
    const response = await post(`{ call(id: "${CALL.first}") { id } }`, t.bearer('editor'));
    expect(response.json.errors).toHaveLength(1);
    expect(response.json.errors[0].message).toBe('Unexpected error.');
    expect(response.json.data).toEqual({ call: null });
    leaks(response.text);
  });

  it('an unexpected failure in the mutation is masked, not returned as a result type', async () => {
    t.store.setCallCustomFields = async () => {
      throw new Error('SECRET SQLITE_BUSY in /var/db/callgate.sqlite');
    };
    const response = await post(
      `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ name: "Amount", value: "1" }]) { __typename ... on Error { message } } }`,
      t.bearer('editor'),
    );
    expect(response.json.errors.map((e: { message: string }) => e.message)).toEqual(['Unexpected error.']);
    expect(response.json.data ?? null).toBeNull();
    leaks(response.text);
  });

  it('a syntax error says what is wrong, without a stack trace', async () => {
    const response = await post(`{ call(id: `, t.bearer('editor'));
    expect(response.json.errors[0].message).toMatch(/^Syntax Error/);
    leaks(response.text);
  });

  it('a validation error says what is wrong, without a stack trace', async () => {
    const response = await post(`{ call(id: "${CALL.first}") { password } }`, t.bearer('editor'));
    expect(response.json.errors[0].message).toContain('Cannot query field "password" on type "Call"');
    leaks(response.text);
  });
});

describe('GraphiQL', () => {
  async function page() {
    const response = await t.fetch(new Request('http://callgate.test/graphql', { headers: { accept: 'text/html' } }));
    return { status: response.status, contentType: response.headers.get('content-type'), html: await response.text() };
  }

  it('is served to a browser without credentials', async () => {
    const { status, contentType, html } = await page();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/html/);
    expect(html).toMatch(/<html/i);
    expect(html).toContain('callgate GraphiQL');
  });

  it('works offline: no script or stylesheet is loaded from another host', async () => {
    const { html } = await page();
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/\bimport\s*\(?\s*["'](?:https?:)?\/\//);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net|esm\.sh|cdnjs\.cloudflare\.com|fonts\.googleapis\.com/);
  });

  it('opens on the setCallCustomFields example', async () => {
    const { html } = await page();
    expect(html).toContain('setCallCustomFields');
  });

  it('serving the page answers no query and leaks no data', async () => {
    const { html } = await page();
    expect(html).not.toContain('Support call');
    expect(html).not.toContain(CALL.first);
  });
});
