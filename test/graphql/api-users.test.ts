import { beforeEach, describe, expect, it } from 'vitest';
import { basic, CALL, createTestApp } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const RESULT = `__typename ... on Error { message ... on InvalidRecordError { details { path message } } ... on ConflictError { reason } }`;
const USER = 'user { username role disabled }';
const CREATE_USER = `mutation($input: CreateApiUserInput!) { createApiUser(input: $input) { ${RESULT} ... on ApiUserSuccess { ${USER} } } }`;
const UPDATE_USER = `mutation($username: String!, $input: UpdateApiUserInput!) {
  updateApiUser(username: $username, input: $input) { ${RESULT} ... on ApiUserSuccess { ${USER} } }
}`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { ${RESULT} ... on CreateApiTokenSuccess { secret token { id name username revokedAt } } }
}`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(id: $id) { ${RESULT} ... on RevokeApiTokenSuccess { token { id name username revokedAt } } } }`;

async function run(query: string, variables: Record<string, unknown>, as: Who = 'admin') {
  const { status, body } = await t.graphql(query, variables, as);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return Object.values(body.data as Record<string, any>)[0];
}

const createUser = (input: Record<string, unknown>, as: Who = 'admin') => run(CREATE_USER, { input }, as);
const updateUser = (username: string, input: Record<string, unknown>, as: Who = 'admin') => run(UPDATE_USER, { username, input }, as);
const createToken = (input: Record<string, unknown>, as: Who = 'admin') => run(CREATE_TOKEN, { input }, as);
const revokeToken = (id: string, as: Who = 'admin') => run(REVOKE_TOKEN, { id }, as);

/** The status of one request made with this Authorization header, through GraphQL and through REST. */
async function statusWith(authorization: string) {
  const graphql = await t.fetch(
    new Request('http://callgate.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ viewer { username } }' }),
    }),
  );
  const rest = await t.fetch(new Request(`http://callgate.test/api/v2/calls/${CALL.first}.json`, { headers: { authorization } }));
  return { graphql: graphql.status, rest: rest.status };
}
const OK = { graphql: 200, rest: 200 };
const UNAUTHORIZED = { graphql: 401, rest: 401 };

const USERS_FORBIDDEN = { __typename: 'ForbiddenError', message: 'API user has no permission to administer API users' };

describe('createApiUser', () => {
  it('creates a user of the admin\'s tenant who can log in at once; the password is never shown', async () => {
    const { status, body } = await t.graphql(CREATE_USER, { input: { username: ' ops ', password: 's3cret-passw0rd', role: 'EDITOR' } }, 'admin');
    expect(status).toBe(200);
    expect(body.data).toEqual({ createApiUser: { __typename: 'ApiUserSuccess', user: { username: 'ops', role: 'EDITOR', disabled: false } } });
    expect(JSON.stringify(body)).not.toContain('s3cret');
    expect(await statusWith(basic('ops', 's3cret-passw0rd'))).toEqual(OK);
    const users = (await t.graphql('{ apiUsers { edges { node { username role disabled createdAt } } } }', {}, 'admin')).body.data!.apiUsers.edges.map((e: any) => e.node);
    expect(users).toContainEqual({ username: 'ops', role: 'EDITOR', disabled: false, createdAt: expect.any(String) });
  });

  it.each([
    ['a username of this tenant', 'editor'],
    ['a username of another tenant (usernames are global for HTTP Basic)', 'otherEditor'],
  ])('refuses %s as a ConflictError', async (_label, username) => {
    expect(await createUser({ username, password: 'long enough', role: 'VIEWER' })).toEqual({
      __typename: 'ConflictError',
      message: 'An API user with this username already exists',
      reason: 'DUPLICATE',
    });
  });

  it('lists every invalid attribute and creates nobody', async () => {
    expect(await createUser({ username: 'a:b', password: 'short', role: 'VIEWER' })).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [
        { path: 'input.username', message: 'Username must not contain ":" or control characters' },
        { path: 'input.password', message: 'Password must be at least 8 characters' },
      ],
    });
    const users = (await t.graphql('{ apiUsers { totalCount } }', {}, 'admin')).body.data!.apiUsers;
    expect(users).toEqual({ totalCount: 3 });
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s is forbidden', async (who) => {
    expect(await createUser({ username: 'sneaky', password: 'long enough', role: 'ADMIN' }, who)).toEqual(USERS_FORBIDDEN);
    expect(await statusWith(basic('sneaky', 'long enough'))).toEqual(UNAUTHORIZED);
  });
});

