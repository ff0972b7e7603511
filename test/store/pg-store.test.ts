import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideChangeSet, decideImportedValues } from '../../src/core/change-set.js';
import { StoreUnavailableError, type CallStore, type SetCallCustomFieldsCommand } from '../../src/store/call-store.js';
import { openStore } from '../../src/store/open-store.js';
import { PgCallStore } from '../../src/store/pg/pg-store.js';
import { adminClient, freshSchema, onCleanup, onPostgres, openTestStore, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { closedPort, silentPort } from '../support/tcp-proxy.js';
import { TEST_ORIGIN } from '../support/origin.js';


/** A second store (its own pool, as another callgate instance would have) on the world's database. */
async function secondInstance(world: World, options: Parameters<typeof openTestStore>[0] = {}): Promise<CallStore> {
  const schema = ((world.store as unknown as { schema: string }).schema);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.searchParams.set('schema', schema);
  return openTestStore({ url: url.toString(), ...options });
}

const setting = (world: World, store: CallStore, userId: string, entries: Parameters<typeof decideChangeSet>[0], callId: string = CALL.first): Promise<Awaited<ReturnType<CallStore['setCallCustomFields']>>> =>
  store.setCallCustomFields({ origin: TEST_ORIGIN, tenantId: world.tenantId, callId, userId, now: NOW, decide: (fields) => decideChangeSet(entries, fields) } satisfies SetCallCustomFieldsCommand);

const values = async (world: World, callId: string = CALL.first) => {
  const found = (await world.store.getCall(world.tenantId, callId))!;
  return { version: found.call.version, values: Object.fromEntries(found.customFields.map((v) => [v.fieldId, v.value])) };
};

describe.skipIf(!onPostgres)(`PgCallStore under concurrency ${POSTGRES_ONLY}`, () => {
  it('two instances updating different fields of one call at once: every update persists, version +1 each', async () => {
    const world = await createWorld();
    const other = await secondInstance(world);
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    const rounds = 40;
    const outcomes = await Promise.all(
      Array.from({ length: rounds }, (_, i) => [
        setting(world, world.store, editor, [{ fieldId: FIELD.amount, value: String(i) }]),
        setting(world, other, editor, [{ fieldId: FIELD.callType, value: `type ${i}` }]),
      ]).flat(),
    );
    expect(outcomes.every((o) => o.kind === 'updated')).toBe(true);
    const versions = outcomes.map((o) => (o.kind === 'updated' ? o.call.version : 0)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 2 * rounds }, (_, i) => i + 2));
    const final = await values(world);
    expect(final.version).toBe(1 + 2 * rounds);
    // The update that got the highest version of each field wrote the value that stays.
    const lastOf = (fieldId: string) =>
      outcomes
        .filter((o, i) => o.kind === 'updated' && (i % 2 === 0 ? FIELD.amount : FIELD.callType) === fieldId)
        .reduce((a, b) => (a.kind === 'updated' && b.kind === 'updated' && a.call.version > b.call.version ? a : b));
    for (const fieldId of [FIELD.amount, FIELD.callType]) {
      const last = lastOf(fieldId);
      expect(last.kind === 'updated' && last.customFields.find((v) => v.fieldId === fieldId)?.value).toBe(final.values[fieldId]);
    }
    expect(final.values[FIELD.notes]).toBe('keep me');
  });

  it('locks the call row before reading field definitions: a definition changed while it waits is the one it decides on', async () => {
    const world = await createWorld();
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    const admin = await adminClient();
    onCleanup(() => admin.end());
    await admin.query(`set search_path = ${(world.store as unknown as { schema: string }).schema}`);
    await admin.query('begin');
    await admin.query('select 1 from calls where call_id = $1 for update', [CALL.first]);
    const pending = setting(world, world.store, editor, [{ fieldId: FIELD.amount, value: '5' }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.query('update custom_fields set enabled = false where field_id = $1', [FIELD.amount]);
    await admin.query('commit');
    expect(await pending).toEqual({ kind: 'invalid', problems: [{ index: 0, attribute: 'fieldId', message: 'Custom field is disabled' }] });
    expect((await values(world)).version).toBe(1);
  });

  it('retries a serialization failure or deadlock and applies the update exactly once', async () => {
    const world = await createWorld();
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    // The first two attempts fail inside the transaction, after the value was written; the third goes through.
    await world.sql('create sequence attempts');
    await world.sql(`create function flaky() returns trigger language plpgsql as $$
      begin
        if nextval('attempts') = 1 then raise exception 'simulated' using errcode = '40001'; end if;
        if currval('attempts') = 2 then raise exception 'simulated' using errcode = '40P01'; end if;
        return new;
      end $$`);
    await world.sql('create trigger flaky before update on calls for each row execute function flaky()');
    const outcome = await setting(world, world.store, editor, [{ fieldId: FIELD.amount, value: '42' }, { fieldId: FIELD.notes, value: null }]);
    expect(outcome).toMatchObject({ kind: 'updated', call: { version: 2 } });
    expect(await values(world)).toEqual({ version: 2, values: { [FIELD.amount]: '42', [FIELD.callType]: 'Support call', [FIELD.locked]: 'immutable' } });
    expect(await world.sql('select last_value from attempts')).toEqual([{ last_value: '3' }]);
  });

  it('gives up after a bounded number of attempts with a clean error and changes nothing', async () => {
    const world = await createWorld();
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    await world.sql('create sequence attempts');
    await world.sql(`create function always_conflicts() returns trigger language plpgsql as $$
      begin perform nextval('attempts'); raise exception 'simulated' using errcode = '40001'; end $$`);
    await world.sql('create trigger always_conflicts before update on calls for each row execute function always_conflicts()');
    const before = await values(world);
    const failed = setting(world, world.store, editor, [{ fieldId: FIELD.amount, value: '42' }]);
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow('The database kept reporting conflicting concurrent updates (5 attempts); try again');
    expect(await world.sql('select last_value from attempts')).toEqual([{ last_value: '5' }]);
    expect(await values(world)).toEqual(before);
  });

  it('an import takes the tenant\'s change-log numbers only at its end: a write made meanwhile commits at once, and the import\'s records follow it', async () => {
    const world = await createWorld();
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    const [before] = await world.sql('select last_sequence from change_log_heads');
    // The import waits, inside its open transaction, at its 2,500th call until the write has finished, so "meanwhile"
    // holds however busy the machine: a session of the test holds advisory lock 4242 and lets go when the write is
    // done, or after 10 s, so that a write held up by the import fails the test instead of hanging it.
    const gate = await adminClient();
    onCleanup(() => gate.end());
    await gate.query('select pg_advisory_lock(4242)');
    const gatedCall = 'c1000000-0000-4000-8000-000000002500';
    await world.sql(`create function wait_for_gate() returns trigger language plpgsql as $$
      begin if new.call_id = '${gatedCall}' then perform pg_advisory_lock(4242); perform pg_advisory_unlock(4242); end if; return new; end $$`);
    await world.sql('create trigger wait_for_gate before insert on calls for each row execute function wait_for_gate()');
    let opened = false;
    const openGate = async () => {
      if (opened) return;
      opened = true;
      await gate.query('select pg_advisory_unlock(4242)');
    };
    const timeout = setTimeout(() => void openGate(), 10_000);
    onCleanup(() => clearTimeout(timeout));
    const done: string[] = [];
    let write: Promise<unknown> | undefined;
    function* calls() {
      for (let n = 1; n <= 3000; n++) {
        // In the second chunk: the first chunk's rows and records are written, the transaction open.
        if (n === 1001) {
          write = setting(world, world.store, editor, [{ fieldId: FIELD.amount, value: '42' }]).finally(() => {
            done.push('write');
            return openGate();
          });
        }
        const call = { callId: `c1000000-0000-4000-8000-${String(n).padStart(12, '0')}`, setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: 1 };
        yield { call, customFields: [{ fieldId: FIELD.notes, value: `note ${n}` }] };
      }
    }
    const importing = world.store.importCalls({ origin: TEST_ORIGIN, tenantId: world.tenantId, now: NOW, decide: decideImportedValues, calls: calls() });
    expect(await importing.finally(() => done.push('import'))).toBe(3000);
    expect(await write).toMatchObject({ kind: 'updated' });
    expect(done).toEqual(['write', 'import']);
    const first = Number(before!.last_sequence) + 1;
    const records = await world.store.readChanges({ tenantId: world.tenantId, afterSequence: first - 1, order: 'asc', limit: 5000 });
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 3001 }, (_, i) => first + i));
    expect(records[0]).toMatchObject({ callId: CALL.first, fieldId: FIELD.amount, newValue: '42' });
    expect(records.slice(1).map((r) => r.newValue)).toEqual(Array.from({ length: 3000 }, (_, i) => `note ${i + 1}`));
  });

  it('an import is not run again after a serialization failure (its calls are read once): it fails whole, saying so', async () => {
    const world = await createWorld();
    await world.sql(`create function conflicts() returns trigger language plpgsql as $$
      begin raise exception 'simulated' using errcode = '40001'; end $$`);
    await world.sql('create trigger conflicts before insert on call_custom_field_values for each row execute function conflicts()');
    let read = 0;
    function* calls() {
      for (let n = 1; n <= 10; n++) {
        read++;
        const call = { callId: `c2000000-0000-4000-8000-${String(n).padStart(12, '0')}`, setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: 1 };
        yield { call, customFields: [{ fieldId: FIELD.notes, value: `note ${n}` }] };
      }
    }
    const importing = world.store.importCalls({ origin: TEST_ORIGIN, tenantId: world.tenantId, now: NOW, decide: decideImportedValues, calls: calls() });
    await expect(importing).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(importing).rejects.toThrow('The database reported a conflict with a concurrent update; try again');
    expect(read).toBe(10);
    expect(await world.sql(`select count(*) as n from calls where call_id::text like 'c2000000-%'`)).toEqual([{ n: '0' }]);
  });

  it('a statement blocked past DATABASE_STATEMENT_TIMEOUT_MS fails cleanly, and the next one succeeds', async () => {
    const world = await createWorld();
    const impatient = await secondInstance(world, { statementTimeoutMs: 300 });
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    const admin = await adminClient();
    onCleanup(() => admin.end());
    await admin.query(`set search_path = ${(world.store as unknown as { schema: string }).schema}`);
    await admin.query('begin');
    await admin.query('select 1 from calls where call_id = $1 for update', [CALL.first]);
    const started = Date.now();
    const blocked = setting(world, impatient, editor, [{ fieldId: FIELD.amount, value: '1' }]);
    await expect(blocked).rejects.toThrow('The database did not answer in time (statement timeout)');
    expect(Date.now() - started).toBeLessThan(3000);
    await admin.query('rollback');
    expect(await setting(world, impatient, editor, [{ fieldId: FIELD.amount, value: '2' }])).toMatchObject({ kind: 'updated', call: { version: 2 } });
  });

  it('uses at most DATABASE_POOL_SIZE connections; further requests queue and then all succeed', async () => {
    const world = await createWorld();
    const schema = (world.store as unknown as { schema: string }).schema;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('schema', schema);
    url.searchParams.set('application_name', `pool_${schema}`);
    const small = await openTestStore({ url: url.toString(), poolSize: 2 });
    const editor = (await world.store.findUserByUsername('editor'))!.id;
    const admin = await adminClient();
    onCleanup(() => admin.end());
    await admin.query(`set search_path = ${schema}`);
    await admin.query('begin');
    await admin.query('select 1 from calls where call_id = $1 for update', [CALL.first]);
    const pending = Array.from({ length: 6 }, (_, i) => setting(world, small, editor, [{ fieldId: FIELD.amount, value: String(i) }]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await admin.query('select count(*)::int n from pg_stat_activity where application_name = $1', [`pool_${schema}`]);
    expect(rows[0].n).toBe(2);
    await admin.query('commit');
    expect((await Promise.all(pending)).map((o) => o.kind)).toEqual(Array(6).fill('updated'));
    expect((await values(world)).version).toBe(7);
  });

  it('several instances migrating one empty database at once all succeed', async () => {
    const { url } = await freshSchema();
    const stores = [1, 2, 3].map(() => openStore(url, { poolSize: 1 }));
    for (const store of stores) onCleanup(() => store.close());
    await Promise.all(stores.map((s) => s.migrate()));
    expect(await stores[0]!.findTenantByName('default')).toBeNull();
  });
});

