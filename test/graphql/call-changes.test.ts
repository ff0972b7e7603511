import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideImportedValues } from '../../src/core/change-set.js';
import { TEST_ORIGIN } from '../support/origin.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';
import { subscribeSse, type SseSubscription } from '../support/sse-client.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

const CALL_CHANGES = /* GraphQL */ `
  subscription Live($callIds: [ID!], $fields: [CustomFieldRef!], $filter: CallFilter, $after: String) {
    callChanges(callIds: $callIds, fields: $fields, filter: $filter, after: $after) {
      cursor
      call { id version customFields { name value } }
      changes { field { id name } oldValue newValue }
      changeSet { id }
      actor { username }
      channel
    }
  }
`;

const SET = /* GraphQL */ `
  mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) { __typename }
  }
`;

describe('callChanges over SSE', () => {
  let t: App;
  const open: SseSubscription[] = [];

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.close();
    await t.app.closeSubscriptions();
  });

  const subscribe = async (variables: Record<string, unknown> = {}, as: Who = 'viewer', headers: Record<string, string> = {}) => {
    const s = await subscribeSse(t.url, { query: CALL_CHANGES, variables }, { authorization: t.bearer(as), ...headers });
    open.push(s);
    expect(s.status).toBe(200);
    return s;
  };
  const setNotes = async (value: string, callId: string = CALL.first, as: Who = 'editor') => {
    const { body } = await t.graphql(SET, { callId, customFields: [{ fieldId: FIELD.notes, value }] }, as);
    expect(body.data?.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
  };

  it('delivers a REST PUT and a GraphQL mutation, each as one event with the call after it', async () => {
    const s = await subscribe();
    const put = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, {
      body: { call: { custom_fields: [{ name: 'Payment status', value: 'Paid' }, { name: 'Call type', value: 'Sales' }] } },
    });
    expect(put.status).toBe(200);
    const rest = (await s.next()).data.callChanges;
    expect(rest).toMatchObject({ channel: 'REST', actor: { username: 'editor' }, call: { id: CALL.first } });
    expect(rest.changes).toEqual([
      { field: { id: FIELD.paymentStatus, name: 'Payment status' }, oldValue: null, newValue: 'Paid' },
      { field: { id: FIELD.callType, name: 'Call type' }, oldValue: 'Support call', newValue: 'Sales' },
    ]);
    expect(rest.call.customFields).toContainEqual({ name: 'Payment status', value: 'Paid' });

    await setNotes('graphql');
    const graphql = (await s.next()).data.callChanges;
    expect(graphql).toMatchObject({ channel: 'GRAPHQL', changes: [{ oldValue: 'keep me', newValue: 'graphql' }] });
    expect(graphql.call.version).toBe(rest.call.version + 1);
    expect(Number(graphql.cursor)).toBeGreaterThan(Number(rest.cursor));
  });

  it('starts at the end of the log: earlier changes are not replayed without after', async () => {
    await setNotes('before');
    const s = await subscribe();
    await setNotes('after');
    expect((await s.next()).data.callChanges.changes[0].newValue).toBe('after');
    expect(await s.quietFor(300)).toBe(true);
  });

  it('resumes after a cursor with exactly the changes missed, in order, then goes on live', async () => {
    const first = await subscribe();
    await setNotes('seen');
    const { cursor } = (await first.next()).data.callChanges;
    first.close();
    for (let i = 0; i < 50; i++) await setNotes(`m${i}`);

    const resumed = await subscribe({ after: cursor });
    const values: string[] = [];
    for (let i = 0; i < 50; i++) values.push((await resumed.next()).data.callChanges.changes[0].newValue);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(await resumed.quietFor(300)).toBe(true);
    await setNotes('live');
    expect((await resumed.next()).data.callChanges.changes[0]).toMatchObject({ oldValue: 'm49', newValue: 'live' });
  });

  it('hands out whole change sets when a read of the log ends inside one (live and replayed)', async () => {
    const { body } = await t.graphql('{ changes(last: 1) { nodes { cursor } } }');
    const before = body.data.changes.nodes[0].cursor;
    const live = await subscribe();
    // 500 calls of 3 values each: 1,500 records, read 1,000 at a time.
    const calls = Array.from({ length: 500 }, (_, n) => ({
      call: { callId: randomUUID(), setupTime: '2026-02-01T00:00:00.000Z', fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: n },
      customFields: [
        { fieldId: FIELD.callType, value: `t${n}` },
        { fieldId: FIELD.notes, value: `n${n}` },
        { fieldId: FIELD.amount, value: String(n) },
      ],
    }));
    await t.store.importCalls({ origin: TEST_ORIGIN, tenantId: t.tenantId, now: '2026-02-01T00:00:00.000Z', decide: decideImportedValues, calls });
    const replayed = await subscribe({ after: before });
    for (const s of [live, replayed]) {
      const seen: string[] = [];
      for (let i = 0; i < 500; i++) {
        const event = (await s.next()).data.callChanges;
        expect(event.changes).toHaveLength(3);
        expect(event.channel).toBe('IMPORT');
        seen.push(event.call.id);
      }
      expect(seen).toEqual(calls.map((c) => c.call.callId));
    }
  });

  it('takes Last-Event-ID as after when after is not given', async () => {
    await setNotes('one');
    const { body } = await t.graphql('{ changes(last: 1) { nodes { cursor } } }');
    const cursor = body.data.changes.nodes[0].cursor;
    await setNotes('two');
    const s = await subscribe({}, 'viewer', { 'last-event-id': cursor });
    expect((await s.next()).data.callChanges.changes[0]).toMatchObject({ oldValue: 'one', newValue: 'two' });
  });

  it('refuses an after that is not a cursor', async () => {
    const s = await subscribe({ after: 'yesterday' });
    const result = await s.next();
    expect(result.errors?.[0]?.message).toMatch(/after is not a cursor/);
  });

  it('never delivers another tenant\'s changes', async () => {
    const other = await subscribe({}, 'otherEditor');
    await setNotes('mine');
    const { body } = await t.graphql(SET, { callId: CALL.otherTenant, customFields: [{ fieldId: FIELD.otherTenant, value: 'theirs' }] }, 'otherEditor');
    expect(body.data.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
    const event = (await other.next()).data.callChanges;
    expect(event).toMatchObject({ call: { id: CALL.otherTenant }, changes: [{ newValue: 'theirs' }] });
    expect(await other.quietFor(300)).toBe(true);
  });

  it('filters by call, by field, and by a call filter', async () => {
    const byCall = await subscribe({ callIds: [CALL.second] });
    const byField = await subscribe({ fields: [{ name: 'Payment status' }] });
    const outbound = await subscribe({ filter: { direction: 'OUTBOUND' } });

    await setNotes('first call');
    const { body } = await t.graphql(SET, {
      callId: CALL.second,
      customFields: [{ fieldId: FIELD.notes, value: 'second' }, { fieldId: FIELD.paymentStatus, value: 'Unpaid' }],
    });
    expect(body.data.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');

    expect((await byCall.next()).data.callChanges).toMatchObject({ call: { id: CALL.second } });
    expect((await byCall.quietFor(200))).toBe(true);
    expect((await byField.next()).data.callChanges.changes).toEqual([
      { field: { id: FIELD.paymentStatus, name: 'Payment status' }, oldValue: null, newValue: 'Unpaid' },
    ]);
    expect((await byField.quietFor(200))).toBe(true);
    expect((await outbound.next()).data.callChanges).toMatchObject({ call: { id: CALL.second } });
    expect((await outbound.quietFor(200))).toBe(true);
  });

  it('asks for credentials as queries do, and applies the abuse limits to subscription documents', async () => {
    const anonymous = await subscribeSse(t.url, { query: CALL_CHANGES }, {});
    open.push(anonymous);
    expect(anonymous.status).toBe(401);
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: cursor`).join(' ');
    const tooMany = await subscribeSse(t.url, { query: `subscription { callChanges { ${aliases} } }` }, { authorization: t.bearer('viewer') });
    open.push(tooMany);
    expect(tooMany.status).toBe(400);
  });

  it('answers 406 to a subscription asked for as one JSON result (the fast path hands it to yoga, which streams only)', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: t.bearer('viewer') },
      body: JSON.stringify({ query: CALL_CHANGES }),
    });
    expect(response.status).toBe(406);
  });

  it('ends open streams when the app closes its subscriptions', async () => {
    const s = await subscribe();
    await t.app.closeSubscriptions();
    await expect(Promise.race([s.completed, new Promise((r) => setTimeout(() => r('still open'), 2000))])).resolves.toBe('complete');
  });
});