describe('updateApiUser', () => {
  it('a disabled user is refused (401) on the very next request, by Basic login and by token, then works again when enabled', async () => {
    expect(await statusWith(basic('editor'))).toEqual(OK);
    expect(await statusWith(t.bearer('editor'))).toEqual(OK);
    expect(await updateUser('editor', { disabled: true })).toEqual({
      __typename: 'ApiUserSuccess',
      user: { username: 'editor', role: 'EDITOR', disabled: true },
    });
    expect(await statusWith(basic('editor'))).toEqual(UNAUTHORIZED);
    expect(await statusWith(t.bearer('editor'))).toEqual(UNAUTHORIZED);
    await updateUser('editor', { disabled: false });
    expect(await statusWith(basic('editor'))).toEqual(OK);
    expect(await statusWith(t.bearer('editor'))).toEqual(OK);
  });

  it('a new password invalidates the cached Basic login at once; the new password works', async () => {
    expect(await statusWith(basic('editor'))).toEqual(OK); // cached now
    expect(await updateUser('editor', { password: 'a brand new password' })).toMatchObject({ __typename: 'ApiUserSuccess' });
    expect(await statusWith(basic('editor'))).toEqual(UNAUTHORIZED);
    expect(await statusWith(basic('editor', 'a brand new password'))).toEqual(OK);
    expect(await statusWith(t.bearer('editor'))).toEqual(OK);
  });

  it('a new role applies to the next request', async () => {
    await updateUser('editor', { role: 'VIEWER' });
    const result = await run(
      `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ name: "Amount", value: "1" }]) { __typename } }`,
      {},
      'editor',
    );
    expect(result).toEqual({ __typename: 'ForbiddenError' });
  });

  it('the tenant\'s last active admin cannot be disabled or demoted; with a second admin it can', async () => {
    const LAST_ADMIN = {
      __typename: 'ConflictError',
      message: 'The last active admin of a tenant cannot be disabled or lose the admin role',
      reason: 'LAST_ADMIN',
    };
    expect(await updateUser('admin', { disabled: true })).toEqual(LAST_ADMIN);
    expect(await updateUser('admin', { role: 'EDITOR' })).toEqual(LAST_ADMIN);
    expect(await statusWith(basic('admin'))).toEqual(OK);
    await updateUser('editor', { role: 'ADMIN' });
    expect(await updateUser('admin', { role: 'EDITOR' })).toMatchObject({ __typename: 'ApiUserSuccess', user: { role: 'EDITOR' } });
  });

  it.each([
    ['a user of another tenant', 'otherEditor'],
    ['an unknown user', 'nobody'],
  ])('%s is "API user not found" and unchanged', async (_label, username) => {
    expect(await updateUser(username, { disabled: true })).toEqual({ __typename: 'NotFoundError', message: 'API user not found' });
    expect(await statusWith(t.bearer('otherEditor'))).toMatchObject({ graphql: 200 });
  });

  it('refuses nulls and short passwords, changing nothing', async () => {
    expect(await updateUser('editor', { role: null, password: 'short', disabled: null })).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [
        { path: 'input.role', message: 'Role is required' },
        { path: 'input.password', message: 'Password must be at least 8 characters' },
        { path: 'input.disabled', message: 'Disabled must be true or false' },
      ],
    });
    expect(await statusWith(basic('editor'))).toEqual(OK);
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s is forbidden and cannot lock anyone out', async (who) => {
    expect(await updateUser('admin', { disabled: true }, who)).toEqual(USERS_FORBIDDEN);
    expect(await updateUser(who, { role: 'ADMIN' }, who)).toEqual(USERS_FORBIDDEN);
    expect(await statusWith(basic('admin'))).toEqual(OK);
  });
});

