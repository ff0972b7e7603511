import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { decideChangeSet } from '../../src/core/change-set.js';
import { parseConfig } from '../../src/http/config.js';
import { hashApiToken } from '../../src/auth/credentials.js';
import type { CallStore } from '../../src/store/call-store.js';
import { REQUEST_SQL } from '../../src/store/pg/request-statements.js';
import * as schema from '../../src/store/pg/schema.js';
import { toCustomFieldValue } from '../../src/store/pg/value-row.js';
import { adminClient, onCleanup, onPostgres, openTestStore, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues } = schema;
const poolOf = (store: CallStore) => (store as unknown as { pool: pg.Pool }).pool;
const schemaOf = (store: CallStore) => (store as unknown as { schema: string }).schema;

/** The drizzle queries the PostgreSQL store ran for these reads before they became fixed SQL, on the store's own pool. */
function drizzleReads(store: CallStore) {
  const db = drizzle(poolOf(store), { schema });
  const byName = sql`${customFields.name} collate "C"`;
  const USER = {
    id: apiUsers.id,
    tenantId: apiUsers.tenantId,
    tenantName: tenants.name,
    username: apiUsers.username,
    role: apiUsers.role,
    passwordHash: apiUsers.passwordHash,
    disabled: apiUsers.disabled,
  };
  // A user found by a token names the token too (the change log records it).
  const selectUser = (withToken = false) =>
    db
      .select(withToken ? { ...USER, tokenId: apiTokens.id } : USER)
      .from(apiUsers)
      .innerJoin(tenants, eq(tenants.id, apiUsers.tenantId));
  const { fieldId, tenantId, name, description, type, options, maxLength, editable, enabled, previousNames } = customFields;
  return {
    userByUsername: async (username: string) => (await selectUser().where(eq(apiUsers.username, username)))[0] ?? null,
    userByTokenHash: async (tokenHash: string) =>
      (
        await selectUser(true)
          .innerJoin(apiTokens, eq(apiTokens.userId, apiUsers.id))
          .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
      )[0] ?? null,
    call: async (tenant: string, callId: string) => {
      const [call] = await db
        .select()
        .from(calls)
        .where(and(eq(calls.callId, callId), eq(calls.tenantId, tenant)));
      if (!call) return null;
      const values = await db
        .select({
          fieldId: callCustomFieldValues.fieldId,
          name: customFields.name,
          value: callCustomFieldValues.value,
          updatedAt: callCustomFieldValues.updatedAt,
          updatedBy: apiUsers.username,
          type: customFields.type,
          options: customFields.options,
          maxLength: customFields.maxLength,
        })
        .from(callCustomFieldValues)
        .innerJoin(customFields, eq(customFields.fieldId, callCustomFieldValues.fieldId))
        .leftJoin(apiUsers, eq(apiUsers.id, callCustomFieldValues.updatedBy))
        .where(and(eq(callCustomFieldValues.callId, callId), eq(customFields.enabled, true)))
        .orderBy(asc(byName), asc(customFields.fieldId));
      return { call, customFields: values.map(toCustomFieldValue) };
    },
    fields: (tenant: string, includeDisabled: boolean) =>
      db
        .select({ fieldId, tenantId, name, description, type, options, maxLength, editable, enabled, previousNames })
        .from(customFields)
        .where(includeDisabled ? eq(customFields.tenantId, tenant) : and(eq(customFields.tenantId, tenant), eq(customFields.enabled, true)))
        .orderBy(asc(byName), asc(customFields.fieldId)),
  };
}

/** Every column type the request statements read, in both states where it has two (null or not, true or false, empty or not). */
async function varietyWorld(): Promise<World & { editorId: string }> {
  const world = await createWorld();
  await world.sql(
    `update custom_fields set description = 'What was paid', previous_names = ?::jsonb where field_id = ?`,
    JSON.stringify(['Paid?', 'Payment']),
    FIELD.paymentStatus,
  );
  await world.sql('update api_users set disabled = true where username = ?', 'viewer');
  const editorId = (await world.store.findUserByUsername('editor'))!.id;
  const outcome = await world.store.setCallCustomFields({ origin: TEST_ORIGIN,
    tenantId: world.tenantId,
    callId: CALL.first,
    userId: editorId,
    now: '2026-03-04T05:06:07.089Z',
    decide: (fields) =>
      decideChangeSet(
        [
          { fieldId: FIELD.paymentStatus, value: 'Paid' },
          { fieldId: FIELD.amount, value: '12.5' },
          { fieldId: FIELD.notes, value: null },
        ],
        fields,
      ),
  });
  expect(outcome.kind).toBe('updated');
  return { ...world, editorId };
}

