import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideChangeSet, decideImportedValues } from '../../src/core/change-set.js';
import { decideCustomFieldDeletion, decideCustomFieldUpdate, decideNewCustomField } from '../../src/core/field-definition.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { StoreUnavailableError } from '../../src/store/call-store.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

describe(`the CallStore adapter (${STORE_UNDER_TEST})`, () => {
  let world: World;
  let editorId: string;
  beforeEach(async () => {
    world = await createWorld();
    editorId = (await world.store.findUserByUsername('editor'))!.id;
  });

  const command = (decide: Parameters<World['store']['setCallCustomFields']>[0]['decide'], callId: string = CALL.first) => ({
    tenantId: world.tenantId,
    callId,
    userId: editorId,
    origin: TEST_ORIGIN,
    now: NOW,
    decide,
  });

  it('applies a change set and bumps the version by one', async () => {
    const outcome = await world.store.setCallCustomFields(
      command((fields) => decideChangeSet([{ fieldId: FIELD.amount, value: '12.5' }, { fieldId: FIELD.notes, value: null }], fields)),
    );
    expect(outcome.kind).toBe('updated');
    const call = await world.store.getCall(world.tenantId, CALL.first);
    expect(call?.call.version).toBe(2);
    expect(call?.customFields.map((v) => [v.name, v.value, v.updatedBy])).toEqual([
      ['Amount', '12.5', 'editor'],
      ['Call type', 'Support call', null],
      ['Locked', 'immutable', null],
    ]);
  });

  it('rolls back every change when one write fails inside the transaction', async () => {
    const before = await world.store.getCall(world.tenantId, CALL.first);
    // The last change names a field that does not exist: the foreign key fails after the clear and the first write.
    const failed = world.store.setCallCustomFields(
      command(() => ({
        ok: true,
        changes: [
          { fieldId: FIELD.notes, value: null },
          { fieldId: FIELD.amount, value: '1' },
          { fieldId: '99999999-9999-4999-8999-999999999999', value: 'x' },
        ],
      })),
    );
    await expect(failed).rejects.toThrow();
    await expect(failed).rejects.not.toBeInstanceOf(StoreUnavailableError);
    expect(await world.store.getCall(world.tenantId, CALL.first)).toEqual(before);
    expect(before?.customFields.map((v) => v.value)).toContain('keep me');
  });

  it('writes nothing when the decision rejects the request', async () => {
    const before = await world.store.getCall(world.tenantId, CALL.first);
    const outcome = await world.store.setCallCustomFields(command((fields) => decideChangeSet([{ name: 'Nope', value: 'x' }], fields)));
    expect(outcome).toEqual({ kind: 'invalid', problems: [{ index: 0, attribute: 'name', message: 'Unknown custom field' }] });
    expect(await world.store.getCall(world.tenantId, CALL.first)).toEqual(before);
  });

  it('does not find another tenant\'s call, and decides nothing for it', async () => {
    let decided = false;
    const outcome = await world.store.setCallCustomFields(command(() => ((decided = true), { ok: true, changes: [] }), CALL.otherTenant));
    expect(outcome).toEqual({ kind: 'not_found' });
    expect(decided).toBe(false);
    expect(await world.store.getCall(world.tenantId, CALL.otherTenant)).toBeNull();
  });

  it('lists a tenant\'s enabled fields by name, or all with includeDisabled', async () => {
    const names = (await world.store.listCustomFields(world.tenantId)).map((f) => f.name);
    expect(names).toEqual(['Amount', 'Call type', 'Follow-up date', 'Locked', 'Notes', 'Payment status']);
    const all = (await world.store.listCustomFields(world.tenantId, { includeDisabled: true })).map((f) => f.name);
    expect(all).toContain('Retired');
    expect(all).not.toContain('Secret');
  });
});

