import { beforeEach, describe, expect, it } from 'vitest';
import { runBulkEdit } from '../../src/graphql/set-custom-fields-on-calls.js';
import { decideChangeSet } from '../../src/core/change-set.js';
import { onPostgres } from '../support/database.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const MUTATION = /* GraphQL */ `
  mutation Bulk($target: BulkEditTarget!, $customFields: [CustomFieldValueInput!]!, $dryRun: Boolean, $expectedCount: Int) {
    setCustomFieldsOnCalls(target: $target, customFields: $customFields, dryRun: $dryRun, expectedCount: $expectedCount) {
      __typename
      ... on SetCustomFieldsOnCallsSuccess { operationId dryRun matched changed unchanged preview { callId changed values { fieldId name before after } } }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
      ... on ConflictError { reason }
    }
  }`;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

async function bulk(variables: Record<string, unknown>, as: 'editor' | 'viewer' | 'otherEditor' = 'editor') {
  const { status, body } = await t.graphql<{ setCustomFieldsOnCalls: any }>(MUTATION, variables, as);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return body.data!.setCustomFieldsOnCalls;
}

const BOTH = { callIds: [CALL.first, CALL.second] };
const SET_TYPE = [{ name: 'Call type', value: 'Lost' }];

describe('setCustomFieldsOnCalls', () => {
  it('sets a value on the calls given by id, records each change with channel bulk and the operation id, and a re-run changes nothing', async () => {
    const result = await bulk({ target: BOTH, customFields: SET_TYPE });
    expect(result.__typename).toBe('SetCustomFieldsOnCallsSuccess');
    expect(result).toMatchObject({ dryRun: false, matched: 2, changed: 2, unchanged: 0, preview: [] });
    expect((await t.stored(CALL.first))!.values[FIELD.callType]).toBe('Lost');
    expect((await t.stored(CALL.second))!.values[FIELD.callType]).toBe('Lost');
    const records = await t.store.readChanges({ tenantId: t.tenantId, channels: ['bulk'], order: 'asc', limit: 100 });
    expect(records.map((r) => [r.callId, r.fieldId, r.newValue, r.requestId])).toEqual(
      expect.arrayContaining([
        [CALL.first, FIELD.callType, 'Lost', result.operationId],
        [CALL.second, FIELD.callType, 'Lost', result.operationId],
      ]),
    );
    expect(records).toHaveLength(2);

    const version = (await t.stored(CALL.first))!.version;
    const again = await bulk({ target: BOTH, customFields: SET_TYPE });
    expect(again).toMatchObject({ matched: 2, changed: 0, unchanged: 2 });
    expect((await t.stored(CALL.first))!.version).toBe(version);
    expect(await t.store.readChanges({ tenantId: t.tenantId, channels: ['bulk'], order: 'asc', limit: 100 })).toHaveLength(2);
  });

  it('writes each batch whole or not at all: a failure on a later call of a batch leaves the earlier ones untouched', async () => {
    // A trigger refuses any write of the Call type value of one call, failing the batch at that call.
    for (const failing of [CALL.second, CALL.first]) {
      await t.sql('drop trigger if exists refuse_value' + (onPostgres ? ' on call_custom_field_values' : ''));
      if (onPostgres) {
        await t.sql(`create or replace function refuse_value() returns trigger language plpgsql as $$
          begin if new.call_id = '${failing}' and new.field_id = '${FIELD.callType}' then raise exception 'refused by test'; end if; return new; end $$`);
        await t.sql('create trigger refuse_value before insert or update on call_custom_field_values for each row execute function refuse_value()');
      } else {
        for (const event of ['insert', 'update']) {
          await t.sql('drop trigger if exists refuse_value_' + event);
          await t.sql(`create trigger refuse_value_${event} before ${event} on call_custom_field_values
            when new.call_id = '${failing}' and new.field_id = '${FIELD.callType}' begin select raise(abort, 'refused by test'); end`);
        }
      }
      const before = [await t.stored(CALL.first), await t.stored(CALL.second)];
      const logged = (await t.store.readChanges({ tenantId: t.tenantId, order: 'asc', limit: 1000 })).length;
      const editor = (await t.store.findUserByUsername('editor'))!;
      await expect(
        t.store.applyBulkEditBatch({
          tenantId: t.tenantId,
          callIds: [CALL.first, CALL.second],
          userId: editor.id,
          now: new Date().toISOString(),
          origin: { actor: { userId: editor.id, username: 'editor', tokenId: null }, channel: 'bulk', requestId: 'op', clientAddress: null },
          dryRun: false,
          decide: (fields) => decideChangeSet([{ fieldId: FIELD.callType, value: `Lost ${failing.slice(0, 4)}` }], fields),
        }),
      ).rejects.toThrow();
      expect([await t.stored(CALL.first), await t.stored(CALL.second)]).toEqual(before);
      expect(await t.store.readChanges({ tenantId: t.tenantId, order: 'asc', limit: 1000 })).toHaveLength(logged);
    }
  });

  it('applies to the calls a filter matches', async () => {
    const result = await bulk({ target: { filter: { customFields: [{ name: 'Call type', equals: 'Support call' }] } }, customFields: [{ name: 'Notes', value: null }] });
    expect(result).toMatchObject({ matched: 1, changed: 1 });
    expect((await t.stored(CALL.first))!.values[FIELD.notes]).toBeUndefined();
  });

  it('dry run answers counts and values before and after, and writes nothing', async () => {
    const before = [await t.stored(CALL.first), await t.stored(CALL.second)];
    const result = await bulk({ target: BOTH, customFields: SET_TYPE, dryRun: true });
    expect(result).toMatchObject({ dryRun: true, matched: 2, changed: 2, unchanged: 0 });
    const first = result.preview.find((c: any) => c.callId === CALL.first);
    expect(first.values).toContainEqual({ fieldId: FIELD.callType, name: 'Call type', before: 'Support call', after: 'Lost' });
    expect([await t.stored(CALL.first), await t.stored(CALL.second)]).toEqual(before);
  });

  it('refuses with a conflict when expectedCount differs from the calls matched, writing nothing', async () => {
    const before = await t.stored(CALL.first);
    const result = await bulk({ target: BOTH, customFields: SET_TYPE, expectedCount: 3 });
    expect(result).toEqual({ __typename: 'ConflictError', reason: 'COUNT_MISMATCH', message: 'The edit matches 2 calls, not the expected 3; nothing was written' });
    expect(await t.stored(CALL.first))!.toEqual(before);
    expect((await bulk({ target: BOTH, customFields: SET_TYPE, expectedCount: 2 })).changed).toBe(2);
  });

  it("never touches another tenant's calls", async () => {
    const otherTenant = (await t.store.findTenantByName('other'))!.id;
    const other = await t.stored(CALL.otherTenant, otherTenant);
    expect(other!.values).toEqual({ [FIELD.otherTenant]: 'hidden' });
    const result = await bulk({ target: { callIds: [CALL.first, CALL.otherTenant] }, customFields: SET_TYPE });
    expect(result).toMatchObject({ matched: 1, changed: 1 });
    expect(await t.stored!(CALL.otherTenant, otherTenant)).toEqual(other);
    const byFilter = await bulk({ target: { filter: {} }, customFields: [{ name: 'Secret', value: 'x' }], dryRun: true }, 'otherEditor');
    expect(byFilter.matched).toBe(1);
    expect(byFilter.preview.map((c: any) => c.callId)).toEqual([CALL.otherTenant]);
  });

  it('is forbidden to a viewer', async () => {
    const before = await t.stored(CALL.first);
    const result = await bulk({ target: BOTH, customFields: SET_TYPE }, 'viewer');
    expect(result.__typename).toBe('ForbiddenError');
    expect(await t.stored(CALL.first))!.toEqual(before);
  });

  it('reports every invalid entry with the paths of setCallCustomFields and writes nothing', async () => {
    const before = await t.stored(CALL.first);
    const result = await bulk({ target: BOTH, customFields: [{ name: 'Nope', value: 'x' }, { fieldId: FIELD.amount, value: 'abc' }, ...SET_TYPE] });
    expect(result.__typename).toBe('InvalidRecordError');
    expect(result.details.map((d: any) => d.path)).toEqual(['customFields.0.name', 'customFields.1.value']);
    expect(await t.stored(CALL.first))!.toEqual(before);
  });

  it('refuses a filter value longer than the field takes, early', async () => {
    const result = await bulk({ target: { filter: { customFields: [{ name: 'Notes', equals: 'x'.repeat(11) }] } }, customFields: SET_TYPE });
    expect(result.details).toEqual([{ path: 'target.filter.customFields.0.equals', message: "equals is longer than the field's max length of 10 characters" }]);
  });

  it('refuses more calls than the limit with an error naming it, writing nothing', async () => {
    const before = await t.stored(CALL.first);
    const outcome = await runBulkEdit({
      store: t.store,
      tenantId: t.tenantId,
      userId: 'u',
      target: { filter: {} },
      entries: SET_TYPE,
      dryRun: false,
      expectedCount: null,
      limit: 1,
      origin: { actor: null, channel: 'bulk', requestId: null, clientAddress: null },
      now: new Date().toISOString(),
    });
    expect(outcome).toEqual({ kind: 'invalid', details: [{ path: 'target', message: expect.stringContaining('at most 1 calls can be edited in one request') }] });
    expect(await t.stored(CALL.first))!.toEqual(before);
  });

  it('answers the configured limit through GraphQL', async () => {
    t = await createTestApp({ bulkEditLimit: 1 });
    const before = (await t.stored(CALL.first))!;
    const result = await bulk({ target: BOTH, customFields: SET_TYPE });
    expect(result).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [{ path: 'target', message: 'The edit matches 2 calls; at most 1 calls can be edited in one request: narrow the filter or split the ids' }],
    });
    expect(await t.stored(CALL.first)).toEqual(before);
  });
});
