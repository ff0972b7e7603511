import { beforeAll, describe, expect, it } from 'vitest';
import { NO_FILTER, type CustomFieldCondition } from '../../src/core/call-filter.js';
import { range, seedCalls } from '../support/calls.js';
import { onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { incompressibleText, LONG_TEXT } from '../support/long-values.js';

/**
 * The plans PostgreSQL makes for a custom field value filter, on a tenant with
 * enough calls (and fresh statistics) that a rare value is best looked up in
 * the (field, value prefix) index rather than probed call by call.
 */
const TRANSCRIPT = '00000000-0000-4000-8000-0000000000a1';
const LONG = incompressibleText(60_000);
let world: World;
beforeAll(async () => {
  if (!onPostgres) return;
  world = await createWorld();
  const field = { tenantId: world.tenantId, description: null, options: null, editable: true, enabled: true, now: NOW };
  await world.store.createCustomField({ ...field, fieldId: TRANSCRIPT, name: LONG_TEXT.name, type: 'text', maxLength: LONG_TEXT.maxLength });
  await seedCalls(
    world.store,
    world.tenantId,
    range(1, 3000).map((n) => ({
      n,
      customFields: [
        { fieldId: FIELD.callType, value: `Ticket ${n}` },
        { fieldId: TRANSCRIPT, value: n === 1500 ? LONG : `${n}` },
      ],
    })),
  );
  await world.sql('analyze calls, call_custom_field_values');
});

/** The plan of each statement listing the first page (with its total) of the calls matching one condition. */
async function plansOf(condition: CustomFieldCondition) {
  const { statements } = await world.statements.during(() =>
    world.store.listCalls({
      tenantId: world.tenantId,
      filter: { ...NO_FILTER, customFields: [condition] },
      order: { field: 'setup_time', direction: 'desc' },
      window: { after: null, before: null, offset: 0, take: 20, fromEnd: false },
      withTotal: true,
    }),
  );
  const plans: string[] = [];
  for (const statement of statements) plans.push((await world.sql(`explain ${statement}`)).map((row) => row['QUERY PLAN']).join('\n'));
  return plans;
}

describe.skipIf(!onPostgres)(`EXPLAIN of the PostgreSQL list queries ${POSTGRES_ONLY}`, () => {
  it.each<[string, CustomFieldCondition]>([
    ['equals a rare value', { fieldId: FIELD.callType, equals: 'Ticket 1234' }],
    ['is in a list of rare values', { fieldId: FIELD.callType, in: ['Ticket 12', 'Ticket 1234'] }],
    ['equals a value of 60,000 characters', { fieldId: TRANSCRIPT, equals: LONG }],
  ])('a custom field that %s is looked up by field and value prefix, then checked whole', async (_label, condition) => {
    const plans = await plansOf(condition);
    expect(plans).toHaveLength(1);
    const plan = plans[0]!;
    expect(plan).toMatch(
      /Index Scan using call_custom_field_values_field_value_prefix_idx on call_custom_field_values\b[^\n]*\n\s+Index Cond: \(\(field_id = '[^']+'::uuid\) AND \(\("left"\(value, 500\)\)::text = /,
    );
    expect(plan).toMatch(/\n\s+Filter: \(value = /);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
