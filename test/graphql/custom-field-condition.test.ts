import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const LIST = `query($filter: CallFilter) { viewer { username } calls(filter: $filter) { edges { node { id } } } }`;

describe.each([
  ['graphql-js', { compiledExecution: false as const }],
  ['compiled execution', { compiledExecution: { hotAfter: 0, maxOperations: 100 } }],
])('CustomFieldFilter.is, a @oneOf CustomFieldCondition (%s)', (_label, options) => {
  let t: App;
  beforeEach(async () => {
    t = await createTestApp(options);
  });

  const ids = (body: { data?: any }) => body.data.calls.edges.map((edge: { node: { id: string } }) => edge.node.id);

  it('filters as the deprecated conditions beside the reference do', async () => {
    for (const filter of [
      { customFields: [{ name: 'Notes', is: { equals: 'keep me' } }] },
      { customFields: [{ name: 'Notes', equals: 'keep me' }] },
    ]) {
      const { status, body } = await t.graphql(LIST, { filter });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(ids(body)).toEqual([CALL.first]);
    }
  });

  const ONE_KEY = 'Exactly one key must be specified for OneOf type "CustomFieldCondition".';
  it.each([
    ['two conditions', { equals: 'keep me', isSet: true }, ONE_KEY],
    ['no condition', {}, ONE_KEY],
    ['only a null condition', { isSet: null }, 'Field "isSet" must be non-null.'],
  ])('refuses %s in a variable before anything runs, with a clear error', async (_case, is, reason) => {
    const { body } = await t.graphql(LIST, { filter: { customFields: [{ name: 'Notes', is }] } });
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(`at "filter.customFields[0].is`) })]);
    expect(body.errors![0]!.message).toContain(reason);
  });

  it.each([
    ['two conditions', '{ equals: "keep me", isSet: true }'],
    ['no condition', '{}'],
  ])('refuses %s written in the document', async (_case, is) => {
    const { body } = await t.graphql(`{ calls(filter: { customFields: [{ name: "Notes", is: ${is} }] }) { totalCount } }`);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/OneOf Input Object "CustomFieldCondition" must specify exactly one key/) })]);
  });

  it('refuses a condition both in `is` and beside the reference, at that filter only', async () => {
    const { status, body } = await t.graphql(LIST, { filter: { customFields: [{ name: 'Notes', is: { equals: 'keep me' }, isSet: true }] } });
    expect(status).toBe(200);
    expect(body.data).toEqual({ viewer: { username: 'editor' }, calls: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Invalid filter: filter.customFields.0: Give the condition in is or beside the field reference, not both',
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });
});
