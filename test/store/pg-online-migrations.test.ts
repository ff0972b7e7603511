import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PgCallStore } from '../../src/store/pg/pg-store.js';
import { adminClient, freshSchema, onCleanup, onPostgres, POSTGRES_ONLY } from '../support/database.js';

const INDEX = 'call_custom_field_values_field_value_prefix_idx';

/** A store at migration 0002 (before the value index of 0003) holding one field with a value on each of `calls` calls. */
async function storeBefore0003(calls: number) {
  const { schema, url } = await freshSchema();
  const store = new PgCallStore({ url, poolSize: 4 });
  onCleanup(() => store.close());
  await store.migrate({ count: 3 });
  const admin = await adminClient();
  onCleanup(() => admin.end());
  const tenant = randomUUID();
  const field = randomUUID();
  await admin.query(`set search_path = ${schema}`);
  await admin.query(`insert into tenants (id, name, created_at) values ($1, 'default', now())`, [tenant]);
  await admin.query(`insert into custom_fields (field_id, tenant_id, name, type, created_at) values ($1, $2, 'Notes', 'text', now())`, [field, tenant]);
  await admin.query(
    `insert into calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration)
     select gen_random_uuid(), $1, now(), '+49' || n, '+30' || n, 'inbound', n from generate_series(1, $2::int) n`,
    [tenant, calls],
  );
  await admin.query(`insert into call_custom_field_values (call_id, field_id, value, updated_at) select call_id, $1, repeat(md5(call_id::text), 8), now() from calls`, [field]);
  return { store, admin, schema, field };
}

describe.skipIf(!onPostgres)(`PostgreSQL index migrations on a live table ${POSTGRES_ONLY}`, () => {
  it('build their index CONCURRENTLY: writes to the table go on and all persist while the index builds', async () => {
    const { store, admin, schema, field } = await storeBefore0003(150_000);
    const writer = await adminClient();
    onCleanup(() => writer.end());
    await writer.query(`set search_path = ${schema}`);
    const callIds = (await admin.query<{ call_id: string }>('select call_id from calls limit 2000')).rows.map((r) => r.call_id);

    let migrating = true;
    const during: number[] = [];
    const writes = (async () => {
      let n = 0;
      while (migrating) {
        const started = Date.now();
        await writer.query(`update call_custom_field_values set value = $1, updated_at = now() where call_id = $2 and field_id = $3`, [
          `written ${n}`,
          callIds[n % callIds.length],
          field,
        ]);
        during.push(Date.now() - started);
        n++;
      }
      return n;
    })();
    const started = Date.now();
    await store.migrate();
    const took = Date.now() - started;
    migrating = false;
    const written = await writes;

    const index = await admin.query(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = $1 and c.relnamespace = $2::regnamespace`,
      [INDEX, schema],
    );
    expect(index.rows).toEqual([{ valid: true }]);
    // Writes completed throughout the build, none waited for it.
    expect(during.length).toBeGreaterThan(10);
    expect(Math.max(...during), `${during.length} writes in ${took} ms`).toBeLessThan(Math.max(200, took / 2));
    const last = written - 1;
    const stored = await admin.query('select value from call_custom_field_values where call_id = $1 and field_id = $2', [callIds[last % callIds.length], field]);
    expect(stored.rows[0].value).toBe(`written ${last}`);
  });

  it('an index build cut short leaves an invalid index that the next start drops and builds again', async () => {
    const { store, admin, schema } = await storeBefore0003(10);
    // What a build stopped midway (a killed process, a failed statement) leaves behind: an invalid index, 0003 not recorded.
    await admin.query(`create index ${INDEX} on call_custom_field_values (field_id)`);
    await admin.query(`update pg_index set indisvalid = false where indexrelid = '${schema}.${INDEX}'::regclass`);
    await store.migrate();
    const index = await admin.query(
      `select i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as def from pg_index i join pg_class c on c.oid = i.indexrelid
       where c.relname = $1 and c.relnamespace = $2::regnamespace`,
      [INDEX, schema],
    );
    expect(index.rows).toEqual([{ valid: true, def: expect.stringContaining('"left"(value, 500)') }]);
    await store.migrate();
    expect(await store.checkReady()).toEqual({ ready: true });
  });
});
