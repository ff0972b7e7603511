import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideChangeSet } from '../../src/core/change-set.js';
import type { SetCallCustomFieldsCommand } from '../../src/store/call-store.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { CALL, FIELD, NOW, seedWorld } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

describe('group commit (SQLite)', () => {
  let dir: string;
  let store: SqliteCallStore;
  let tenantId: string;
  let observer: Database.Database;
  let editorId: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-group-'));
    const path = join(dir, 'db.sqlite');
    store = new SqliteCallStore({ path });
    await store.migrate();
    ({ tenantId } = await seedWorld(store));
    observer = new Database(path, { readonly: true });
    editorId = store.sqlite.prepare("select id from api_users where username = 'editor'").pluck().get() as string;
  });
  afterEach(async () => {
    observer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (callId: string, decide: SetCallCustomFieldsCommand['decide']) =>
    store.setCallCustomFields({ origin: TEST_ORIGIN, tenantId, callId, userId: editorId, now: NOW, decide });
  const set = (callId: string, fieldId: string, value: string | null) =>
    write(callId, (fields) => decideChangeSet([{ fieldId, value }], fields));
  /** What another connection sees: only committed data. */
  const committed = (callId: string, fieldId: string) =>
    observer.prepare('select value from call_custom_field_values where call_id = ? and field_id = ?').pluck().get(callId, fieldId);

  it('commits concurrent writes in one transaction', async () => {
    const before = store.groupCommit!.commits;
    const outcomes = await Promise.all([
      set(CALL.first, FIELD.amount, '1'),
      set(CALL.second, FIELD.amount, '2'),
      set(CALL.first, FIELD.notes, 'three'),
      set(CALL.second, FIELD.followUp, '2026-04-01'),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['updated', 'updated', 'updated', 'updated']);
    expect(store.groupCommit!.commits - before).toBe(1);
    expect((await store.getCall(tenantId, CALL.first))!.call.version).toBe(3);
  });

  it('isolates a failing write: it rolls back alone and the others in its group commit', async () => {
    const before = await store.getCall(tenantId, CALL.second);
    const results = await Promise.allSettled([
      set(CALL.first, FIELD.amount, '10'),
      // Fails inside the transaction, after writing its first change: a foreign key violation.
      write(CALL.second, () => ({
        ok: true,
        changes: [
          { fieldId: FIELD.amount, value: '99' },
          { fieldId: '99999999-9999-4999-8999-999999999999', value: 'x' },
        ],
      })),
      set(CALL.first, FIELD.notes, 'kept'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed(CALL.first, FIELD.amount)).toBe('10');
    expect(committed(CALL.first, FIELD.notes)).toBe('kept');
    expect(await store.getCall(tenantId, CALL.second)).toEqual(before);
  });

  it('settles no write before its transaction has committed', async () => {
    const seen: (string | undefined)[] = [];
    const writes = ['a', 'b', 'c'].map((value, i) =>
      set(CALL.first, [FIELD.callType, FIELD.notes, FIELD.amount][i]!, i === 2 ? '3' : value).then(() => {
        seen.push(committed(CALL.first, FIELD.callType) as string | undefined);
      }),
    );
    // Nothing is visible to another connection until the group has committed.
    expect(committed(CALL.first, FIELD.callType)).toBe('Support call');
    await Promise.all(writes);
    expect(seen).toEqual(['a', 'a', 'a']);
  });

  it('acknowledges no write of a group whose COMMIT fails', async () => {
    // Deferred foreign keys are checked at COMMIT: a bad write makes the whole COMMIT fail.
    // (Any statement run in autocommit mode before the group would switch the pragma off again.)
    store.sqlite.pragma('defer_foreign_keys = ON');
    const results = await Promise.allSettled([
      set(CALL.first, FIELD.amount, '5'),
      write(CALL.second, () => ({ ok: true, changes: [{ fieldId: '99999999-9999-4999-8999-999999999999', value: 'x' }] })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(committed(CALL.first, FIELD.amount)).toBeUndefined();
    expect(store.sqlite.inTransaction).toBe(false);
    expect((await set(CALL.first, FIELD.amount, '6')).kind).toBe('updated');
    expect(committed(CALL.first, FIELD.amount)).toBe('6');
  });

  it('can be turned off: each write then commits on its own', async () => {
    const plain = new SqliteCallStore({ path: join(dir, 'plain.sqlite'), groupCommit: false });
    await plain.migrate();
    const world = await seedWorld(plain);
    expect(plain.groupCommit).toBeNull();
    const editor = plain.sqlite.prepare("select id from api_users where username = 'editor'").pluck().get() as string;
    await Promise.all(
      [FIELD.amount, FIELD.notes].map((fieldId) =>
        plain.setCallCustomFields({ origin: TEST_ORIGIN, tenantId: world.tenantId, callId: CALL.first, userId: editor, now: NOW, decide: (f) => decideChangeSet([{ fieldId, value: '7' }], f) }),
      ),
    );
    expect((await plain.getCall(world.tenantId, CALL.first))!.call.version).toBe(3);
    await plain.close();
  });
});