describe(`${STORE_UNDER_TEST} store: custom field definitions`, () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });
  const NEW_ID = '00000000-0000-4000-8000-0000000000aa';
  const rows = (sql: string, ...params: unknown[]) => world.sql(sql, ...params);

  it('defines a field after checking it against the tenant\'s fields inside the transaction', async () => {
    const outcome = await world.store.defineCustomField({
      tenantId: world.tenantId,
      now: NOW,
      decide: (fields) => decideNewCustomField({ name: 'Channels', type: 'multiselect', options: ['Email', 'Phone'] }, { tenantId: world.tenantId, fieldId: NEW_ID }, fields),
    });
    expect(outcome).toMatchObject({ kind: 'written', field: { fieldId: NEW_ID, name: 'Channels', type: 'multiselect', options: ['Email', 'Phone'], previousNames: [] } });
    expect(await world.store.getCustomField(world.tenantId, NEW_ID)).toEqual((outcome as { field: unknown }).field);
  });

  it('refuses an id that a field of another tenant has, as a duplicate, and writes nothing', async () => {
    const outcome = await world.store.defineCustomField({
      tenantId: world.tenantId,
      now: NOW,
      decide: (fields) => decideNewCustomField({ id: FIELD.otherTenant, name: 'Mine', type: 'text' }, { tenantId: world.tenantId, fieldId: NEW_ID }, fields),
    });
    expect(outcome).toEqual({ kind: 'refused', refusal: { kind: 'duplicate', message: 'A custom field with this id already exists' } });
    expect(await rows('select name from custom_fields where name = ?', 'Mine')).toEqual([]);
  });

  it('refuses to import a call whose id is a custom field\'s of the tenant, naming the call, and imports nothing', async () => {
    const call = (callId: string) => ({
      call: { callId, setupTime: '2026-02-01T09:00:00.000Z', fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: 1 },
      customFields: [],
    });
    const importing = world.store.importCalls({ origin: TEST_ORIGIN, tenantId: world.tenantId, now: NOW, decide: decideImportedValues, calls: [call(NEW_ID), call(FIELD.notes)] });
    await expect(importing).rejects.toMatchObject({ name: 'ImportError', line: 2, message: `call ${FIELD.notes}: id is already used by a custom field` });
    expect(await world.store.getCall(world.tenantId, NEW_ID)).toBeNull();
  });

  it('renames without touching a stored value, and remembers the old name', async () => {
    const before = await rows('select * from call_custom_field_values order by call_id, field_id');
    const asked: (string[] | null)[] = [];
    const outcome = await world.store.updateCustomField({ origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      fieldId: FIELD.callType,
      now: NOW,
      decide: (current, fields, values) => (asked.push(values), decideCustomFieldUpdate(current, { name: 'Call category' }, fields, values, false)),
    });
    expect(outcome).toMatchObject({ kind: 'written', field: { name: 'Call category', previousNames: ['Call type'] } });
    expect(asked).toEqual([null]);
    expect(await rows('select * from call_custom_field_values order by call_id, field_id')).toEqual(before);
    expect((await world.store.getCall(world.tenantId, CALL.first))!.customFields.find((v) => v.fieldId === FIELD.callType)).toMatchObject({
      name: 'Call category',
      value: 'Support call',
    });
  });

  it('reads the stored values of the field inside the transaction, and a refusal writes nothing', async () => {
    const asked: (string[] | null)[] = [];
    const outcome = await world.store.updateCustomField({ origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      fieldId: FIELD.notes,
      now: NOW,
      decide: (current, fields, values) => (asked.push(values), decideCustomFieldUpdate(current, { maxLength: 3 }, fields, values, false)),
    });
    expect(asked).toEqual([null, ['keep me']]);
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { kind: 'values_affected', affectedValues: 1 } });
    expect((await world.store.getCustomField(world.tenantId, FIELD.notes))!.maxLength).toBe(10);
  });

  it('does not find another tenant\'s field to update or delete', async () => {
    let decided = false;
    const update = await world.store.updateCustomField({ origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      fieldId: FIELD.otherTenant,
      now: NOW,
      decide: () => ((decided = true), { ok: false, refusal: { kind: 'invalid', problems: [] } }),
    });
    const deletion = await world.store.deleteCustomField({ origin: TEST_ORIGIN, now: NOW, tenantId: world.tenantId, fieldId: FIELD.otherTenant, decide: () => ((decided = true), { ok: true }) });
    expect([update, deletion, decided]).toEqual([{ kind: 'not_found' }, { kind: 'not_found' }, false]);
  });

  it('deletes a field with its values in one transaction and bumps the version of each call that lost a value', async () => {
    const outcome = await world.store.deleteCustomField({ origin: TEST_ORIGIN, now: NOW,
      tenantId: world.tenantId,
      fieldId: FIELD.notes,
      decide: (_field, count) => decideCustomFieldDeletion(count, true),
    });
    expect(outcome).toMatchObject({ kind: 'deleted', field: { fieldId: FIELD.notes }, deletedValues: 1 });
    expect(await rows('select * from call_custom_field_values where field_id = ?', FIELD.notes)).toEqual([]);
    expect(await world.store.getCustomField(world.tenantId, FIELD.notes)).toBeNull();
    expect((await world.store.getCall(world.tenantId, CALL.first))!.call.version).toBe(2);
    expect((await world.store.getCall(world.tenantId, CALL.second))!.call.version).toBe(1);
  });

  it('a refused deletion leaves the field, its values and every version as they were', async () => {
    const before = await rows('select * from call_custom_field_values order by call_id, field_id');
    const outcome = await world.store.deleteCustomField({ origin: TEST_ORIGIN, now: NOW, tenantId: world.tenantId, fieldId: FIELD.notes, decide: (_f, count) => decideCustomFieldDeletion(count, false) });
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { affectedValues: 1 } });
    expect(await rows('select * from call_custom_field_values order by call_id, field_id')).toEqual(before);
    expect((await world.store.getCall(world.tenantId, CALL.first))!.call.version).toBe(1);
  });
});

