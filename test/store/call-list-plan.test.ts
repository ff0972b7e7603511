import { beforeAll, describe, expect, it } from 'vitest';
import { NO_FILTER, type CallFilter } from '../../src/core/call-filter.js';
import type { CallOrder, CallWindow } from '../../src/core/call-list.js';
import { callId, range, seedCalls } from '../support/calls.js';
import { createWorld, FIELD, type World } from '../support/fixtures.js';
import { onPostgres } from '../support/database.js';
import type { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';

/**
 * Every statement a list query runs is explained: calls are always found
 * through an index on the tenant (never a scan of the table or of a whole
 * index), values only through index lookups (never a scan), and unless a
 * number search asks for it, the order comes from the index, not a sort.
 */
let world: World;
beforeAll(async () => {
  if (onPostgres) return;
  world = await createWorld();
  await seedCalls(world.store, world.tenantId, range(1, 50).map((n) => ({ n, customFields: [{ fieldId: FIELD.amount, value: String(n % 5) }] })));
});

interface PlanLine {
  id: number;
  parent: number;
  detail: string;
}

function explain(statement: string): PlanLine[] {
  return (world.store as SqliteCallStore).sqlite.prepare(`EXPLAIN QUERY PLAN ${statement}`).all() as PlanLine[];
}

async function plansOf(work: () => Promise<unknown>) {
  const { statements } = await world.statements.during(work);
  expect(statements.length).toBeGreaterThan(0);
  return statements.map((statement) => ({ statement, plan: explain(statement).map((line) => line.detail) }));
}

function expectIndexedOnly(plans: { statement: string; plan: string[] }[], options: { sorts?: boolean } = {}) {
  for (const { statement, plan } of plans) {
    const context = `${statement}\n${plan.join('\n')}`;
    for (const line of plan) {
      // json_each is the page's call ids passed as one JSON array, not a table
      expect(line, context).not.toMatch(/^SCAN (?!CONSTANT ROW|json_each VIRTUAL TABLE)/);
      if (/\b(calls|call_custom_field_values)\b/.test(line)) expect(line, context).toMatch(/^SEARCH \S+ (EXISTS )?USING (COVERING )?(INDEX|PRIMARY KEY)/);
    }
    if (/from "calls"/.test(statement) && !options.sorts) expect(plan.join('\n'), context).not.toMatch(/TEMP B-TREE/);
  }
}

const window = (w: Partial<CallWindow> = {}): CallWindow => ({ after: null, before: null, offset: 0, take: 20, fromEnd: false, ...w });
const key = { key: '2026-02-01T00:10:00.000Z', callId: callId(10) };
const list = (filter: CallFilter, options: { order?: CallOrder; window?: CallWindow; withTotal?: boolean } = {}) =>
  world.store.listCalls({
    tenantId: world.tenantId,
    filter,
    order: options.order ?? { field: 'setup_time', direction: 'desc' },
    window: options.window ?? window(),
    withTotal: options.withTotal ?? true,
  });

const filter = (f: Partial<CallFilter>): CallFilter => ({ ...NO_FILTER, ...f });

describe.skipIf(onPostgres)(`EXPLAIN QUERY PLAN of the list queries${onPostgres ? ' (SQLite only: skipped on PostgreSQL)' : ''}`, () => {
  it.each<[string, CallFilter]>([
    ['no filter', NO_FILTER],
    ['a date range', filter({ setupTimeFrom: '2026-02-01T00:05:00.000Z', setupTimeTo: '2026-02-01T00:30:00.000Z' })],
    ['a direction', filter({ direction: 'outbound' })],
    ['a custom field equals', filter({ customFields: [{ fieldId: FIELD.amount, equals: '3' }] })],
    ['a custom field in', filter({ customFields: [{ fieldId: FIELD.amount, in: ['1', '2'] }] })],
    ['a custom field is set', filter({ customFields: [{ fieldId: FIELD.amount, isSet: true }] })],
    ['a custom field is not set', filter({ customFields: [{ fieldId: FIELD.notes, isSet: false }] })],
    [
      'a custom field equals within a date range (the benchmark\'s page)',
      filter({ setupTimeFrom: '2026-02-01T00:05:00.000Z', setupTimeTo: '2026-02-01T00:30:00.000Z', customFields: [{ fieldId: FIELD.amount, equals: '3' }] }),
    ],
    [
      'everything but a number',
      filter({
        setupTimeFrom: '2026-02-01T00:05:00.000Z',
        setupTimeTo: '2026-02-01T00:30:00.000Z',
        direction: 'inbound',
        customFields: [{ fieldId: FIELD.amount, in: ['1', '3'] }, { fieldId: FIELD.notes, isSet: false }, { fieldId: FIELD.paymentStatus, equals: 'Paid' }],
      }),
    ],
  ])('%s: index only, for every order and window, in index order unless a date range meets the duration order', async (_label, f) => {
    for (const order of [
      { field: 'setup_time', direction: 'desc' },
      { field: 'setup_time', direction: 'asc' },
      { field: 'duration', direction: 'desc' },
      { field: 'duration', direction: 'asc' },
    ] as CallOrder[]) {
      const k = order.field === 'duration' ? { key: 10, callId: callId(10) } : key;
      for (const w of [window(), window({ after: k }), window({ before: k, fromEnd: true }), window({ after: k, before: k }), window({ offset: 5 })]) {
        const sorts = order.field === 'duration' && f.setupTimeFrom !== null;
        expectIndexedOnly(await plansOf(() => list(f, { order, window: w })), { sorts });
      }
    }
  });

  it.each<[string, CallOrder, Partial<CallWindow>, RegExp]>([
    ['newest first, after', { field: 'setup_time', direction: 'desc' }, { after: key }, /\(setup_time,call_id\)<\(\?,\?\)/],
    ['newest first, before', { field: 'setup_time', direction: 'desc' }, { before: key, fromEnd: true }, /\(setup_time,call_id\)>\(\?,\?\)/],
    ['oldest first, after', { field: 'setup_time', direction: 'asc' }, { after: key }, /\(setup_time,call_id\)>\(\?,\?\)/],
    ['oldest first, before', { field: 'setup_time', direction: 'asc' }, { before: key, fromEnd: true }, /\(setup_time,call_id\)<\(\?,\?\)/],
  ])('%s: a cursor inside the date range is where the scan starts, not the end of the range', async (_label, order, w, bound) => {
    const range = filter({ setupTimeFrom: '2026-02-01T00:05:00.000Z', setupTimeTo: '2026-02-01T00:30:00.000Z', customFields: [{ fieldId: FIELD.amount, equals: '3' }] });
    const plans = await plansOf(() => list(range, { order, window: window(w), withTotal: false }));
    expectIndexedOnly(plans);
    expect(plans[0]!.plan[0]).toMatch(bound);
    // The check for rows behind the cursor starts at the cursor too.
    const searches = plans[0]!.plan.filter((line) => line.startsWith('SEARCH calls'));
    expect(searches).toHaveLength(2);
    for (const line of searches) expect(line).toMatch(/\(setup_time,call_id\)[<>]=?\(\?,\?\)/);
  });

  it('a number search goes through the from and to number indexes', async () => {
    const plans = await plansOf(() => list(filter({ numberPrefix: '+1555', customFields: [{ fieldId: FIELD.amount, equals: '3' }] })));
    expectIndexedOnly(plans, { sorts: true });
    const plan = plans[0]!.plan.join('\n');
    expect(plan).toMatch(/calls_tenant_from_number_idx/);
    expect(plan).toMatch(/calls_tenant_to_number_idx/);
  });

  it('a page past the end counts in a second statement, through indexes too', async () => {
    const plans = await plansOf(() => list(filter({ customFields: [{ fieldId: FIELD.amount, equals: '3' }] }), { window: window({ offset: 1000 }) }));
    expect(plans).toHaveLength(2);
    expectIndexedOnly(plans);
  });

  it('the values of a page: primary key lookups, whatever the number of calls', async () => {
    const plans = await plansOf(() => world.store.listCustomFieldValues(world.tenantId, range(1, 50).map(callId)));
    expect(plans).toHaveLength(1);
    expectIndexedOnly(plans, { sorts: true });
    expect(plans[0]!.plan.join('\n')).toMatch(/SEARCH (call_custom_field_values|v) USING INDEX sqlite_autoindex_call_custom_field_values_1 \(call_id=\? AND field_id=\?\)/);
  });

  it('the field definitions: through the tenant index', async () => {
    const plans = await plansOf(() => world.store.listCustomFields(world.tenantId, { includeDisabled: true }));
    expect(plans[0]!.plan.join('\n')).toMatch(/SEARCH custom_fields USING INDEX custom_fields_tenant_name_idx \(tenant_id=\?\)/);
  });
});
