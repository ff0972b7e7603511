import { beforeAll, describe, expect, it } from 'vitest';
import { callMatchesFilter, NO_FILTER, type CallFilter } from '../../src/core/call-filter.js';
import { callId, minute, range, seedCalls } from '../support/calls.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { createWorld, FIELD, type World } from '../support/fixtures.js';

/**
 * A subscription's `filter` is judged in memory on the call it has just read
 * (callMatchesFilter); the call list judges the same filter in SQL. They must
 * agree on every call, or a dashboard would see events its list does not show.
 */
describe(`${STORE_UNDER_TEST} store: the in-memory filter agrees with the call list`, () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
    await seedCalls(
      world.store,
      world.tenantId,
      range(1, 12).map((n) => ({
        n,
        direction: n % 3 === 0 ? 'outbound' : 'inbound',
        fromNumber: n % 4 === 0 ? `+4930${n}` : `+1555${n}`,
        toNumber: n % 5 === 0 ? `+4989${n}` : `+1666${n}`,
        customFields: [
          ...(n % 2 === 0 ? [{ fieldId: FIELD.callType, value: n % 4 === 0 ? 'Sales call' : 'Support call' }] : []),
          ...(n % 3 !== 1 ? [{ fieldId: FIELD.amount, value: String(n % 3) }] : []),
          ...(n === 7 ? [{ fieldId: FIELD.callType, value: 'sales call' }] : []),
        ],
      })),
    );
  });

  const filters: [string, Partial<CallFilter>][] = [
    ['no condition', {}],
    ['setup time range, both ends inclusive', { setupTimeFrom: minute(3), setupTimeTo: minute(8) }],
    ['setup time from only', { setupTimeFrom: minute(11) }],
    ['direction', { direction: 'outbound' }],
    ['number prefix on the from or the to number', { numberPrefix: '+49' }],
    ['number prefix matching nothing', { numberPrefix: '+44' }],
    ['equals (case matters)', { customFields: [{ fieldId: FIELD.callType, equals: 'Sales call' }] }],
    ['in', { customFields: [{ fieldId: FIELD.amount, in: ['1', '2'] }] }],
    ['isSet true', { customFields: [{ fieldId: FIELD.callType, isSet: true }] }],
    ['isSet false', { customFields: [{ fieldId: FIELD.amount, isSet: false }] }],
    [
      'everything at once',
      {
        direction: 'inbound',
        setupTimeTo: minute(10),
        customFields: [
          { fieldId: FIELD.callType, isSet: true },
          { fieldId: FIELD.amount, equals: '2' },
        ],
      },
    ],
  ];

  it.each(filters)('%s', async (_name, conditions) => {
    const filter: CallFilter = { ...NO_FILTER, ...conditions };
    const page = await world.store.listCalls({
      tenantId: world.tenantId,
      filter,
      order: { field: 'setup_time', direction: 'asc' },
      window: { after: null, before: null, offset: 0, take: 100, fromEnd: false },
      withTotal: false,
    });
    const listed = page.calls.map((c) => c.callId).filter((id) => id.startsWith('c0000000'));
    const judged: string[] = [];
    for (const n of range(1, 12)) {
      const found = (await world.store.getCall(world.tenantId, callId(n)))!;
      if (callMatchesFilter(filter, found.call, found.customFields)) judged.push(callId(n));
    }
    expect(judged).toEqual(listed);
  });
});
