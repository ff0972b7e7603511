import { beforeEach, describe, expect, it } from 'vitest';
import { readCallListParams } from '../../src/http/rest/call-list.js';
import { callId, range, seedCalls } from '../support/calls.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

const get = (query = '', as?: 'editor' | 'viewer' | 'otherEditor') => t.rest('GET', `/api/v2/calls.json${query}`, { as });
const callIds = (body: { calls: { call_id: string }[] }) => body.calls.map((c) => c.call_id);

/** Every call id, following next_url from the first page. */
async function follow(first: string) {
  const seen: string[] = [];
  const bodies: any[] = [];
  let path: string | null = first;
  while (path) {
    const response = await t.rest('GET', path);
    expect(response.status).toBe(200);
    bodies.push(response.json);
    seen.push(...callIds(response.json));
    path = response.json.next_url;
  }
  return { seen, bodies };
}

describe('GET /api/v2/calls.json', () => {
  it('returns the vendor\'s call objects, newest first, with next_url null and the total on the only page', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.text).toBe(
      JSON.stringify({
        calls: [
          {
            call_id: CALL.second,
            setup_time: '2026-01-01T10:00:00.000Z',
            from_number: '+4930333',
            to_number: '+4930444',
            direction: 'outbound',
            duration: 5,
            custom_fields: [],
          },
          {
            call_id: CALL.first,
            setup_time: '2026-01-01T09:00:00.000Z',
            from_number: '+4930111',
            to_number: '+4930222',
            direction: 'inbound',
            duration: 61,
            custom_fields: [
              { field_id: FIELD.callType, name: 'Call type', value: 'Support call' },
              { field_id: FIELD.locked, name: 'Locked', value: 'immutable' },
              { field_id: FIELD.notes, name: 'Notes', value: 'keep me' },
            ],
          },
        ],
        next_url: null,
        total: 2,
      }),
    );
  });

  it('each call object is the one GET /api/v2/calls/{id}.json returns', async () => {
    const listed = (await get()).json.calls[1];
    const single = await t.rest('GET', `/api/v2/calls/${CALL.first}.json`);
    expect(listed).toEqual(single.json.call);
  });

  it('pages 20 at a time by default: next_url on every page but the last, total only on the last', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 43).map((n) => ({ n })));
    const first = await get();
    expect(first.json.calls).toHaveLength(20);
    expect(first.json.next_url).toBe('/api/v2/calls.json?start=20&limit=20');
    expect(first.json).not.toHaveProperty('total');
    expect(Object.keys(first.json)).toEqual(['calls', 'next_url']);
    const { seen, bodies } = await follow('/api/v2/calls.json');
    expect(bodies.map((b) => b.next_url)).toEqual(['/api/v2/calls.json?start=20&limit=20', '/api/v2/calls.json?start=40&limit=20', null]);
    expect(bodies.map((b) => b.total)).toEqual([undefined, undefined, 45]);
    expect(seen).toEqual([...range(1, 43).reverse().map(callId), CALL.second, CALL.first]);
  });

  it('limit and start page by offset, as the vendor does', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 10).map((n) => ({ n })));
    const page = await get('?limit=3&start=2');
    expect(callIds(page.json)).toEqual([callId(8), callId(7), callId(6)]);
    expect(page.json.next_url).toBe('/api/v2/calls.json?start=5&limit=3');
    const last = await get('?start=9&limit=3');
    expect(callIds(last.json)).toEqual([callId(1), CALL.second, CALL.first]);
    expect(last.json).toMatchObject({ next_url: null, total: 12 });
  });

  it('takes up to 1000 calls in one page', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 1000).map((n) => ({ n })));
    const page = await get('?limit=1000');
    expect(page.json.calls).toHaveLength(1000);
    expect(page.json.next_url).toBe('/api/v2/calls.json?start=1000&limit=1000');
  });

  it('a start past the end is an empty last page with the real total', async () => {
    const page = await get('?start=50');
    expect(page.status).toBe(200);
    expect(page.json).toEqual({ calls: [], next_url: null, total: 2 });
  });

  it('sort_order=asc lists oldest first', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 3).map((n) => ({ n })));
    expect(callIds((await get('?sort_order=asc')).json)).toEqual([CALL.first, CALL.second, callId(1), callId(2), callId(3)]);
    expect(callIds((await get('?sort_order=desc')).json)).toEqual([callId(3), callId(2), callId(1), CALL.second, CALL.first]);
  });

  it('daterange keeps whole UTC days, both included', async () => {
    await seedCalls(t.store, t.tenantId, [
      { n: 1, setupTime: '2026-01-31T23:59:59.999Z' },
      { n: 2, setupTime: '2026-02-01T00:00:00.000Z' },
      { n: 3, setupTime: '2026-02-02T23:59:59.999Z' },
      { n: 4, setupTime: '2026-02-03T00:00:00.000Z' },
    ]);
    expect(callIds((await get('?daterange=2026/02/01-2026/02/02')).json)).toEqual([callId(3), callId(2)]);
    expect(callIds((await get('?daterange=2026/01/01-2026/01/01')).json)).toEqual([CALL.second, CALL.first]);
  });

  it('search_term matches the start of the from or the to number; a + is a plus sign', async () => {
    await seedCalls(t.store, t.tenantId, [{ n: 1, fromNumber: '+1212000', toNumber: '+4930555' }]);
    expect(callIds((await get('?search_term=+4930')).json)).toEqual([callId(1), CALL.second, CALL.first]);
    expect(callIds((await get('?search_term=%2B4930444')).json)).toEqual([CALL.second]);
    expect(callIds((await get('?search_term=+1212')).json)).toEqual([callId(1)]);
    expect(callIds((await get('?search_term=4930')).json)).toEqual([]);
    expect(callIds((await get('?search_term=')).json)).toEqual([callId(1), CALL.second, CALL.first]);
  });

  it('a search_term or a custom field filter with a NUL character matches nothing (PostgreSQL text cannot hold one): 200, never a 500', async () => {
    const nul = await get('?search_term=%00%2B4930');
    expect(nul.status).toBe(200);
    expect(callIds(nul.json)).toEqual([]);
    const { status, body } = await t.graphql(
      `query($v: String!) { calls(filter: { number: $v, customFields: [{ fieldId: "${FIELD.callType}", equals: $v }, { fieldId: "${FIELD.callType}", in: [$v, "x"] }] }) { totalCount } }`,
      { v: 'Sales\u0000' },
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { calls: { totalCount: 0 } } });
  });

  it('next_url keeps the filters and the order', async () => {
    await seedCalls(t.store, t.tenantId, range(1, 5).map((n) => ({ n })));
    const query = '?limit=2&daterange=2026/02/01-2026/02/28&search_term=%2B1555&sort_order=asc';
    const first = await get(query);
    expect(first.json.next_url).toBe('/api/v2/calls.json?start=2&limit=2&daterange=2026/02/01-2026/02/28&search_term=%2B1555&sort_order=asc');
    const { seen, bodies } = await follow(`/api/v2/calls.json${query}`);
    expect(seen).toEqual(range(1, 5).map(callId));
    expect(bodies.at(-1).total).toBe(5);
  });

  it.each([
    ['?limit=0', 'limit must be a whole number from 1 to 1000, got "0"'],
    ['?limit=1001', 'limit must be a whole number from 1 to 1000, got "1001"'],
    ['?limit=ten', 'limit must be a whole number from 1 to 1000, got "ten"'],
    ['?limit=-1', 'limit must be a whole number from 1 to 1000, got "-1"'],
    ['?limit=', 'limit must be a whole number from 1 to 1000, got ""'],
    ['?start=-20', 'start must be a whole number of 0 or more, got "-20"'],
    ['?start=1.5', 'start must be a whole number of 0 or more, got "1.5"'],
    ['?sort_order=newest', 'sort_order must be asc or desc, got "newest"'],
    ['?daterange=2026-01-01', 'daterange must be YYYY/MM/DD-YYYY/MM/DD with the first day not after the second (UTC days, both included), got "2026-01-01"'],
    ['?daterange=2026/02/30-2026/03/01', 'daterange must be YYYY/MM/DD-YYYY/MM/DD with the first day not after the second (UTC days, both included), got "2026/02/30-2026/03/01"'],
    ['?daterange=2026/03/01-2026/02/01', 'daterange must be YYYY/MM/DD-YYYY/MM/DD with the first day not after the second (UTC days, both included), got "2026/03/01-2026/02/01"'],
    ['?limit=5&limit=6', 'limit is given more than once'],
    ['?search_term=%E0%A4%A', 'The query string is not valid percent-encoding: search_term=%E0%A4%A'],
    [`?search_term=${'1'.repeat(65)}`, 'Invalid filter: filter.number: number is longer than 64 characters'],
  ])('%s is a 400 that says what is accepted', async (query, description) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'InvalidParameter', description });
  });

  it('ignores parameters it does not know', async () => {
    expect((await get('?per_page=1&foo')).json.calls).toHaveLength(2);
  });

  it('lists only the API user\'s tenant\'s calls', async () => {
    const theirs = await get('', 'otherEditor');
    expect(theirs.json).toEqual({
      calls: [
        {
          call_id: CALL.otherTenant,
          setup_time: '2026-01-01T11:00:00.000Z',
          from_number: '+1555',
          to_number: '+1666',
          direction: 'unknown',
          duration: 0,
          custom_fields: [{ field_id: FIELD.otherTenant, name: 'Secret', value: 'hidden' }],
        },
      ],
      next_url: null,
      total: 1,
    });
    expect(callIds((await get('?search_term=%2B1555')).json)).toEqual([]);
  });

  it('a viewer may list calls', async () => {
    expect((await get('', 'viewer')).status).toBe(200);
  });

  it('needs credentials', async () => {
    const response = await t.fetch(new Request('http://callgate.test/api/v2/calls.json?limit=5000'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="callgate"');
  });

  it.each(['POST', 'PUT', 'DELETE'])('%s is 405 with Allow: GET, HEAD', async (method) => {
    const response = await t.rest(method, '/api/v2/calls.json', { body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.json.error).toBe('MethodNotAllowed');
  });

  it('shows a value as soon as the PUT route set it', async () => {
    await t.rest('PUT', `/api/v2/calls/${CALL.second}.json`, { body: { call: { custom_fields: [{ name: 'Amount', value: 5 }] } } });
    expect((await get()).json.calls[0].custom_fields).toEqual([{ field_id: FIELD.amount, name: 'Amount', value: '5' }]);
  });
});

describe('readCallListParams', () => {
  it('defaults: 20 from the start, newest first, no filter', () => {
    expect(readCallListParams('')).toEqual({ ok: true, params: { limit: 20, start: 0, daterange: null, searchTerm: null, sortOrder: null } });
  });

  it('reads every parameter', () => {
    expect(readCallListParams('?limit=5&start=10&daterange=2024/02/29-2024/03/01&search_term=%2B49%2030&sort_order=asc')).toEqual({
      ok: true,
      params: {
        limit: 5,
        start: 10,
        daterange: { from: '2024-02-29T00:00:00.000Z', to: '2024-03-01T23:59:59.999Z', text: '2024/02/29-2024/03/01' },
        searchTerm: '+49 30',
        sortOrder: 'asc',
      },
    });
  });
});
