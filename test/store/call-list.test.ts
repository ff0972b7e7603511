import { beforeEach, describe, expect, it } from 'vitest';
import { NO_FILTER, type CustomFieldCondition } from '../../src/core/call-filter.js';
import { VALUE_INDEX_PREFIX } from '../../src/store/pg/schema.js';
import { callId, range, seedCalls } from '../support/calls.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { createLongTextField, firstCodePoints, incompressibleText, LONG_TEXT } from '../support/long-values.js';

describe(`${STORE_UNDER_TEST} store: call lists`, () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });

  it('reads the values of many calls at once, only for the tenant asked, and an empty list for a call without values', async () => {
    const values = await world.store.listCustomFieldValues(world.tenantId, [CALL.first, CALL.second, CALL.otherTenant]);
    expect([...values.keys()]).toEqual([CALL.first, CALL.second, CALL.otherTenant]);
    expect(values.get(CALL.first)!.map((v) => v.name)).toEqual(['Call type', 'Locked', 'Notes']);
    expect(values.get(CALL.second)).toEqual([]);
    expect(values.get(CALL.otherTenant)).toEqual([]);
    expect(await world.store.listCustomFieldValues(world.tenantId, [])).toEqual(new Map());
  });

  it('reports every statement it runs to onStatement', async () => {
    const { statements } = await world.statements.during(() =>
      world.store.listCalls({
        tenantId: world.tenantId,
        filter: NO_FILTER,
        order: { field: 'setup_time', direction: 'desc' },
        window: { after: null, before: null, offset: 0, take: 5, fromEnd: false },
        withTotal: false,
      }),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^select .* from "?calls"? where .* limit (6|\$2)/s);
  });

  it('counts past the end of the list, where the page has no row to carry the count', async () => {
    await seedCalls(world.store, world.tenantId, range(1, 3).map((n) => ({ n, customFields: [{ fieldId: FIELD.amount, value: '1' }] })));
    const page = await world.store.listCalls({
      tenantId: world.tenantId,
      filter: { ...NO_FILTER, customFields: [{ fieldId: FIELD.amount, equals: '1' }] },
      order: { field: 'setup_time', direction: 'desc' },
      window: { after: { key: '2026-01-01T00:00:00.000Z', callId: callId(0) }, before: null, offset: 0, take: 5, fromEnd: false },
      withTotal: true,
    });
    expect(page).toEqual({ calls: [], more: false, behindCursor: true, total: 3 });
  });

  it('counts when the window is empty on the far side too (first with before, last with after)', async () => {
    const oldest = { key: '2026-01-01T09:00:00.000Z', callId: CALL.first };
    const base = { tenantId: world.tenantId, filter: NO_FILTER, order: { field: 'setup_time', direction: 'desc' }, withTotal: true } as const;
    const beforeNewest = await world.store.listCalls({
      ...base,
      window: { after: null, before: { key: '2026-01-01T10:00:00.000Z', callId: CALL.second }, offset: 0, take: 5, fromEnd: false },
    });
    expect(beforeNewest).toEqual({ calls: [], more: false, behindCursor: false, total: 2 });
    const afterOldest = await world.store.listCalls({ ...base, window: { after: oldest, before: null, offset: 0, take: 5, fromEnd: true } });
    expect(afterOldest).toEqual({ calls: [], more: false, behindCursor: false, total: 2 });
  });
});

describe(`${STORE_UNDER_TEST} store: filtering on values longer than the indexed prefix`, () => {
  const N = VALUE_INDEX_PREFIX;
  const TRANSCRIPT = '00000000-0000-4000-8000-0000000000a1';
  const long = incompressibleText(60_000, { fourByte: true });
  /** Each call's value; all but the last two share their first N characters with `long`. */
  const VALUES: Record<number, string> = {
    1: long,
    2: firstCodePoints(long, N) + incompressibleText(59_000, { seed: 'other tail', fourByte: true }),
    3: firstCodePoints(long, N),
    4: firstCodePoints(long, N + 1),
    5: firstCodePoints(long, N - 1),
    6: incompressibleText(60_000, { seed: 'unrelated' }),
  };
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
    await createLongTextField(world.store, world.tenantId, TRANSCRIPT, NOW);
    await seedCalls(world.store, world.tenantId, range(1, 6).map((n) => ({ n, customFields: [{ fieldId: TRANSCRIPT, value: VALUES[n]! }] })));
  });

  /** The calls that match, in list order (newest first) and checked against the count: a number for a seeded call, else its id. */
  async function matching(condition: Omit<CustomFieldCondition, 'fieldId'>): Promise<(number | string)[]> {
    const page = await world.store.listCalls({
      tenantId: world.tenantId,
      filter: { ...NO_FILTER, customFields: [{ fieldId: TRANSCRIPT, ...condition } as CustomFieldCondition] },
      order: { field: 'setup_time', direction: 'desc' },
      window: { after: null, before: null, offset: 0, take: 100, fromEnd: false },
      withTotal: true,
    });
    expect(page.total).toBe(page.calls.length);
    return page.calls.map((call) => range(1, 6).find((n) => callId(n) === call.callId) ?? call.callId);
  }

  it('equals finds exactly the call with that value, not one that shares its first N characters', async () => {
    for (const n of range(1, 6)) expect(await matching({ equals: VALUES[n]! }), `call ${n}`).toEqual([n]);
  });

  it('equals finds nothing for a value that only starts or ends like a stored one', async () => {
    expect(await matching({ equals: long + 'x' })).toEqual([]);
    expect(await matching({ equals: firstCodePoints(long, 30_000) })).toEqual([]);
    expect(await matching({ equals: firstCodePoints(long, N - 1) + 'x' })).toEqual([]);
    expect(await matching({ equals: [...long].slice(1).join('') })).toEqual([]);
  });

  it('in finds each listed value and nothing else, the prefixes of the list overlapping or not', async () => {
    expect(await matching({ in: [VALUES[1]!, VALUES[3]!] })).toEqual([3, 1]);
    expect(await matching({ in: [long + 'x', VALUES[2]!, VALUES[6]!] })).toEqual([6, 2]);
    expect(await matching({ in: [firstCodePoints(long, 30_000), firstCodePoints(long, N + 2)] })).toEqual([]);
    expect(await matching({ in: [] })).toEqual([]);
  });

  it('isSet and its negation see the long values like any other', async () => {
    expect(await matching({ isSet: true })).toEqual([6, 5, 4, 3, 2, 1]);
    expect(await matching({ isSet: false })).toEqual([CALL.second, CALL.first]);
  });
});
