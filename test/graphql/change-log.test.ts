import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const SET = /* GraphQL */ `
  mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version } }
    }
  }
`;

const RECORD = 'sequence cursor changeSet { id } callId field { id name customField { name } } kind oldValue newValue callVersion actor { id username tokenId cli } channel requestId clientAddress at';

const HISTORY = /* GraphQL */ `
  query History($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $field: CustomFieldRef) {
    call(id: $id) {
      history(first: $first, after: $after, last: $last, before: $before, field: $field) {
        edges { cursor node { ${RECORD} } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`;

const CHANGES = /* GraphQL */ `
  query Changes($after: String, $first: Int, $last: Int, $before: String, $filter: ChangeFilter) {
    changes(after: $after, first: $first, last: $last, before: $before, filter: $filter) {
      nodes { ${RECORD} }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const AS_OF = /* GraphQL */ `
  query AsOf($id: ID!, $asOf: DateTime) {
    call(id: $id, asOf: $asOf) { version customFields { name value updatedAt updatedBy } }
  }
`;

/** A clock the test moves: each write commits at the instant it is set to. */
function steppingClock(start = Date.parse('2026-03-01T10:00:00.000Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms = 1000) => (now += ms), at: () => new Date(now).toISOString() };
}

describe('change history over GraphQL', () => {
  let t: App;
  let time: ReturnType<typeof steppingClock>;

  beforeEach(async () => {
    time = steppingClock();
    t = await createTestApp({ clock: time.clock });
  });

  const set = async (entries: { fieldId?: string; name?: string; value: string | null }[], as: 'editor' | 'admin' | 'viewer' | 'otherEditor' = 'editor', callId: string = CALL.first) => {
    time.advance();
    const { body } = await t.graphql(SET, { callId, customFields: entries }, as);
    return body.data?.setCallCustomFields;
  };
  const history = async (variables: Record<string, unknown> = {}, as: 'editor' | 'admin' | 'viewer' | 'otherEditor' = 'editor') =>
    (await t.graphql(HISTORY, { id: CALL.first, ...variables }, as)).body;
  const changes = async (variables: Record<string, unknown> = {}, as: 'editor' | 'admin' | 'viewer' | 'otherEditor' = 'editor') =>
    (await t.graphql(CHANGES, variables, as)).body;

  it('records each changed field of a request in one change set, with the actor, channel and old and new values', async () => {
    await set([{ fieldId: FIELD.paymentStatus, value: 'Paid' }, { fieldId: FIELD.notes, value: 'first note' }]);
    const before = (await t.stored(CALL.first))!;
    await set([{ name: 'Payment status', value: 'Unpaid' }, { fieldId: FIELD.notes, value: null }, { fieldId: FIELD.amount, value: before.values[FIELD.amount] ?? '7' }]);

    const body = await history();
    expect(body.errors).toBeUndefined();
    const nodes = body.data.call.history.edges.map((e: any) => e.node);
    // Newest first: the second request's records, then the first's.
    const [latest] = nodes;
    const secondSet = nodes.filter((n: any) => n.changeSet.id === latest.changeSet.id);
    const kinds = Object.fromEntries(secondSet.map((n: any) => [n.field.name, [n.kind, n.oldValue, n.newValue]]));
    expect(kinds['Payment status']).toEqual(['SET', 'Paid', 'Unpaid']);
    expect(kinds.Notes).toEqual(['CLEARED', 'first note', null]);
    expect(secondSet.every((n: any) => n.callVersion === (before.version + 1) && n.channel === 'GRAPHQL')).toBe(true);
    expect(latest.actor).toEqual({ id: expect.any(String), username: 'editor', tokenId: expect.any(String), cli: false });
    expect(latest.requestId).toEqual(expect.any(String));
    // Only admins see the client's address.
    expect(latest.clientAddress).toBeNull();
    const asAdmin = (await history({}, 'admin')).data.call.history.edges[0].node;
    expect(asAdmin.clientAddress).toMatch(/127\.0\.0\.1|::1/);
    const sequences = nodes.map((n: any) => n.sequence);
    expect(sequences).toEqual([...sequences].sort((a: number, b: number) => b - a));
  });

  it('records nothing for a same-value entry, a refused request, or a viewer', async () => {
    await set([{ fieldId: FIELD.paymentStatus, value: 'Paid' }]);
    const count = async () => (await changes({ filter: { channels: ['GRAPHQL'] } })).data.changes.nodes.length;
    expect(await count()).toBe(1);
    await set([{ fieldId: FIELD.paymentStatus, value: 'Paid' }]);
    expect((await set([{ fieldId: FIELD.paymentStatus, value: 'Not an option' }]))?.__typename).toBe('InvalidRecordError');
    expect((await set([{ fieldId: FIELD.paymentStatus, value: 'Unpaid' }], 'viewer'))?.__typename).toBe('ForbiddenError');
    expect(await count()).toBe(1);
  });

  it('records REST writes as channel REST with their request id', async () => {
    const response = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ name: 'Payment status', value: 'Paid' }] } } });
    expect(response.json).toMatchObject({ call: { call_id: CALL.first } });
    const [record] = (await changes({ filter: { channels: ['REST'] } })).data.changes.nodes;
    expect(record).toMatchObject({ channel: 'REST', newValue: 'Paid', requestId: response.headers.get('x-request-id'), actor: { username: 'editor' } });
  });

  it('pages the history both ways and narrows it to one field, also by a name the field had', async () => {
    for (const value of ['a', 'b', 'c', 'd']) await set([{ fieldId: FIELD.notes, value }, { fieldId: FIELD.paymentStatus, value: value === 'b' ? 'Unpaid' : 'Paid' }]);
    const all = (await history({ first: 100 })).data.call.history.edges.map((e: any) => e.node.sequence);
    const page1 = (await history({ first: 3 })).data.call.history;
    expect(page1.edges.map((e: any) => e.node.sequence)).toEqual(all.slice(0, 3));
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = (await history({ first: 3, after: page1.pageInfo.endCursor })).data.call.history;
    expect(page2.edges.map((e: any) => e.node.sequence)).toEqual(all.slice(3, 6));
    const back = (await history({ last: 2, before: page2.pageInfo.startCursor })).data.call.history;
    expect(back.edges.map((e: any) => e.node.sequence)).toEqual(all.slice(1, 3));

    const rename = await t.graphql(`mutation { updateCustomField(id: "${FIELD.notes}", input: { name: "Remarks" }) { __typename } }`, {}, 'admin');
    expect(rename.body.data.updateCustomField.__typename).toBe('UpdateCustomFieldSuccess');
    await set([{ name: 'Remarks', value: 'e' }]);
    const notes = (await history({ first: 100, field: { name: 'Notes' } })).data.call.history.edges.map((e: any) => e.node.field.name);
    // By its old name: the records written under that name and, as the field is the same, the new ones too.
    expect(notes.slice(0, 5)).toEqual(['Remarks', 'Notes', 'Notes', 'Notes', 'Notes']);
    const byId = (await history({ first: 100, field: { fieldId: FIELD.notes } })).data.call.history.edges.map((e: any) => e.node.newValue);
    expect(byId.slice(0, 5)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(byId).toHaveLength(notes.length);
    const oldest = (await history({ first: 100, field: { fieldId: FIELD.notes } })).data.call.history.edges.at(-1).node.field;
    expect(oldest).toEqual({ id: FIELD.notes, name: 'Notes', customField: { name: 'Remarks' } });
  });

  it('feeds the log oldest first: a consumer that keeps the last cursor never misses or repeats a record', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let round = 0; round < 4; round++) {
      await set([{ fieldId: FIELD.notes, value: `n${round}` }]);
      await set([{ fieldId: FIELD.paymentStatus, value: round % 2 ? 'Paid' : 'Unpaid' }], 'editor', CALL.second);
      const page: any = (await changes({ after: cursor, first: 1 })).data.changes;
      seen.push(...page.nodes.map((n: any) => n.sequence));
      cursor = page.pageInfo.endCursor;
    }
    for (;;) {
      const page: any = (await changes({ after: cursor, first: 3 })).data.changes;
      seen.push(...page.nodes.map((n: any) => n.sequence));
      expect(page.pageInfo.endCursor).toEqual(page.nodes.at(-1)?.cursor ?? cursor);
      cursor = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    const everything = (await changes({ first: 1000 })).data.changes.nodes.map((n: any) => n.sequence);
    expect(seen).toEqual(everything);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await changes({ last: 2 })).data.changes.nodes.map((n: any) => n.sequence)).toEqual(everything.slice(-2));
  });

  it('filters the feed by call, field, actor, channel and time', async () => {
    await set([{ fieldId: FIELD.notes, value: 'by editor' }]);
    time.advance(500);
    const middle = time.at();
    await set([{ fieldId: FIELD.paymentStatus, value: 'Paid' }], 'admin', CALL.second);
    const names = async (filter: Record<string, unknown>) => (await changes({ filter })).data.changes.nodes.map((n: any) => `${n.actor.username}:${n.field.name}`);
    expect(await names({ callIds: [CALL.second] })).toEqual(expect.arrayContaining(['admin:Payment status']));
    expect(await names({ actors: ['admin'] })).toEqual(['admin:Payment status']);
    expect(await names({ actors: ['editor'], fields: [{ name: 'Notes' }] })).toEqual(['editor:Notes']);
    expect(await names({ channels: ['GRAPHQL'], since: middle })).toEqual(['admin:Payment status']);
    expect(await names({ channels: ['GRAPHQL'], until: middle })).toEqual(['editor:Notes']);
    const imported = (await changes({ filter: { actors: ['cli'] } })).data.changes.nodes;
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.every((n: any) => n.channel === 'IMPORT' && n.actor.cli && n.actor.id === null)).toBe(true);
  });

  it('never shows another tenant\'s records', async () => {
    await set([{ fieldId: FIELD.notes, value: 'mine' }]);
    await set([{ fieldId: FIELD.otherTenant, value: 'theirs' }], 'otherEditor', CALL.otherTenant);
    const mine = (await changes({ first: 1000 })).data.changes.nodes;
    expect(mine.some((n: any) => n.callId === CALL.otherTenant)).toBe(false);
    expect((await changes({ filter: { callIds: [CALL.otherTenant] } })).data.changes.nodes).toEqual([]);
    const theirs = (await changes({ first: 1000 }, 'otherEditor')).data.changes.nodes;
    expect(theirs.map((n: any) => n.newValue)).toContain('theirs');
    expect(theirs.some((n: any) => n.callId === CALL.first)).toBe(false);
    expect((await t.graphql(HISTORY, { id: CALL.first }, 'otherEditor')).body.data.call).toBeNull();
  });

  it('answers a call as it was at an instant, matching what a reader saw then', async () => {
    const seen: { at: string; body: unknown }[] = [];
    const read = async () => (await t.graphql(AS_OF, { id: CALL.first })).body.data.call;
    seen.push({ at: time.at(), body: await read() });
    for (const [notes, status] of [['one', 'Paid'], [null, 'Unpaid'], ['three', null]] as const) {
      await set([{ fieldId: FIELD.notes, value: notes }, { fieldId: FIELD.paymentStatus, value: status }]);
      seen.push({ at: time.at(), body: await read() });
    }
    for (const { at, body } of seen) {
      expect((await t.graphql(AS_OF, { id: CALL.first, asOf: at })).body.data.call, `as of ${at}`).toEqual(body);
    }
  });

  it('refuses a bad cursor or page size with BAD_USER_INPUT', async () => {
    const body = await changes({ after: 'abc' });
    expect(body.errors?.[0]).toMatchObject({ message: 'after is not a cursor of this list', extensions: { code: 'BAD_USER_INPUT' } });
    expect((await changes({ first: 1001 })).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});
