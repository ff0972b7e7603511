import { describe, expect, it } from 'vitest';
import { decideChangeSet, decideImportedValues } from '../../src/core/change-set.js';
import { decideCustomFieldDeletion, decideCustomFieldUpdate, decideNewCustomField } from '../../src/core/field-definition.js';
import type { CallStore } from '../../src/store/call-store.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

// A UUID, whole or as SQLite's statement log shortens a quoted one: its first 32 characters, then a comment "+4 bytes".
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{8})([0-9a-f]{4}|'\/\*\+4 bytes\*\/)/gi;
const NEW = {
  field: '00000000-0000-4000-8000-0000000000a1',
  callA: '44444444-4444-4444-8444-444444444444',
  callB: '55555555-5555-4555-8555-555555555555',
  callC: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  callD: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
  callE: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
  seedTenant: '66666666-6666-4666-8666-666666666666',
  seedUser: '77777777-7777-4777-8777-777777777777',
  seedToken: '88888888-8888-4888-8888-888888888888',
  seedField: '99999999-9999-4999-8999-999999999999',
  seedCall: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
};

/**
 * Every write workflow of the store, in each of its outcomes, with the SQL
 * statements it ran in order and what it returned, pinned per dialect: a
 * change to how a store writes (a statement more, fewer or reordered, another
 * outcome) shows up here as a diff.
 */
describe(`the ${STORE_UNDER_TEST} store's write workflows`, () => {
  it('run the same statements, in the same order, with the same outcomes', async () => {
    const world = await createWorld();
    const { store, tenantId } = world;
    const editorId = (await store.findUserByUsername('editor'))!.id;
    const adminId = (await store.findUserByUsername('admin'))!.id;
    const other = (await store.findTenantByName('other'))!;
    const [foreignToken] = await store.listApiTokens(other.id);
    const [, editorToken] = await store.listApiTokens(tenantId);

    // Ids read as names: the fixtures' by their keys, random ones (tokens) numbered in order of appearance.
    const labels = new Map<string, string>([
      ...Object.entries(FIELD).map(([k, id]) => [id, `field:${k}`] as const),
      ...Object.entries(CALL).map(([k, id]) => [id, `call:${k}`] as const),
      ...Object.entries(NEW).map(([k, id]) => [id, `new:${k}`] as const),
      [tenantId, 'tenant'],
      [other.id, 'otherTenant'],
      [editorId, 'editor'],
      [adminId, 'admin'],
    ]);
    const label = (id: string, whole = true) => {
      const key = id.toLowerCase();
      const known = [...labels].filter(([candidate]) => (whole ? candidate === key : candidate.startsWith(key)));
      // The fixtures' field ids differ only in their last four digits, which SQLite's log leaves out.
      if (known.length > 1) return `${key}…`;
      if (known.length === 1) return known[0]![1];
      const fresh = `id${labels.size}`;
      labels.set(key, fresh);
      return fresh;
    };
    const normalise = (text: string) =>
      text
        .replace(UUID, (_whole, head: string, tail: string) => (tail.length === 4 ? `<${label(head + tail)}>` : `<${label(head, false)}>'`))
        .replace(/\$scrypt\$[^'",]*/g, '<hash>');

    const log: string[] = [];
    const step = async (name: string, work: (s: CallStore) => Promise<unknown>) => {
      let outcome: unknown;
      const { statements } = await world.statements.during(async () => {
        try {
          outcome = await work(store);
        } catch (error) {
          outcome = { threw: (error as Error).name, message: (error as Error).message };
        }
      });
      log.push(`## ${name}`, ...statements.map((s) => `  ${s.replace(/\s+/g, ' ').trim()}`), `  => ${JSON.stringify(outcome ?? null)}`, '');
    };
    const set = (decide: Parameters<CallStore['setCallCustomFields']>[0]['decide'], extra: { callId?: string; expectedVersion?: number } = {}) =>
      step(`setCallCustomFields ${JSON.stringify(extra)}`, (s) => s.setCallCustomFields({ origin: TEST_ORIGIN, tenantId, callId: CALL.first, userId: editorId, now: NOW, decide, ...extra }));

    await set(() => ({ ok: true, changes: [] }), { callId: CALL.otherTenant });
    await set(() => ({ ok: true, changes: [] }), { expectedVersion: 5 });
    await set((fields) => decideChangeSet([{ fieldId: FIELD.amount, value: 'abc' }], fields));
    await set(() => ({ ok: true, changes: [] }));
    await set(
      (fields) =>
        decideChangeSet(
          [
            { fieldId: FIELD.amount, value: '12.5' },
            { fieldId: FIELD.notes, value: null },
            { fieldId: FIELD.paymentStatus, value: 'Paid' },
          ],
          fields,
        ),
      { expectedVersion: 1 },
    );

    const define = (input: Parameters<typeof decideNewCustomField>[0]) =>
      step(`defineCustomField ${input.name}`, (s) =>
        s.defineCustomField({ tenantId, now: NOW, decide: (fields) => decideNewCustomField(input, { tenantId, fieldId: NEW.field }, fields) }),
      );
    await define({ name: 'Channels', type: 'multiselect', options: ['Email', 'Phone'] });
    await define({ name: 'channels', type: 'text' });
    await define({ id: FIELD.otherTenant, name: 'Mine', type: 'text' });

    const update = (fieldId: string, patch: Parameters<typeof decideCustomFieldUpdate>[1], force = false) =>
      step(`updateCustomField ${fieldId} ${JSON.stringify(patch)} force=${force}`, (s) =>
        s.updateCustomField({ origin: TEST_ORIGIN, tenantId, fieldId, now: NOW, decide: (current, fields, values) => decideCustomFieldUpdate(current, patch, fields, values, force) }),
      );
    await update(FIELD.otherTenant, { name: 'Mine' });
    await update(FIELD.callType, { name: 'Call category' });
    await update(FIELD.callType, { name: 'Payment status' });
    await update(FIELD.callType, { maxLength: 3 });
    await update(FIELD.callType, { maxLength: 3 }, true);

    const remove = (fieldId: string, force: boolean) =>
      step(`deleteCustomField ${fieldId} force=${force}`, (s) =>
        s.deleteCustomField({ origin: TEST_ORIGIN, now: NOW, tenantId, fieldId, decide: (_field, count) => decideCustomFieldDeletion(count, force) }),
      );
    await remove(FIELD.otherTenant, true);
    await remove(FIELD.locked, false);
    await remove(FIELD.locked, true);
    await remove(NEW.field, false);

    const updateUser = (username: string, change: Parameters<CallStore['updateApiUser']>[0]['change'], ok: boolean) =>
      step(`updateApiUser ${username} ${JSON.stringify(change)} ok=${ok}`, (s) =>
        s.updateApiUser({ tenantId, username, change, decide: () => (ok ? { ok: true } : { ok: false, message: 'no' }) }),
      );
    await updateUser('otherEditor', { disabled: true }, true);
    await updateUser('editor', { disabled: true }, false);
    await updateUser('editor', { disabled: true, role: 'viewer', passwordHash: '$scrypt$new' }, true);
    await updateUser('editor', {}, true);

    await step('replacePasswordHash matching', (s) => s.replacePasswordHash({ userId: editorId, from: '$scrypt$new', to: '$scrypt$newer' }));
    await step('replacePasswordHash stale', (s) => s.replacePasswordHash({ userId: editorId, from: '$scrypt$new', to: '$scrypt$newest' }));

    const revoke = (tokenId: string, now = NOW) => step(`revokeApiToken ${tokenId}`, (s) => s.revokeApiToken({ tenantId, tokenId, now }));
    await revoke('not-a-uuid');
    await revoke(foreignToken!.id);
    await revoke(editorToken!.id);
    await revoke(editorToken!.id, '2027-01-01T00:00:00.000Z');

    const call = (callId: string) => ({ callId, setupTime: '2026-02-01T09:00:00.000Z', fromNumber: '+491', toNumber: '+492', direction: 'inbound' as const, duration: 7 });
    const importCalls = (name: string, calls: Parameters<CallStore['importCalls']>[0]['calls']) =>
      step(`importCalls ${name}`, (s) => s.importCalls({ origin: TEST_ORIGIN, tenantId, now: NOW, decide: decideImportedValues, calls }));
    await importCalls('two', [
      { call: call(NEW.callA), customFields: [{ fieldId: FIELD.amount, value: '3' }, { fieldId: FIELD.notes, value: 'n' }, { fieldId: FIELD.followUp, value: null }] },
      { call: call(NEW.callB), customFields: [] },
    ]);
    await importCalls('existing', [{ call: call(NEW.callC), customFields: [] }, { call: call(NEW.callA), customFields: [] }]);
    await importCalls('invalid', [{ call: call(NEW.callD), customFields: [{ fieldId: FIELD.amount, value: 'x' }] }]);
    await importCalls('twice', [
      { call: call(NEW.callE), customFields: [] },
      { call: call(NEW.callE), customFields: [] },
    ]);

    const seed = (name: string) =>
      step(`seed ${name}`, (s) =>
        s.seed({ origin: TEST_ORIGIN,
          now: NOW,
          tenant: { id: NEW.seedTenant, name: 'seeded', existing: false },
          users: [{ id: NEW.seedUser, username: 'seeder', passwordHash: '$scrypt$seed', role: 'admin' }],
          tokens: [{ id: NEW.seedToken, userId: NEW.seedUser, name: 'seed', tokenHash: 'seed-token-hash' }],
          fields: [{ fieldId: NEW.seedField, name: 'Seeded', description: null, type: 'text', options: null, maxLength: null, editable: true, enabled: true }],
          calls: [{ call: call(NEW.seedCall), customFields: [{ fieldId: NEW.seedField, value: 'seeded' }] }],
          decide: decideImportedValues,
        }),
      );
    await seed('new');
    await seed('again');

    await expect(normalise(log.join('\n'))).toMatchFileSnapshot(`__snapshots__/write-statements.${store.dialect}.txt`);
  });
});