describe.skipIf(!onPostgres)(`the PostgreSQL store's request statements ${POSTGRES_ONLY}`, () => {
  it('return exactly what the drizzle queries they replace returned, column by column', async () => {
    const world = await varietyWorld();
    const reference = drizzleReads(world.store);
    for (const username of ['editor', 'viewer', 'otherEditor', 'nobody']) {
      expect(await world.store.findUserByUsername(username)).toStrictEqual(await reference.userByUsername(username));
    }
    for (const token of [world.tokens.editor, world.tokens.admin, 'not a token']) {
      expect(await world.store.findUserByTokenHash(hashApiToken(token))).toStrictEqual(await reference.userByTokenHash(hashApiToken(token)));
    }
    for (const [tenant, callId] of [
      [world.tenantId, CALL.first],
      [world.tenantId, CALL.second],
      [world.tenantId, CALL.otherTenant],
    ] as const) {
      expect(await world.store.getCall(tenant, callId)).toStrictEqual(await reference.call(tenant, callId));
    }
    for (const includeDisabled of [false, true]) {
      expect(await world.store.listCustomFields(world.tenantId, { includeDisabled })).toStrictEqual(await reference.fields(world.tenantId, includeDisabled));
    }
  });

  it('map every column type as before: ISO timestamps, numbers, booleans, JSON arrays, nulls', async () => {
    const world = await varietyWorld();
    expect(await world.store.findUserByUsername('viewer')).toMatchObject({ role: 'viewer', disabled: true, tenantName: 'default' });
    expect(await world.store.findUserByTokenHash(hashApiToken(world.tokens.editor))).toStrictEqual({
      id: world.editorId,
      tenantId: world.tenantId,
      tenantName: 'default',
      username: 'editor',
      role: 'editor',
      passwordHash: expect.any(String),
      disabled: false,
      tokenId: expect.any(String),
    });
    const found = (await world.store.getCall(world.tenantId, CALL.first))!;
    expect(found.call).toStrictEqual({
      callId: CALL.first,
      tenantId: world.tenantId,
      setupTime: '2026-01-01T09:00:00.000Z',
      fromNumber: '+4930111',
      toNumber: '+4930222',
      direction: 'inbound',
      duration: 61,
      version: 2,
    });
    const rule = (type: string, options: string[] | null = null, maxLength: number | null = null) => ({ type, options, maxLength });
    expect(found.customFields).toStrictEqual([
      { fieldId: FIELD.amount, name: 'Amount', value: '12.5', updatedAt: '2026-03-04T05:06:07.089Z', updatedBy: 'editor', definition: rule('number') },
      { fieldId: FIELD.callType, name: 'Call type', value: 'Support call', updatedAt: NOW, updatedBy: null, definition: rule('text') },
      { fieldId: FIELD.locked, name: 'Locked', value: 'immutable', updatedAt: NOW, updatedBy: null, definition: rule('text') },
      {
        fieldId: FIELD.paymentStatus,
        name: 'Payment status',
        value: 'Paid',
        updatedAt: '2026-03-04T05:06:07.089Z',
        updatedBy: 'editor',
        definition: rule('option', ['Unknown', 'Paid', 'Unpaid']),
      },
    ]);
    const fields = await world.store.listCustomFields(world.tenantId, { includeDisabled: true });
    expect(fields.find((f) => f.fieldId === FIELD.paymentStatus)).toStrictEqual({
      fieldId: FIELD.paymentStatus,
      tenantId: world.tenantId,
      name: 'Payment status',
      description: 'What was paid',
      type: 'option',
      options: ['Unknown', 'Paid', 'Unpaid'],
      maxLength: null,
      editable: true,
      enabled: true,
      previousNames: ['Paid?', 'Payment'],
    });
    expect(fields.find((f) => f.fieldId === FIELD.notes)).toMatchObject({ maxLength: 10, description: null, previousNames: [] });
    expect(fields.find((f) => f.fieldId === FIELD.locked)).toMatchObject({ editable: false, enabled: true });
    expect(fields.find((f) => f.fieldId === FIELD.retired)).toMatchObject({ editable: true, enabled: false });
  });

  it('send the fixed SQL text of REQUEST_SQL, never drizzle-built statements', async () => {
    const world = await varietyWorld();
    const templates = Object.values(REQUEST_SQL).map(
      ({ text }) => new RegExp(`^${text.split(/\$\d+(?:::[a-z]+(?:\[\])?)?/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`, 's'),
    );
    const { statements } = await world.statements.during(async () => {
      await world.store.findUserByTokenHash(hashApiToken(world.tokens.editor));
      await world.store.findUserByUsername('editor');
      await world.store.listCustomFields(world.tenantId);
      await world.store.getCall(world.tenantId, CALL.first);
      await world.store.setCallCustomFields({ origin: TEST_ORIGIN,
        tenantId: world.tenantId,
        callId: CALL.first,
        userId: world.editorId,
        now: NOW,
        decide: (fields) => decideChangeSet([{ fieldId: FIELD.amount, value: '1' }, { fieldId: FIELD.paymentStatus, value: null }], fields),
      });
    });
    const unexpected = statements.filter((s) => !['begin', 'begin isolation level repeatable read read only', 'commit'].includes(s) && !templates.some((t) => t.test(s)));
    expect(unexpected).toEqual([]);
    // Token, user, fields; the call with its values in one statement; lock, fields and values, write and read values, bump in one transaction.
    expect(statements).toHaveLength(3 + 1 + 6);
  });

  it('are named prepared statements on the connection, prepared again on a new connection after the old one died', async () => {
    const world = await varietyWorld();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('schema', schemaOf(world.store));
    url.searchParams.set('application_name', `prep_${schemaOf(world.store)}`);
    const store = await openTestStore({ url: url.toString(), poolSize: 1 });
    const prepared = async () => (await poolOf(store).query<{ name: string }>('select name from pg_prepared_statements order by name')).rows.map((r) => r.name);

    const before = (await store.getCall(world.tenantId, CALL.first))!;
    await store.findUserByTokenHash(hashApiToken(world.tokens.editor));
    expect(await prepared()).toEqual(expect.arrayContaining([REQUEST_SQL.callWithValues.name, REQUEST_SQL.userByTokenHash.name]));

    const admin = await adminClient();
    onCleanup(() => admin.end());
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [`prep_${schemaOf(world.store)}`]);
    const pool = poolOf(store);
    for (const deadline = Date.now() + 3000; pool.totalCount > 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.totalCount).toBe(0);

    expect(await store.getCall(world.tenantId, CALL.first)).toStrictEqual(before);
    expect(await prepared()).toEqual([REQUEST_SQL.callWithValues.name]);
  });

  it('are sent unnamed with preparedStatements: false, so a pooler that forgets prepared statements between transactions breaks nothing', async () => {
    const world = await varietyWorld();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set('schema', schemaOf(world.store));
    const named = await openTestStore({ url: url.toString(), poolSize: 1 });
    // as the server opens it with DATABASE_PREPARED_STATEMENTS=false
    const unnamed = await openTestStore({ ...parseConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).store, url: url.toString(), poolSize: 1 });
    const expected = await world.store.getCall(world.tenantId, CALL.first);
    for (const store of [named, unnamed]) {
      expect(await store.getCall(world.tenantId, CALL.first)).toStrictEqual(expected);
      // What a transaction-mode pooler (PgBouncer before 1.21) amounts to: the next transaction's server connection has none of them.
      await poolOf(store).query('deallocate all');
    }
    await expect(named.getCall(world.tenantId, CALL.first)).rejects.toThrow(/prepared statement "callgate_\w+" does not exist/);

    expect(await unnamed.getCall(world.tenantId, CALL.first)).toStrictEqual(expected);
    expect(await unnamed.findUserByTokenHash(hashApiToken(world.tokens.editor))).toMatchObject({ username: 'editor' });
    expect(await unnamed.listCustomFields(world.tenantId)).toStrictEqual(await world.store.listCustomFields(world.tenantId));
    const written = await unnamed.setCallCustomFields({ origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      callId: CALL.first,
      userId: world.editorId,
      now: NOW,
      decide: (fields) => decideChangeSet([{ fieldId: FIELD.amount, value: '7' }], fields),
    });
    expect(written).toMatchObject({ kind: 'updated' });
    expect((await world.store.getCall(world.tenantId, CALL.first))!.customFields.find((v) => v.fieldId === FIELD.amount)?.value).toBe('7');
    expect((await poolOf(unnamed).query('select name from pg_prepared_statements')).rows).toEqual([]);
  });

  it('read the tables of the schema the URL names, per store, with the same statement names', async () => {
    const one = await varietyWorld();
    const two = await createWorld();
    expect(schemaOf(one.store)).not.toBe(schemaOf(two.store));
    expect((await one.store.getCall(one.tenantId, CALL.first))!.call.version).toBe(2);
    expect((await two.store.getCall(two.tenantId, CALL.first))!.call.version).toBe(1);
    expect(await one.store.getCall(two.tenantId, CALL.first)).toBeNull();
  });
});
