import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

interface Page<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';
const USERS = `query($first: Int, $after: String, $last: Int, $before: String) {
  apiUsers(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { username } } ${PAGE_INFO} }
}`;
const TOKENS = `query($first: Int, $after: String, $last: Int, $before: String) {
  apiTokens(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id name createdAt } } ${PAGE_INFO} }
}`;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

async function users(args: Record<string, unknown>): Promise<Page<{ username: string }>> {
  const { status, body } = await t.graphql(USERS, args, 'admin');
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data.apiUsers;
}

async function tokens(args: Record<string, unknown>): Promise<Page<{ id: string; name: string; createdAt: string }>> {
  const { status, body } = await t.graphql(TOKENS, args, 'admin');
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data.apiTokens;
}

const names = (page: Page<{ username: string }>) => page.edges.map((edge) => edge.node.username);

async function addUser(username: string, tenantId = t.tenantId) {
  const id = randomUUID();
  await t.store.createApiUser({ id, tenantId, username, passwordHash: 'not a hash', role: 'viewer', now: '2026-01-01T00:00:00.000Z' });
  return id;
}

describe('apiUsers, a connection', () => {
  // Byte order of the usernames, as both stores sort them: upper case before lower, "-" before "_" before letters.
  const ORDER = ['Zed', 'admin', 'editor', 'ops-1', 'ops_2', 'opsa', 'viewer'];

  beforeEach(async () => {
    for (const username of ['opsa', 'Zed', 'ops_2', 'ops-1']) await addUser(username);
    await addUser('another-tenant', (await t.store.findTenantByName('other'))!.id);
  });

  it('pages forward by username with first/after, to a last page without a next one', async () => {
    const first = await users({ first: 3 });
    expect(names(first)).toEqual(['Zed', 'admin', 'editor']);
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]!.cursor, endCursor: first.edges[2]!.cursor });
    expect(first.totalCount).toBe(7);
    const second = await users({ first: 3, after: first.pageInfo.endCursor });
    expect(names(second)).toEqual(['ops-1', 'ops_2', 'opsa']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await users({ first: 3, after: second.pageInfo.endCursor });
    expect(names(last)).toEqual(['viewer']);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(last.totalCount).toBe(7);
  });

  it('pages backward with last/before; each edge\'s cursor starts the next page exactly after it', async () => {
    const end = await users({ last: 2 });
    expect(names(end)).toEqual(['opsa', 'viewer']);
    expect(end.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await users({ last: 4, before: end.pageInfo.startCursor });
    expect(names(before)).toEqual(['admin', 'editor', 'ops-1', 'ops_2']);
    expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const start = await users({ last: 4, before: before.pageInfo.startCursor });
    expect(names(start)).toEqual(['Zed']);
    expect(start.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const all = await users({ first: 100 });
    expect(names(all)).toEqual(ORDER);
    for (const [index, edge] of all.edges.entries()) {
      expect(names(await users({ first: 1, after: edge.cursor }))).toEqual(ORDER.slice(index + 1, index + 2));
    }
  });

  it('a cursor stays valid when users are added before it', async () => {
    const first = await users({ first: 2 });
    await addUser('aaron');
    expect(names(await users({ first: 2, after: first.pageInfo.endCursor }))).toEqual(['editor', 'ops-1']);
  });

  it('an empty page has no cursors', async () => {
    const page = await users({ first: 0 });
    expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null }, totalCount: 7 });
  });
});

describe('apiTokens, a connection', () => {
  it('pages oldest first, ties by token id', async () => {
    const [user] = await t.store.listApiUsers(t.tenantId);
    for (const [name, now] of [['later', '2026-03-01T00:00:00.000Z'], ['earliest', '2025-12-01T00:00:00.000Z'], ['same-1', '2026-02-01T00:00:00.000Z'], ['same-2', '2026-02-01T00:00:00.000Z']]) {
      await t.store.createApiToken({ id: randomUUID(), userId: user!.id, name: name!, tokenHash: `hash-${name}`, now: now! });
    }
    const expected = (await t.store.listApiTokens(t.tenantId))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .map((token) => token.id);
    expect(expected).toHaveLength(7);

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await tokens({ first: 3, after });
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((edge) => edge.node.id));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const last = await tokens({ last: 2 });
    expect(last.edges.map((edge) => edge.node.id)).toEqual(expected.slice(-2));
    expect(last.edges.at(-1)!.node).toMatchObject({ name: 'later', createdAt: '2026-03-01T00:00:00.000Z' });
    expect((await tokens({ first: 1 })).edges[0]!.node.name).toBe('earliest');
  });
});

describe('refused arguments answer null and a BAD_USER_INPUT error at the field', () => {
  it.each([
    ['a user cursor in apiTokens', 'apiTokens', async () => ({ after: (await users({ first: 1 })).pageInfo.endCursor }), 'after is not a cursor of this list'],
    ['a token cursor in apiUsers', 'apiUsers', async () => ({ before: (await tokens({ first: 1 })).pageInfo.endCursor }), 'before is not a cursor of this list'],
    ['a re-encoded cursor (padded base64)', 'apiUsers', async () => ({ after: `${(await users({ first: 1 })).pageInfo.endCursor}=` }), 'after is not a cursor of this list'],
    ['first and last', 'apiUsers', async () => ({ first: 1, last: 1 }), 'Give first or last, not both'],
    ['first above 1000', 'apiTokens', async () => ({ first: 1001 }), 'first must be a whole number from 0 to 1000, got 1001; page through longer lists with cursors'],
  ])('%s', async (_label, field, args, message) => {
    const { status, body } = await t.graphql(field === 'apiUsers' ? USERS : TOKENS, await args(), 'admin');
    expect(status).toBe(200);
    expect(body.data).toEqual({ [field]: null });
    expect(body.errors).toEqual([expect.objectContaining({ message, path: [field], extensions: { code: 'BAD_USER_INPUT' } })]);
  });
});
