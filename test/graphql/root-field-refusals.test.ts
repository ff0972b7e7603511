import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';
interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

async function answer(query: string, variables: Record<string, unknown> = {}, as: Who = 'editor') {
  const { status, body } = await t.graphql<Record<string, unknown>>(query, variables, as);
  expect(status).toBe(200);
  return { data: body.data, errors: (body.errors ?? []) as GraphQLError[] };
}

const UNKNOWN_FIELD_FILTER = { customFields: [{ name: 'No such field', equals: 'x' }] };

describe('a refused root field answers null with its error; the rest of the document answers', () => {
  it('calls with a filter naming an unknown custom field', async () => {
    const { data, errors } = await answer(
      `query($filter: CallFilter) { viewer { username } calls(filter: $filter) { totalCount } }`,
      { filter: UNKNOWN_FIELD_FILTER },
    );
    expect(data).toEqual({ viewer: { username: 'editor' }, calls: null });
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'Invalid filter: filter.customFields.0.name: Unknown custom field',
        path: ['calls'],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });

  it('calls with a page size over the limit, beside a good page of calls under another alias', async () => {
    const { data, errors } = await answer(`{
      viewer { username }
      bad: calls(first: 1001) { totalCount }
      good: calls(first: 1) { edges { node { id } } }
      call(id: "${CALL.first}") { id }
    }`);
    expect(data).toEqual({ viewer: { username: 'editor' }, bad: null, good: { edges: [{ node: { id: CALL.second } }] }, call: { id: CALL.first } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: ['bad'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(errors[0]!.message).toMatch(/^first must be a whole number from 0 to 1000, got 1001/);
  });

  it.each<[Who]>([['editor'], ['viewer']])('apiUsers and apiTokens for a %s, beside viewer and customFields', async (who) => {
    const { data, errors } = await answer(
      `{ viewer { username } apiUsers { edges { node { username } } } apiTokens { totalCount } customField(id: "${FIELD.paymentStatus}") { name } }`,
      {},
      who,
    );
    expect(data).toEqual({ viewer: { username: who }, apiUsers: null, apiTokens: null, customField: { name: 'Payment status' } });
    const forbidden = (field: string) =>
      expect.objectContaining({ message: 'API user has no permission to administer API users', path: [field], extensions: { code: 'FORBIDDEN' } });
    expect(errors).toEqual(expect.arrayContaining([forbidden('apiUsers'), forbidden('apiTokens')]));
    expect(errors).toHaveLength(2);
  });

  it('customField without id or name', async () => {
    const { data, errors } = await answer(`{ viewer { username } customField { name } }`);
    expect(data).toEqual({ viewer: { username: 'editor' }, customField: null });
    expect(errors).toEqual([expect.objectContaining({ message: 'Either id or name is required', path: ['customField'], extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('an admin still gets the lists, and good arguments still get a page', async () => {
    const { data, errors } = await answer(`{ viewer { username } apiUsers { edges { node { username } } } calls(first: 1) { totalCount } }`, {}, 'admin');
    expect(errors).toEqual([]);
    expect(data).toMatchObject({ viewer: { username: 'admin' }, apiUsers: { edges: [{ node: { username: 'admin' } }, { node: { username: 'editor' } }, { node: { username: 'viewer' } }] }, calls: { totalCount: 2 } });
  });
});