describe('a PostgreSQL database that is not there', () => {
  it('is a clear StoreUnavailableError naming host and port, not a hang or a driver trace', async () => {
    const port = await closedPort();
    const store = openStore(`postgres://postgres:SECRET@127.0.0.1:${port}/test`, { connectTimeoutMs: 2000 });
    onCleanup(() => store.close());
    const failed = store.migrate();
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow(`The database at 127.0.0.1:${port}/test cannot be reached`);
    await expect(failed).rejects.not.toThrow(/SECRET/);
  });

  it('gives up on a server that never answers after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const silent = await silentPort();
    onCleanup(() => silent.close());
    const store = openStore(`postgres://postgres@127.0.0.1:${silent.port}/test`, { connectTimeoutMs: 300 });
    onCleanup(() => store.close());
    const started = Date.now();
    await expect(store.getCall('00000000-0000-4000-8000-000000000000', CALL.first)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe.skipIf(!onPostgres)(`PostgreSQL migration 0004: calls.version as bigint ${POSTGRES_ONLY}`, () => {
  it('widens the version of a database the previous migrations left, keeping every call’s version, and then takes one past 2^31-1', async () => {
    // The migrations before 0004, as the previous release left the database.
    const { schema, url } = await freshSchema();
    const earlier = new PgCallStore({ url });
    await earlier.migrate({ count: 4 });
    await earlier.close();
    const admin = await adminClient();
    onCleanup(() => admin.end());
    await admin.query(`set search_path = ${schema}`);
    const columnType = async () =>
      (await admin.query(`select data_type from information_schema.columns where table_schema = $1 and table_name = 'calls' and column_name = 'version'`, [schema])).rows[0]?.data_type;
    expect(await columnType()).toBe('integer');
    const tenantId = randomUUID();
    await admin.query(`insert into tenants (id, name, created_at) values ($1, 'default', $2)`, [tenantId, NOW]);
    await admin.query(
      `insert into calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version)
       values ($1, $3, $4, '+1', '+2', 'inbound', 5, 2147483647), ($2, $3, $4, '+1', '+2', 'inbound', 5, 7)`,
      [CALL.first, CALL.second, tenantId, NOW],
    );

    const store = await openTestStore({ url });
    expect(await columnType()).toBe('bigint');
    expect((await store.getCall(tenantId, CALL.first))?.call.version).toBe(2147483647);
    expect((await store.getCall(tenantId, CALL.second))?.call.version).toBe(7);
    // One more write, as the store's bump would make it (the HTTP tests write past 2^31 through the store itself).
    await admin.query(`update calls set version = version + 1 where call_id = $1`, [CALL.first]);
    expect((await store.getCall(tenantId, CALL.first))?.call.version).toBe(2147483648);
  });
});