describe(`${STORE_UNDER_TEST} store: users and tokens`, () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });

  it('lists a tenant\'s users without password hashes', async () => {
    const users = await world.store.listApiUsers(world.tenantId);
    expect(users.map((u) => u.username)).toEqual(['admin', 'editor', 'viewer']);
    expect(Object.keys(users[0]!).sort()).toEqual(['createdAt', 'disabled', 'id', 'role', 'username']);
  });

  it('lists tokens without secrets or hashes, and revokes one of the tenant once', async () => {
    const tokens = await world.store.listApiTokens(world.tenantId);
    expect(tokens.map((t) => t.username)).toEqual(['admin', 'editor', 'viewer']);
    expect(Object.keys(tokens[0]!).sort()).toEqual(['createdAt', 'id', 'name', 'revokedAt', 'username']);
    const id = tokens[1]!.id;
    expect(await world.store.revokeApiToken({ tenantId: world.tenantId, tokenId: id, now: NOW })).toMatchObject({ id, revokedAt: NOW });
    const later = '2027-01-01T00:00:00.000Z';
    expect(await world.store.revokeApiToken({ tenantId: world.tenantId, tokenId: id, now: later })).toMatchObject({ id, revokedAt: NOW });
  });

  it('does not revoke another tenant\'s token', async () => {
    const other = (await world.store.findTenantByName('other'))!;
    const [foreign] = await world.store.listApiTokens(other.id);
    expect(await world.store.revokeApiToken({ tenantId: world.tenantId, tokenId: foreign!.id, now: NOW })).toBeNull();
    expect((await world.store.listApiTokens(other.id))[0]!.revokedAt).toBeNull();
  });

  it('updates a user only when the decision allows it', async () => {
    const refused = await world.store.updateApiUser({
      tenantId: world.tenantId,
      username: 'editor',
      change: { disabled: true },
      decide: () => ({ ok: false, message: 'no' }),
    });
    expect(refused).toEqual({ kind: 'refused', message: 'no' });
    expect((await world.store.findUserByUsername('editor'))!.disabled).toBe(false);
    const updated = await world.store.updateApiUser({ tenantId: world.tenantId, username: 'editor', change: { disabled: true, role: 'viewer' }, decide: () => ({ ok: true }) });
    expect(updated).toMatchObject({ kind: 'updated', user: { username: 'editor', disabled: true, role: 'viewer' } });
  });

  it('does not find another tenant\'s user', async () => {
    const outcome = await world.store.updateApiUser({ tenantId: world.tenantId, username: 'otherEditor', change: { disabled: true }, decide: () => ({ ok: true }) });
    expect(outcome).toEqual({ kind: 'not_found' });
  });
});

describe('SQLite settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens files in WAL mode with synchronous=FULL, a 5 s busy timeout and foreign keys on', async () => {
    const store = new SqliteCallStore({ path: join(dir, 'nested', 'db.sqlite') });
    await store.migrate();
    const pragma = (name: string) => store.sqlite.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(2);
    expect(pragma('busy_timeout')).toBe(5000);
    expect(pragma('foreign_keys')).toBe(1);
    await store.migrate();
    await store.close();
    await store.close();
  });

  it.each([
    ['the first migration', 1],
    ['the migrations before custom field administration (call list indexes)', 2],
  ])('upgrades a database made by %s: existing fields keep working and have no former names', async (_label, applied) => {
    const earlier = join(dir, `migrations-${applied}`);
    mkdirSync(join(earlier, 'meta'), { recursive: true });
    const source = new URL('../../drizzle/sqlite/', import.meta.url);
    const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', source), 'utf8'));
    const entries = journal.entries.slice(0, applied) as { tag: string }[];
    writeFileSync(join(earlier, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    for (const { tag } of entries) copyFileSync(new URL(`${tag}.sql`, source), join(earlier, `${tag}.sql`));

    const store = new SqliteCallStore({ path: join(dir, `old-${applied}.sqlite`) });
    migrate(drizzle(store.sqlite), { migrationsFolder: earlier });
    expect(await store.checkReady()).toMatchObject({ ready: false });
    store.sqlite.prepare("insert into tenants (id, name, created_at) values ('t', 'default', ?)").run(NOW);
    store.sqlite
      .prepare("insert into custom_fields (field_id, tenant_id, name, type, created_at) values (?, 't', 'Call type', 'text', ?)")
      .run(FIELD.callType, NOW);
    await store.migrate();
    expect(await store.checkReady()).toEqual({ ready: true });
    expect(await store.getCustomField('t', FIELD.callType)).toMatchObject({ name: 'Call type', type: 'text', previousNames: [] });
    await store.close();
  });
});