describe('API tokens', () => {
  it('createApiToken shows the secret once; it works as a Bearer token; listings never show it', async () => {
    const created = await createToken({ username: 'viewer', name: 'reporting' });
    expect(created).toEqual({
      __typename: 'CreateApiTokenSuccess',
      secret: expect.stringMatching(/^cg_[A-Za-z0-9_-]{43}$/),
      token: { id: expect.any(String), name: 'reporting', username: 'viewer', revokedAt: null },
    });
    expect(await statusWith(`Bearer ${created.secret}`)).toEqual(OK);
    const { body } = await t.graphql('{ apiTokens { edges { node { id name username createdAt revokedAt } } } }', {}, 'admin');
    expect(body.data!.apiTokens.edges.map((e: any) => e.node)).toContainEqual({ id: created.token.id, name: 'reporting', username: 'viewer', createdAt: expect.any(String), revokedAt: null });
    expect(JSON.stringify(body)).not.toContain(created.secret);
  });

  it('a token without a name is called "api"', async () => {
    expect(await createToken({ username: 'editor' })).toMatchObject({ token: { name: 'api' } });
  });

  it('a revoked token is refused (401) on its very next request; other tokens keep working', async () => {
    const created = await createToken({ username: 'editor', name: 'ci' });
    expect(await statusWith(`Bearer ${created.secret}`)).toEqual(OK);
    const revoked = await revokeToken(created.token.id);
    expect(revoked).toEqual({
      __typename: 'RevokeApiTokenSuccess',
      token: { id: created.token.id, name: 'ci', username: 'editor', revokedAt: expect.any(String) },
    });
    expect(await statusWith(`Bearer ${created.secret}`)).toEqual(UNAUTHORIZED);
    expect(await statusWith(t.bearer('editor'))).toEqual(OK);
    expect(await revokeToken(created.token.id)).toEqual(revoked);
  });

  it('revoking the fixture\'s token of a user found in apiTokens locks that token out', async () => {
    const { edges } = (await t.graphql('{ apiTokens { edges { node { id username } } } }', {}, 'admin')).body.data!.apiTokens;
    const tokens = edges.map((e: any) => e.node) as { id: string; username: string }[];
    expect(tokens.map((token) => token.username).sort()).toEqual(['admin', 'editor', 'viewer']);
    await revokeToken(tokens.find((token) => token.username === 'viewer')!.id);
    expect(await statusWith(t.bearer('viewer'))).toEqual(UNAUTHORIZED);
    expect(await statusWith(basic('viewer'))).toEqual(OK);
  });

  it.each([
    ['a user of another tenant', 'otherEditor'],
    ['an unknown user', 'nobody'],
  ])('a token for %s is "API user not found"', async (_label, username) => {
    expect(await createToken({ username })).toEqual({ __typename: 'NotFoundError', message: 'API user not found' });
  });

  it('another tenant\'s token can neither be listed nor revoked', async () => {
    const foreign = (await t.store.listApiTokens((await t.store.findTenantByName('other'))!.id))[0]!;
    const { body } = await t.graphql('{ apiTokens { edges { node { id } } } }', {}, 'admin');
    expect(body.data!.apiTokens.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(foreign.id);
    expect(await revokeToken(foreign.id)).toEqual({ __typename: 'NotFoundError', message: 'API token not found' });
    expect(await statusWith(t.bearer('otherEditor'))).toMatchObject({ graphql: 200 });
  });

  it('an invalid token name is refused', async () => {
    expect(await createToken({ username: 'editor', name: '  ' })).toMatchObject({ details: [{ path: 'input.name', message: 'Name must not be empty' }] });
  });

  it.each<[Who]>([['viewer'], ['editor']])('a %s may neither create nor revoke tokens', async (who) => {
    expect(await createToken({ username: who }, who)).toEqual(USERS_FORBIDDEN);
    const [first] = await t.store.listApiTokens(t.tenantId);
    expect(await revokeToken(first!.id, who)).toEqual(USERS_FORBIDDEN);
    expect(await statusWith(t.bearer('admin'))).toEqual(OK);
  });
});

describe('apiUsers and apiTokens', () => {
  it('list the tenant\'s users without any secret', async () => {
    const { body } = await t.graphql('{ apiUsers { edges { node { id username role disabled } } } }', {}, 'admin');
    expect(body.data!.apiUsers.edges.map((e: { node: { username: string } }) => e.node.username)).toEqual(['admin', 'editor', 'viewer']);
    expect(JSON.stringify(body)).not.toMatch(/scrypt|password/i);
  });

  it.each<[Who]>([['viewer'], ['editor']])('are refused to a %s with a FORBIDDEN error and a null list', async (who) => {
    for (const [field, query] of [['apiUsers', '{ apiUsers { edges { node { username } } } }'], ['apiTokens', '{ apiTokens { totalCount } }']] as const) {
      const { status, body } = await t.graphql(query, {}, who);
      expect(status).toBe(200);
      expect(body.data).toEqual({ [field]: null });
      expect(body.errors).toEqual([
        expect.objectContaining({ message: 'API user has no permission to administer API users', path: [field], extensions: { code: 'FORBIDDEN' } }),
      ]);
    }
  });
});
