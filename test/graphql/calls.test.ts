import { beforeEach, describe, expect, it } from 'vitest';
import { callId, minute, range, seedCalls } from '../support/calls.js';
import { CALL, createTestApp, FIELD, NOW } from '../support/fixtures.js';
import { createLongTextField, firstCodePoints, incompressibleText, LONG_TEXT } from '../support/long-values.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const LIST = /* GraphQL */ `
  query List($first: Int, $after: String, $last: Int, $before: String, $filter: CallFilter, $orderBy: CallOrder) {
    calls(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id } }
    }
  }`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
}

async function list(variables: Record<string, unknown> = {}, as: Who = 'editor') {
  const { status, body } = await t.graphql<{ calls: Page }>(LIST, variables, as);
  expect(status).toBe(200);
  return body;
}

/** A page that must succeed. */
async function page(variables: Record<string, unknown> = {}, as: Who = 'editor'): Promise<Page> {
  const body = await list(variables, as);
  expect(body.errors).toBeUndefined();
  return body.data!.calls;
}

const ids = (p: Page) => p.edges.map((e) => e.node.id);

/** Every id, paging forward `size` at a time. */
async function pageForward(size: number, variables: Record<string, unknown> = {}) {
  const all: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p: Page = await page({ ...variables, first: size, after });
    all.push(...ids(p));
    expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
    if (!p.pageInfo.hasNextPage) return all;
    after = p.pageInfo.endCursor;
  }
  throw new Error('did not reach the end');
}

/** An error response to `calls`: `calls: null`, one GraphQL error at its path with this message, HTTP 200. */
async function expectError(variables: Record<string, unknown>, message: string | RegExp) {
  const body = await list(variables);
  expect(body.data).toEqual({ calls: null });
  expect(body.errors).toHaveLength(1);
  expect((body.errors![0] as { path?: unknown }).path).toEqual(['calls']);
  expect(body.errors![0]!.message).toMatch(message);
  expect(body.errors![0]!.message).not.toMatch(/Unexpected error/);
  expect((body.errors![0] as { extensions?: { code?: string } }).extensions?.code).toBe('BAD_USER_INPUT');
}

/** The fixture's two calls of the default tenant, newest first. */
const FIXTURE_CALLS: string[] = [CALL.second, CALL.first];

describe('Query.calls: order and page size', () => {
  it('lists the tenant\'s calls newest first by default, 20 per page, with the total', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 30).map((n) => ({ n })));
    const p = await page();
    expect(ids(p)).toEqual(range(11, 30).reverse().map(callId));
    expect(p.totalCount).toBe(32);
    expect(p.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: p.edges[0]!.cursor, endCursor: p.edges[19]!.cursor });
  });

  it('last defaults to 20 as well when paging backward with before alone', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 30).map((n) => ({ n })));
    const all = await pageForward(1000);
    const end = await page({ last: 1 });
    const before = await page({ before: end.pageInfo.startCursor });
    expect(ids(before)).toEqual(all.slice(-21, -1));
  });

  it('orders ascending, and by duration either way, breaking ties by call id in the same direction', async () => {
    await seedCalls(t.store, t.tenantId, [
      { n: 1, duration: 30 },
      { n: 2, duration: 10 },
      { n: 3, duration: 30 },
      { n: 4, duration: 20 },
      { n: 5, setupTime: minute(4), duration: 30 },
    ]);
    expect(ids(await page({ orderBy: { direction: 'ASC' } }))).toEqual([...FIXTURE_CALLS].reverse().concat(range(1, 3).map(callId), callId(4), callId(5)));
    // callId(4) and callId(5) have the same setup time: the call id decides, descending with the list.
    expect(ids(await page({ first: 3 }))).toEqual([callId(5), callId(4), callId(3)]);
    expect(ids(await page({ orderBy: { field: 'DURATION', direction: 'ASC' } }))).toEqual([
      CALL.second, // 5 s
      callId(2), // 10 s
      callId(4), // 20 s
      callId(1), // 30 s, then ties by call id
      callId(3),
      callId(5),
      CALL.first, // 61 s
    ]);
    expect(ids(await page({ orderBy: { field: 'DURATION' } }))).toEqual([CALL.first, callId(5), callId(3), callId(1), callId(4), callId(2), CALL.second]);
  });

  it('takes up to 1000 calls in one page', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 1001).map((n) => ({ n })));
    const p = await page({ first: 1000 });
    expect(p.edges).toHaveLength(1000);
    expect(p.pageInfo.hasNextPage).toBe(true);
    expect((await page({ last: 1000 })).edges).toHaveLength(1000);
  });

  it.each([
    [{ first: 1001 }, /^first must be a whole number from 0 to 1000, got 1001/],
    [{ last: 5000 }, /^last must be a whole number from 0 to 1000, got 5000/],
    [{ first: -1 }, /^first must be a whole number from 0 to 1000, got -1/],
    [{ first: 10, last: 10 }, 'Give first or last, not both'],
  ])('%j is a clear error, not a clamp', async (variables, message) => {
    await expectError(variables, message);
  });

  it('first: 0 returns no calls but still says whether there are any', async () => {
    const p = await page({ first: 0 });
    expect(p).toEqual({ totalCount: 2, pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null }, edges: [] });
  });
});

describe('Query.calls: cursors', () => {
  beforeEach(async () => {
    await seedCalls(t.store, t.tenantId, range(1, 25).map((n) => ({ n })));
  });

  it('pages forward through every call exactly once, in order', async () => {
    const all = await pageForward(7);
    expect(all).toEqual([...range(1, 25).reverse().map(callId), ...FIXTURE_CALLS]);
  });

  it('pages backward from the end with last/before, in list order on each page', async () => {
    const all = await pageForward(1000);
    const seen: string[] = [];
    let before: string | null = null;
    for (;;) {
      const p: Page = await page({ last: 6, before });
      seen.unshift(...ids(p));
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(seen).toEqual(all);
  });

  it('goes back and forth: the page before the second page is the first page', async () => {
    const first = await page({ first: 5 });
    const second = await page({ first: 5, after: first.pageInfo.endCursor });
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = await page({ last: 5, before: second.pageInfo.startCursor });
    expect(ids(back)).toEqual(ids(first));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('after and before together bound the page from both sides', async () => {
    const all = await pageForward(1000);
    const p = await page({ after: (await page({ first: 2 })).pageInfo.endCursor, before: (await page({ first: 6 })).pageInfo.endCursor });
    expect(ids(p)).toEqual(all.slice(2, 5));
  });

  it('a cursor stays valid when calls are added: nothing is skipped or repeated', async () => {
    const first = await page({ first: 10 });
    // Newer calls (before the cursor), a call between pages and a call at the cursor's setup time.
    await seedCalls(t.store, t.tenantId, [{ n: 100 }, { n: 101 }, { n: 200, setupTime: minute(13) }, { n: 300, setupTime: minute(16) }]);
    const rest = await pageForward(1000, {});
    const second = await page({ first: 10, after: first.pageInfo.endCursor });
    // The cursor is (minute 16, call 16); call 300 at minute 16 sorts after it (its id is greater), so it is not on later pages.
    expect(ids(second)).toEqual([callId(15), callId(14), callId(200), callId(13), callId(12), callId(11), callId(10), callId(9), callId(8), callId(7)]);
    expect(rest.indexOf(callId(300))).toBeLessThan(rest.indexOf(callId(16)));
    expect(second.totalCount).toBe(31);
    const seenOnce = [...ids(first), ...ids(second)];
    expect(new Set(seenOnce).size).toBe(seenOnce.length);
  });

  it('totalCount counts the whole list on every page, empty ones too', async () => {
    const newest = (await page({ first: 1 })).pageInfo.endCursor;
    const oldest = (await page({ last: 1 })).pageInfo.endCursor;
    expect(await page({ first: 5, before: newest })).toMatchObject({ edges: [], totalCount: 27 });
    expect(await page({ last: 5, after: oldest })).toMatchObject({ edges: [], totalCount: 27 });
    expect(await page({ first: 5, after: oldest })).toMatchObject({ edges: [], totalCount: 27, pageInfo: { hasPreviousPage: true, hasNextPage: false } });
  });

  it('a cursor from one order is refused in another', async () => {
    const bySetupTime = await page({ first: 1 });
    await expectError({ after: bySetupTime.pageInfo.endCursor, orderBy: { field: 'DURATION' } }, /another order/);
  });

  it.each(['garbage', '', 'cyRub3QtYS1jdXJzb3I', 'czIwMjYtMDEtMDFUMDk6MDA6MDAuMDAwWnwxMTExMTExMS0xMTExLTQxMTEtODExMS0xMTExMTExMTExMTE'])(
    'a cursor that is not one of ours (%j) is refused',
    async (cursor) => {
      await expectError({ after: cursor }, 'after is not a cursor of this list');
      await expectError({ before: cursor }, 'before is not a cursor of this list');
    },
  );

  it('cursors are opaque: no call id or timestamp in plain sight', async () => {
    const p = await page({ first: 1 });
    expect(p.edges[0]!.cursor).not.toContain(callId(25));
    expect(p.edges[0]!.cursor).not.toContain('2026');
  });
});

describe('Query.calls: filters', () => {
  beforeEach(async () => {
    await seedCalls(t.store, t.tenantId, [
      { n: 1, direction: 'outbound', fromNumber: '+4930999', toNumber: '+1212555', customFields: [{ fieldId: FIELD.paymentStatus, value: 'Paid' }] },
      { n: 2, fromNumber: '+1212000', toNumber: '+4940777', customFields: [{ fieldId: FIELD.paymentStatus, value: 'Unpaid' }, { fieldId: FIELD.amount, value: '12.5' }] },
      { n: 3, customFields: [{ fieldId: FIELD.paymentStatus, value: 'Paid' }, { fieldId: FIELD.amount, value: '7' }] },
      { n: 4, direction: 'outbound', customFields: [{ fieldId: FIELD.callType, value: 'Sales call' }] },
      { n: 5, setupTime: '2026-03-01T00:00:00.000Z', customFields: [{ fieldId: FIELD.paymentStatus, value: 'Unknown' }] },
    ]);
  });

  const matching = async (filter: Record<string, unknown>) => {
    const p = await page({ filter, first: 1000 });
    expect(p.totalCount).toBe(p.edges.length);
    return ids(p);
  };

  it('by setup time, both ends included', async () => {
    expect(await matching({ setupTimeFrom: minute(2), setupTimeTo: minute(4) })).toEqual([callId(4), callId(3), callId(2)]);
    expect(await matching({ setupTimeFrom: '2026-02-01T01:02:00+01:00', setupTimeTo: '2026-02-01T00:03:00Z' })).toEqual([callId(3), callId(2)]);
    expect(await matching({ setupTimeTo: '2026-01-01T09:30:00Z' })).toEqual([CALL.first]);
    expect(await matching({ setupTimeFrom: '2026-02-15T00:00:00Z' })).toEqual([callId(5)]);
  });

  it('by direction', async () => {
    expect(await matching({ direction: 'OUTBOUND' })).toEqual([callId(4), callId(1), CALL.second]);
  });

  it('by number: a prefix of the from or the to number, not a substring', async () => {
    expect(await matching({ number: '+4930' })).toEqual([callId(1), CALL.second, CALL.first]);
    expect(await matching({ number: '+1212' })).toEqual([callId(2), callId(1)]);
    expect(await matching({ number: '+4940777' })).toEqual([callId(2)]);
    expect(await matching({ number: '4930' })).toEqual([]);
    expect(await matching({ number: '0999' })).toEqual([]);
  });

  it('by a custom field: equals, in, isSet, by id or by name', async () => {
    expect(await matching({ customFields: [{ fieldId: FIELD.paymentStatus, equals: 'Paid' }] })).toEqual([callId(3), callId(1)]);
    expect(await matching({ customFields: [{ name: 'Payment status', equals: 'Paid' }] })).toEqual([callId(3), callId(1)]);
    expect(await matching({ customFields: [{ name: 'Payment status', in: ['Unpaid', 'Unknown'] }] })).toEqual([callId(5), callId(2)]);
    expect(await matching({ customFields: [{ name: 'Amount', isSet: true }] })).toEqual([callId(3), callId(2)]);
    expect(await matching({ customFields: [{ name: 'Payment status', isSet: false }] })).toEqual([callId(4), CALL.second, CALL.first]);
    expect(await matching({ customFields: [{ name: 'Payment status', in: [] }] })).toEqual([]);
    expect(await matching({ customFields: [{ name: 'Payment status', equals: 'paid' }] })).toEqual([]);
  });

  it('by a custom field holding values of tens of thousands of characters: the exact value, not one with the same start', async () => {
    const fieldId = '00000000-0000-4000-8000-0000000000a1';
    await createLongTextField(t.store, t.tenantId, fieldId, NOW);
    const long = incompressibleText(60_000);
    const sameStart = firstCodePoints(long, 2000) + incompressibleText(58_000, { seed: 'tail' });
    await seedCalls(t.store, t.tenantId, [
      { n: 6, customFields: [{ fieldId, value: long }] },
      { n: 7, customFields: [{ fieldId, value: sameStart }] },
    ]);
    expect(await matching({ customFields: [{ name: LONG_TEXT.name, equals: long }] })).toEqual([callId(6)]);
    expect(await matching({ customFields: [{ name: LONG_TEXT.name, equals: sameStart }] })).toEqual([callId(7)]);
    expect(await matching({ customFields: [{ name: LONG_TEXT.name, equals: firstCodePoints(long, 2000) }] })).toEqual([]);
    expect(await matching({ customFields: [{ name: LONG_TEXT.name, in: [long, sameStart] }] })).toEqual([callId(7), callId(6)]);
  });

  it('the field id beats the name', async () => {
    expect(await matching({ customFields: [{ fieldId: FIELD.callType, name: 'Payment status', equals: 'Sales call' }] })).toEqual([callId(4)]);
    expect(await matching({ customFields: [{ fieldId: FIELD.amount, name: 'No such field', isSet: true }] })).toEqual([callId(3), callId(2)]);
  });

  it('combines every condition with AND', async () => {
    const filter = {
      setupTimeFrom: minute(1),
      setupTimeTo: minute(3),
      direction: 'INBOUND',
      customFields: [{ name: 'Payment status', in: ['Paid', 'Unpaid'] }, { name: 'Amount', isSet: true }, { fieldId: FIELD.amount, equals: '7' }],
    };
    expect(await matching(filter)).toEqual([callId(3)]);
    expect(await matching({ ...filter, customFields: filter.customFields.slice(0, 2) })).toEqual([callId(3), callId(2)]);
    expect(await matching({ ...filter, customFields: filter.customFields.slice(0, 2), number: '+1212' })).toEqual([callId(2)]);
    expect(await matching({ ...filter, number: '+1212' })).toEqual([]);
  });

  it('pages through a filtered list with cursors', async () => {
    const filter = { customFields: [{ name: 'Payment status', isSet: true }] };
    const first = await page({ filter, first: 2 });
    expect(ids(first)).toEqual([callId(5), callId(3)]);
    expect(first.totalCount).toBe(4);
    const second = await page({ filter, first: 2, after: first.pageInfo.endCursor });
    expect(ids(second)).toEqual([callId(2), callId(1)]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(second.totalCount).toBe(4);
  });

  it.each([
    [{ customFields: [{ name: 'No such field', equals: 'x' }] }, 'Invalid filter: filter.customFields.0.name: Unknown custom field'],
    [{ customFields: [{ name: 'payment status', equals: 'x' }] }, 'Invalid filter: filter.customFields.0.name: Unknown custom field; did you mean "Payment status"?'],
    [{ customFields: [{ fieldId: '99999999-9999-4999-8999-999999999999', name: 'Payment status', equals: 'x' }] }, 'Invalid filter: filter.customFields.0.fieldId: Unknown custom field'],
    [{ customFields: [{ fieldId: FIELD.otherTenant, isSet: true }] }, 'Invalid filter: filter.customFields.0.fieldId: Unknown custom field'],
    [{ customFields: [{ name: 'Retired', isSet: true }] }, 'Invalid filter: filter.customFields.0.name: Custom field is disabled'],
    [{ customFields: [{ name: 'Notes', equals: 'x'.repeat(11) }] }, 'Invalid filter: filter.customFields.0.equals: equals is longer than the field\'s max length of 10 characters'],
    [{ customFields: [{ equals: 'x' }] }, 'Invalid filter: filter.customFields.0: Either fieldId or name is required'],
    [{ customFields: [{ name: 'Amount' }] }, 'Invalid filter: filter.customFields.0: Give exactly one of equals, in or isSet'],
    [{ customFields: [{ name: 'Amount', equals: '1', isSet: true }] }, 'Invalid filter: filter.customFields.0: Give exactly one of equals, in or isSet'],
    [{ setupTimeFrom: minute(3), setupTimeTo: minute(2) }, 'Invalid filter: filter.setupTimeTo: setupTimeTo is before setupTimeFrom'],
    [{ customFields: [{ name: 'Nope', equals: 'x' }, { name: 'Amount' }] }, 'Invalid filter: filter.customFields.0.name: Unknown custom field; filter.customFields.1: Give exactly one of equals, in or isSet'],
  ])('%j is a clear error', async (filter, message) => {
    await expectError({ filter }, message);
  });

  it('a bad timestamp is refused by the DateTime type, as a bad request', async () => {
    const { status, body } = await t.graphql(LIST, { filter: { setupTimeFrom: '2026-02-30T00:00:00Z' } });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.message).toMatch(/DateTime must be an ISO 8601 timestamp with a time zone/);
  });

  it('the details of a bad filter are listed per path', async () => {
    const body = await list({ filter: { customFields: [{ name: 'Nope', equals: 'x' }] } });
    expect((body.errors![0] as { extensions?: unknown }).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      details: [{ path: 'filter.customFields.0.name', message: 'Unknown custom field' }],
    });
  });
});

describe('Query.calls: tenants and roles', () => {
  it('a tenant lists only its own calls, and the other tenant only its own', async () => {
    expect(ids(await page())).toEqual(FIXTURE_CALLS);
    const other = await page({}, 'otherEditor');
    expect(ids(other)).toEqual([CALL.otherTenant]);
    expect(other.totalCount).toBe(1);
  });

  it('filters never reach into another tenant: its field is unknown here, its calls match nothing', async () => {
    const otherTenant = (await t.store.findTenantByName('other'))!.id;
    await seedCalls(t.store, otherTenant, [{ n: 50, fromNumber: '+4930111' }]);
    expect(ids(await page({ filter: { number: '+4930111' } }))).toEqual([CALL.first]);
    expect(ids(await page({ filter: { customFields: [{ name: 'Secret', isSet: false }] } }, 'otherEditor'))).toEqual([callId(50)]);
    const body = await list({ filter: { customFields: [{ name: 'Secret', equals: 'hidden' }] } });
    expect(body.errors![0]!.message).toBe('Invalid filter: filter.customFields.0.name: Unknown custom field');
  });

  it('a cursor of another tenant\'s list shows nothing of that tenant', async () => {
    const theirs = await page({ first: 1 }, 'otherEditor');
    const p = await page({ after: theirs.pageInfo.endCursor, first: 10 });
    expect(ids(p).every((id) => id !== CALL.otherTenant)).toBe(true);
  });

  it.each(['viewer', 'editor', 'admin'] as const)('the %s role may list calls', async (who) => {
    expect(ids(await page({}, who))).toEqual(FIXTURE_CALLS);
  });
});
