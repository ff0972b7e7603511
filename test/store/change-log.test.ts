import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangeOrigin, ChangeRecord } from '../../src/core/change-log.js';
import { decideChangeSet, decideImportedValues, type FieldEntry } from '../../src/core/change-set.js';
import { decideCustomFieldDeletion, decideCustomFieldUpdate } from '../../src/core/field-definition.js';
import type { ChangeQuery } from '../../src/store/call-store.js';
import { freshSchema, onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';

/**
 * The change log at the store (issue 18): which records each write path
 * appends, how they are numbered, what readChanges filters and what
 * retention deletes, on SQLite and on PostgreSQL.
 */

const DIALECTS = [
  { name: 'SQLite', skip: false, url: async () => ':memory:' },
  { name: `PostgreSQL ${POSTGRES_ONLY}`, skip: !onPostgres, url: async () => (await freshSchema()).url },
];

const at = (minute: number) => new Date(Date.parse(NOW) + minute * 60_000).toISOString();
const THIRD_CALL = '44444444-4444-4444-8444-444444444444';

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`the change log (${dialect.name})`, () => {
    let world: World;
    let otherTenantId: string;
    let editor: { userId: string; username: string; tokenId: string };
    let admin: { userId: string; username: string; tokenId: null };

    beforeEach(async () => {
      world = await createWorld({ url: await dialect.url() });
      otherTenantId = (await world.store.findTenantByName('other'))!.id;
      editor = { userId: (await world.store.findUserByUsername('editor'))!.id, username: 'editor', tokenId: randomUUID() };
      admin = { userId: (await world.store.findUserByUsername('admin'))!.id, username: 'admin', tokenId: null };
    });

    const viaGraphql = (): ChangeOrigin => ({ actor: editor, channel: 'graphql', requestId: 'req-graphql-1', clientAddress: '203.0.113.7' });
    const viaRest = (): ChangeOrigin => ({ actor: editor, channel: 'rest', requestId: 'req-rest-1', clientAddress: '198.51.100.2' });
    const viaAdmin = (): ChangeOrigin => ({ actor: admin, channel: 'admin', requestId: 'req-admin-1', clientAddress: '192.0.2.1' });

    const set = (entries: FieldEntry[], options: { callId?: string; now?: string; origin?: ChangeOrigin; expectedVersion?: number; tenantId?: string } = {}) =>
      world.store.setCallCustomFields({
        tenantId: options.tenantId ?? world.tenantId,
        callId: options.callId ?? CALL.first,
        userId: editor.userId,
        now: options.now ?? at(1),
        origin: options.origin ?? viaGraphql(),
        expectedVersion: options.expectedVersion,
        decide: (fields) => decideChangeSet(entries, fields),
      });

    const changes = (query: Partial<ChangeQuery> = {}) => world.store.readChanges({ tenantId: world.tenantId, order: 'asc', limit: 1000, ...query });
    /** The records appended after the world was seeded (its import wrote sequences 1-3). */
    const newChanges = (query: Partial<ChangeQuery> = {}) => changes({ afterSequence: 3, ...query });
    const version = async (callId: string = CALL.first) => (await world.store.getCall(world.tenantId, callId))!.call.version;
    const sequences = (records: ChangeRecord[]) => records.map((r) => r.sequence);

    describe('setCallCustomFields', () => {
      it('writes one record per changed field, sharing a change set, with old and new values, the version after and the origin', async () => {
        const outcome = await set([
          { fieldId: FIELD.amount, value: '12.5' },
          { fieldId: FIELD.callType, value: 'Sales call' },
          { name: 'Notes', value: null },
        ]);
        expect(outcome).toMatchObject({ kind: 'updated', call: { version: 2 } });
        const records = await newChanges();
        expect(sequences(records)).toEqual([4, 5, 6]);
        expect(new Set(records.map((r) => r.changeSetId)).size).toBe(1);
        const origin = { actor: editor, channel: 'graphql', requestId: 'req-graphql-1', clientAddress: '203.0.113.7' };
        const common = { callId: CALL.first, callVersion: 2, changeSetId: records[0]!.changeSetId, ...origin };
        expect(records.map(({ sequence, committedAt, ...rest }) => rest).sort((a, b) => a.fieldId.localeCompare(b.fieldId))).toEqual(
          [
            { ...common, fieldId: FIELD.amount, fieldName: 'Amount', kind: 'set', oldValue: null, newValue: '12.5' },
            { ...common, fieldId: FIELD.callType, fieldName: 'Call type', kind: 'set', oldValue: 'Support call', newValue: 'Sales call' },
            { ...common, fieldId: FIELD.notes, fieldName: 'Notes', kind: 'cleared', oldValue: 'keep me', newValue: null },
          ].sort((a, b) => a.fieldId.localeCompare(b.fieldId)),
        );
        expect(records.every((r) => Date.parse(r.committedAt) === Date.parse(at(1)))).toBe(true);
      });

      it('records the REST channel and a password login (no token) as given', async () => {
        await set([{ fieldId: FIELD.amount, value: '1' }], { origin: { ...viaRest(), actor: { ...editor, tokenId: null } } });
        expect(await newChanges()).toMatchObject([
          { channel: 'rest', requestId: 'req-rest-1', clientAddress: '198.51.100.2', actor: { userId: editor.userId, username: 'editor', tokenId: null } },
        ]);
      });

      it('records nothing for a value set to what it already is, but records the other fields of the request', async () => {
        const same = await set([{ fieldId: FIELD.callType, value: 'Support call' }]);
        expect(same).toMatchObject({ kind: 'updated', call: { version: 2 } });
        expect(await newChanges()).toEqual([]);
        await set([{ fieldId: FIELD.callType, value: 'Support call' }, { fieldId: FIELD.amount, value: '3' }]);
        expect(await newChanges()).toMatchObject([{ sequence: 4, fieldId: FIELD.amount, callVersion: 3 }]);
      });

      it('records nothing for a refused decision, a version conflict, an empty change list or another tenant\'s call', async () => {
        expect(await set([{ fieldId: FIELD.amount, value: 'not a number' }])).toMatchObject({ kind: 'invalid' });
        expect(await set([{ fieldId: FIELD.amount, value: '1' }, { name: 'Nope', value: 'x' }])).toMatchObject({ kind: 'invalid' });
        expect(await set([{ fieldId: FIELD.amount, value: '1' }], { expectedVersion: 7 })).toEqual({ kind: 'version_conflict', currentVersion: 1 });
        expect(await set([])).toMatchObject({ kind: 'updated', call: { version: 1 } });
        expect(await set([{ fieldId: FIELD.amount, value: '1' }], { callId: CALL.otherTenant })).toEqual({ kind: 'not_found' });
        expect(await newChanges()).toEqual([]);
        // the next change that goes through takes the next number: the refusals used none
        await set([{ fieldId: FIELD.amount, value: '1' }], { expectedVersion: 1 });
        expect(sequences(await newChanges())).toEqual([4]);
      });
    });

    describe('importCalls', () => {
      it('writes one change set per call: kind set, no old value, version 1, the CLI as actor, channel import', async () => {
        // the world's own import: the first call's three values (the second call has none, so no record)
        const seeded = await changes();
        expect(sequences(seeded)).toEqual([1, 2, 3]);
        expect(new Set(seeded.map((r) => r.changeSetId)).size).toBe(1);
        expect(seeded.map((r) => [r.fieldId, r.newValue]).sort()).toEqual(
          [[FIELD.callType, 'Support call'], [FIELD.locked, 'immutable'], [FIELD.notes, 'keep me']].sort(),
        );
        expect(seeded.every((r) => r.callId === CALL.first && r.kind === 'set' && r.oldValue === null && r.callVersion === 1)).toBe(true);
        expect(seeded.every((r) => r.actor === null && r.channel === 'import' && r.requestId === null && r.clientAddress === null)).toBe(true);

        await world.store.importCalls({
          tenantId: world.tenantId,
          now: at(2),
          origin: { actor: null, channel: 'import', requestId: null, clientAddress: null },
          decide: decideImportedValues,
          calls: [
            {
              call: { callId: THIRD_CALL, setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 },
              customFields: [{ fieldId: FIELD.amount, value: '9' }, { name: 'Call type', value: 'Imported' }],
            },
            {
              call: { callId: randomUUID(), setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 },
              customFields: [{ fieldId: FIELD.amount, value: '10' }],
            },
          ],
        });
        const imported = await newChanges();
        expect(sequences(imported)).toEqual([4, 5, 6]);
        expect(imported.filter((r) => r.callId === THIRD_CALL).map((r) => r.newValue).sort()).toEqual(['9', 'Imported']);
        const sets = new Map(imported.map((r) => [r.changeSetId, r.callId]));
        expect(new Set(sets.values()).size).toBe(2);
        expect(sets.size).toBe(2);
        expect(imported.every((r) => r.kind === 'set' && r.oldValue === null && r.callVersion === 1 && r.actor === null && r.channel === 'import')).toBe(true);
      });

      it('records nothing for an import that fails', async () => {
        const failed = world.store.importCalls({
          tenantId: world.tenantId,
          now: at(2),
          origin: { actor: null, channel: 'import', requestId: null, clientAddress: null },
          decide: decideImportedValues,
          calls: [
            { call: { callId: THIRD_CALL, setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 }, customFields: [{ fieldId: FIELD.amount, value: '9' }] },
            { call: { callId: CALL.first, setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 }, customFields: [] },
          ],
        });
        await expect(failed).rejects.toThrow('already exists');
        expect(await newChanges()).toEqual([]);
      });
    });

    describe('field administration', () => {
      it('a forced delete records each removed value at the bumped version, and the records outlive the field', async () => {
        await set([{ fieldId: FIELD.notes, value: 'second' }], { callId: CALL.second });
        const outcome = await world.store.deleteCustomField({
          tenantId: world.tenantId,
          fieldId: FIELD.notes,
          now: at(3),
          origin: viaAdmin(),
          decide: (_field, count) => decideCustomFieldDeletion(count, true),
        });
        expect(outcome).toMatchObject({ kind: 'deleted', deletedValues: 2 });
        const deleted = (await changes({ afterSequence: 4 })).sort((a, b) => a.callId.localeCompare(b.callId));
        expect(deleted.map(({ sequence, changeSetId, committedAt, ...rest }) => rest)).toEqual([
          { callId: CALL.first, fieldId: FIELD.notes, fieldName: 'Notes', kind: 'field_deleted', oldValue: 'keep me', newValue: null, callVersion: 2, ...viaAdmin() },
          { callId: CALL.second, fieldId: FIELD.notes, fieldName: 'Notes', kind: 'field_deleted', oldValue: 'second', newValue: null, callVersion: 3, ...viaAdmin() },
        ]);
        expect([await version(CALL.first), await version(CALL.second)]).toEqual([2, 3]);
        expect(await world.store.getCustomField(world.tenantId, FIELD.notes)).toBeNull();
        const history = await changes({ fields: { ids: [FIELD.notes], names: [] } });
        expect(history.map((r) => [r.kind, r.oldValue, r.newValue])).toEqual([
          ['set', null, 'keep me'],
          ['set', null, 'second'],
          ['field_deleted', 'keep me', null],
          ['field_deleted', 'second', null],
        ]);
      });

      it('a refused delete records nothing', async () => {
        const outcome = await world.store.deleteCustomField({
          tenantId: world.tenantId,
          fieldId: FIELD.notes,
          now: at(3),
          origin: viaAdmin(),
          decide: (_field, count) => decideCustomFieldDeletion(count, false),
        });
        expect(outcome).toMatchObject({ kind: 'refused' });
        expect(await newChanges()).toEqual([]);
      });

      it('a forced tightening records each value it invalidates, old = new, at the call\'s version, and none it leaves valid', async () => {
        await set([{ fieldId: FIELD.notes, value: 'ok' }], { callId: CALL.second }); // short enough to stay valid
        const outcome = await world.store.updateCustomField({
          tenantId: world.tenantId,
          fieldId: FIELD.notes,
          now: at(3),
          origin: viaAdmin(),
          decide: (current, fields, stored) => decideCustomFieldUpdate(current, { maxLength: 3 }, fields, stored, true),
        });
        expect(outcome).toMatchObject({ kind: 'written', invalidatedValues: 1 });
        const records = await changes({ afterSequence: 4 });
        expect(records.map(({ sequence, changeSetId, committedAt, ...rest }) => rest)).toEqual([
          { callId: CALL.first, fieldId: FIELD.notes, fieldName: 'Notes', kind: 'invalidated', oldValue: 'keep me', newValue: 'keep me', callVersion: 1, ...viaAdmin() },
        ]);
        expect(await version()).toBe(1);
      });

      it('a rename: earlier records keep the name they had, later ones carry the new name; both are found by either', async () => {
        await set([{ fieldId: FIELD.callType, value: 'Before' }], { now: at(1) });
        const renamed = await world.store.updateCustomField({
          tenantId: world.tenantId,
          fieldId: FIELD.callType,
          now: at(2),
          origin: viaAdmin(),
          decide: (current, fields, stored) => decideCustomFieldUpdate(current, { name: 'Call category' }, fields, stored, false),
        });
        expect(renamed).toMatchObject({ kind: 'written', field: { name: 'Call category' } });
        await set([{ name: 'Call category', value: 'After' }], { now: at(3) });
        expect((await changes({ fields: { ids: [FIELD.callType], names: [] } })).map((r) => [r.fieldName, r.newValue])).toEqual([
          ['Call type', 'Support call'],
          ['Call type', 'Before'],
          ['Call category', 'After'],
        ]);
        expect((await changes({ fields: { ids: [], names: ['Call type'] } })).map((r) => r.newValue)).toEqual(['Support call', 'Before']);
        expect((await changes({ fields: { ids: [], names: ['Call category'] } })).map((r) => r.newValue)).toEqual(['After']);
      });
    });

    describe('numbering and tenants', () => {
      it('numbers each tenant\'s records from 1, strictly increasing, without gaps, whatever the write path', async () => {
        await set([{ fieldId: FIELD.amount, value: '1' }, { fieldId: FIELD.followUp, value: '2026-02-03' }], { now: at(1) });
        await set([{ fieldId: FIELD.amount, value: '2' }], { callId: CALL.second, now: at(2), origin: viaRest() });
        await set([{ fieldId: FIELD.otherTenant, value: 'moved' }], { tenantId: otherTenantId, callId: CALL.otherTenant, now: at(2) });
        await world.store.deleteCustomField({ tenantId: world.tenantId, fieldId: FIELD.amount, now: at(3), origin: viaAdmin(), decide: (_f, n) => decideCustomFieldDeletion(n, true) });
        await set([{ fieldId: FIELD.callType, value: 'x' }], { now: at(4) });
        const mine = await changes();
        expect(sequences(mine)).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
        expect(mine.length).toBe(3 + 2 + 1 + 2 + 1);
        const theirs = await world.store.readChanges({ tenantId: otherTenantId, order: 'asc', limit: 100 });
        expect(theirs.map((r) => [r.sequence, r.callId, r.oldValue, r.newValue])).toEqual([
          [1, CALL.otherTenant, null, 'hidden'],
          [2, CALL.otherTenant, 'hidden', 'moved'],
        ]);
        expect(mine.some((r) => r.callId === CALL.otherTenant)).toBe(false);
      });

      it('concurrent writes (one group commit on SQLite, a pool on PostgreSQL) number their records consecutively, each change set together, and a failing write takes no number', async () => {
        const writes = Array.from({ length: 30 }, (_, i) =>
          set(i % 3 === 0 ? [{ fieldId: FIELD.amount, value: String(i) }, { fieldId: FIELD.callType, value: `t${i}` }] : [{ fieldId: FIELD.amount, value: String(i) }], {
            callId: i % 2 ? CALL.first : CALL.second,
          }),
        );
        const refused = set([{ fieldId: FIELD.amount, value: 'x' }]);
        // Its failure is taken at once (a handler from the start): it may come before the other writes finish.
        const broken = world.store
          .setCallCustomFields({
            tenantId: world.tenantId, callId: CALL.first, userId: editor.userId, now: at(1), origin: viaGraphql(),
            decide: () => ({ ok: true, changes: [{ fieldId: FIELD.amount, value: '7' }, { fieldId: randomUUID(), value: 'no such field' }] }),
          })
          .then(() => null, (error: unknown) => error);
        const outcomes = await Promise.all(writes);
        expect(await broken).toBeInstanceOf(Error);
        expect(await refused).toMatchObject({ kind: 'invalid' });
        expect(outcomes.every((o) => o.kind === 'updated')).toBe(true);

        const records = await newChanges();
        expect(sequences(records)).toEqual(Array.from({ length: 30 + 10 }, (_, i) => i + 4));
        for (const id of new Set(records.map((r) => r.changeSetId))) {
          const own = sequences(records.filter((r) => r.changeSetId === id));
          expect(own, `change set ${id}`).toEqual(Array.from({ length: own.length }, (_, i) => own[0]! + i));
        }
        // per call, versions rise with the sequence: the log's order is the order the writes took the call
        for (const callId of [CALL.first, CALL.second]) {
          const versions = [...new Set(records.filter((r) => r.callId === callId).map((r) => r.callVersion))];
          expect(versions).toEqual(Array.from({ length: 15 }, (_, i) => i + 2));
          expect(await version(callId)).toBe(16);
        }
      });

      it('never answers another tenant\'s records, even when the filters name its calls, fields and users', async () => {
        await set([{ fieldId: FIELD.otherTenant, value: 'moved' }], { tenantId: otherTenantId, callId: CALL.otherTenant, origin: { ...viaRest(), actor: { userId: randomUUID(), username: 'otherEditor', tokenId: null } } });
        expect(await changes({ callIds: [CALL.otherTenant] })).toEqual([]);
        expect(await changes({ fields: { ids: [FIELD.otherTenant], names: ['Secret'] } })).toEqual([]);
        expect(await changes({ actors: ['otherEditor'] })).toEqual([]);
        expect(await changes({ order: 'desc', limit: 1 })).toMatchObject([{ sequence: 3, callId: CALL.first }]);
        expect(await world.store.readChanges({ tenantId: otherTenantId, callIds: [CALL.first], order: 'asc', limit: 100 })).toEqual([]);
        expect(await world.store.readChanges({ tenantId: otherTenantId, fields: { ids: [FIELD.notes], names: ['Notes'] }, order: 'asc', limit: 100 })).toEqual([]);
        expect(await world.store.readChanges({ tenantId: randomUUID(), order: 'asc', limit: 100 })).toEqual([]);
      });
    });

    describe('readChanges filters', () => {
      /** Sequences 4-9 after the world's 1-3: two change sets by the editor over GraphQL and REST, one by the admin. */
      beforeEach(async () => {
        await set([{ fieldId: FIELD.amount, value: '1' }, { fieldId: FIELD.callType, value: 'a' }], { now: at(10) }); // 4, 5
        await set([{ fieldId: FIELD.amount, value: '2' }], { callId: CALL.second, now: at(20), origin: viaRest() }); // 6
        await set([{ fieldId: FIELD.followUp, value: '2026-05-06' }], { callId: CALL.second, now: at(30), origin: { ...viaRest(), actor: admin } }); // 7
        await set([{ fieldId: FIELD.amount, value: '3' }, { fieldId: FIELD.notes, value: null }], { now: at(40) }); // 8, 9
      });
      const seqs = async (query: Partial<ChangeQuery>) => sequences(await changes(query));

      it('the live feed\'s tail read (after a sequence, nothing else) answers exactly the general read\'s records', async () => {
        const tail = await changes({ afterSequence: 3, limit: 4 });
        expect(sequences(tail)).toEqual([4, 5, 6, 7]);
        // a condition that holds for every record takes the general path
        expect(tail).toEqual(await changes({ afterSequence: 3, limit: 4, committedBefore: '2999-01-01T00:00:00.000Z' }));
        expect(tail[2]).toMatchObject({ callId: CALL.second, channel: 'rest', committedAt: at(20) });
      });

      it('by call', async () => {
        expect(await seqs({ callIds: [CALL.second] })).toEqual([6, 7]);
        expect(await seqs({ callIds: [CALL.first, CALL.second] })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await seqs({ callIds: [] })).toEqual([]);
        expect(await seqs({ callIds: ['not-a-uuid'] })).toEqual([]);
      });

      it('by field id or name (either matches)', async () => {
        expect(await seqs({ fields: { ids: [FIELD.amount], names: [] } })).toEqual([4, 6, 8]);
        expect(await seqs({ fields: { ids: [], names: ['Notes'] } })).toEqual(sequences(await changes({ fields: { ids: [FIELD.notes], names: [] } })));
        expect((await seqs({ fields: { ids: [FIELD.amount], names: ['Follow-up date'] } }))).toEqual([4, 6, 7, 8]);
        expect(await seqs({ fields: { ids: [], names: [] } })).toEqual([]);
      });

      it('by actor, with cli for the CLI', async () => {
        expect(await seqs({ actors: ['admin'] })).toEqual([7]);
        expect(await seqs({ actors: ['cli'] })).toEqual([1, 2, 3]);
        expect(await seqs({ actors: ['cli', 'admin'] })).toEqual([1, 2, 3, 7]);
        expect(await seqs({ actors: ['nobody'] })).toEqual([]);
        expect(await seqs({ actors: [] })).toEqual([]);
      });

      it('by channel', async () => {
        expect(await seqs({ channels: ['rest'] })).toEqual([6, 7]);
        expect(await seqs({ channels: ['graphql', 'import'] })).toEqual([1, 2, 3, 4, 5, 8, 9]);
        expect(await seqs({ channels: ['admin'] })).toEqual([]);
        expect(await seqs({ channels: [] })).toEqual([]);
      });

      it('by commit time: from inclusive, before exclusive', async () => {
        expect(await seqs({ committedFrom: at(20) })).toEqual([6, 7, 8, 9]);
        expect(await seqs({ committedBefore: at(20) })).toEqual([1, 2, 3, 4, 5]);
        expect(await seqs({ committedFrom: at(20), committedBefore: at(40) })).toEqual([6, 7]);
        expect(await seqs({ committedFrom: at(41) })).toEqual([]);
      });

      it('by sequence, both bounds exclusive; order and limit', async () => {
        expect(await seqs({ afterSequence: 5 })).toEqual([6, 7, 8, 9]);
        expect(await seqs({ beforeSequence: 5 })).toEqual([1, 2, 3, 4]);
        expect(await seqs({ afterSequence: 3, beforeSequence: 7 })).toEqual([4, 5, 6]);
        expect(await seqs({ afterSequence: 9 })).toEqual([]);
        expect(await seqs({ order: 'desc' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
        expect(await seqs({ order: 'desc', limit: 3 })).toEqual([9, 8, 7]);
        expect(await seqs({ order: 'asc', limit: 2, afterSequence: 6 })).toEqual([7, 8]);
        expect(await seqs({ order: 'desc', limit: 2, beforeSequence: 8, callIds: [CALL.first] })).toEqual([5, 4]);
      });

      it('every filter given must match', async () => {
        expect(await seqs({ callIds: [CALL.first], fields: { ids: [FIELD.amount], names: [] }, actors: ['editor'], channels: ['graphql'], committedFrom: at(20) })).toEqual([8]);
        expect(await seqs({ callIds: [CALL.second], channels: ['graphql'] })).toEqual([]);
      });
    });

    describe('deleteChangesBefore (retention)', () => {
      beforeEach(async () => {
        // the world's import at NOW (1-3 here, 1 in the other tenant), then one record a minute
        for (let minute = 1; minute <= 4; minute++) await set([{ fieldId: FIELD.amount, value: String(minute) }], { now: at(minute) }); // 4-7
        await set([{ fieldId: FIELD.otherTenant, value: 'moved' }], { tenantId: otherTenantId, callId: CALL.otherTenant, now: at(1) }); // other: 2
      });
      const others = async () => sequences(await world.store.readChanges({ tenantId: otherTenantId, order: 'asc', limit: 100 }));

      it('deletes only records committed before the instant, of every tenant, and the rest keep their numbers', async () => {
        expect(await world.store.deleteChangesBefore(at(2), 100)).toBe(4 + 2);
        expect(sequences(await changes())).toEqual([5, 6, 7]);
        expect(await others()).toEqual([]);
        expect((await changes()).map((r) => r.newValue)).toEqual(['2', '3', '4']);
        expect(await world.store.deleteChangesBefore(at(2), 100)).toBe(0);
      });

      it('deletes at most `batch` records per tenant per call, oldest first', async () => {
        expect(await world.store.deleteChangesBefore(at(10), 2)).toBe(2 + 2);
        expect(sequences(await changes())).toEqual([3, 4, 5, 6, 7]);
        expect(await others()).toEqual([]);
        expect(await world.store.deleteChangesBefore(at(10), 2)).toBe(2);
        expect(sequences(await changes())).toEqual([5, 6, 7]);
      });

      // A feed reader's cursor would skip records numbered again from 1: both stores keep a head row per tenant.
      it('numbers the next record after the last one ever written, even when retention deleted every record', async () => {
        expect(await world.store.deleteChangesBefore(at(10), 100)).toBe(7 + 2);
        expect(await changes()).toEqual([]);
        await set([{ fieldId: FIELD.amount, value: '99' }], { now: at(11) });
        expect(sequences(await changes())).toEqual([8]);
      });

      it('does not change the stored values or versions', async () => {
        const before = await world.store.getCall(world.tenantId, CALL.first);
        await world.store.deleteChangesBefore(at(10), 100);
        expect(await world.store.getCall(world.tenantId, CALL.first)).toEqual(before);
      });
    });
  });
}
