import { beforeEach, describe, expect, it } from 'vitest';
import { NO_FILTER } from '../../src/core/call-filter.js';
import { callId, range, seedCalls } from '../support/calls.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, type World } from '../support/fixtures.js';

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
    expect(statements[0]).toMatch(/^select .* from "calls" where .* limit 6/);
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
