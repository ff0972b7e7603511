import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideChangeSet } from '../../src/core/change-set.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { StoreUnavailableError } from '../../src/store/call-store.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';

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
});
