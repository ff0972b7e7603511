import { beforeEach, describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'editor' | 'admin' | 'viewer' | 'otherEditor';

/** A clock the test moves: each write commits at the instant it is set to. */
function steppingClock(start = Date.parse('2026-03-01T10:00:00.000Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms = 1000) => (now += ms), at: () => new Date(now).toISOString() };
}

let t: App;
let time: ReturnType<typeof steppingClock>;
beforeEach(async () => {
  time = steppingClock();
  t = await createTestApp({ clock: time.clock });
});

const historyPath = (callId: string = CALL.first) => `/api/v2/calls/${callId}/custom_fields/history.json`;
const get = (path: string, as: Who = 'editor', headers: Record<string, string> = {}) => t.rest('GET', path, { as, headers });

/** A REST PUT of the vendor's entries, committed one second after the last write. */
async function put(entries: { field_id?: string; name?: string; value: unknown }[], options: { as?: Who; callId?: string; requestId?: string } = {}) {
  time.advance();
  const headers: Record<string, string> = options.requestId ? { 'x-request-id': options.requestId } : {};
  const response = await t.rest('PUT', `/api/v2/calls/${options.callId ?? CALL.first}.json`, { body: { call: { custom_fields: entries } }, as: options.as, headers });
  expect(response.status).toBe(200);
  return response;
}

/** Every page from `first` on, following next_url. */
async function follow(first: string, as: Who = 'editor') {
  const bodies: any[] = [];
  let path: string | null = first;
  while (path) {
    const response = await get(path, as);
    expect(response.status, path).toBe(200);
    bodies.push(response.json);
    path = response.json.next_url;
  }
  return bodies;
}

describe('GET /api/v2/calls/{call_id}/custom_fields/history.json', () => {
  it('shows a REST PUT\'s records newest first, in the vendor\'s style, with channel rest and the request\'s id', async () => {
    await put([{ name: 'Payment status', value: 'Paid' }, { field_id: FIELD.notes, value: 'first' }]);
    await put([{ name: 'Payment status', value: 'Unpaid' }, { field_id: FIELD.notes, value: null }], { requestId: 'sync-42' });

    const response = await get(historyPath());
    expect(response.status).toBe(200);
    expect(Object.keys(response.json)).toEqual(['history', 'next_url']);
    const { history, next_url } = response.json;
    expect(next_url).toBeNull();
    const [latest, second] = history;
    expect(Object.keys(latest)).toEqual([
      'sequence', 'change_set_id', 'call_id', 'field_id', 'field_name', 'kind', 'old_value', 'new_value',
      'call_version', 'actor', 'channel', 'request_id', 'client_address', 'committed_at',
    ]);
    expect(latest).toMatchObject({ call_id: CALL.first, channel: 'rest', request_id: 'sync-42', client_address: null, committed_at: '2026-03-01T10:00:02.000Z' });
    expect(latest.actor).toEqual({ type: 'api_user', user_id: expect.any(String), username: 'editor', token_id: expect.any(String) });
    // One request, one change set: both records share its id and the call version after it.
    expect(second.change_set_id).toBe(latest.change_set_id);
    expect(second.call_version).toBe(latest.call_version);
    const bySet = Object.fromEntries(history.filter((r: any) => r.change_set_id === latest.change_set_id).map((r: any) => [r.field_name, [r.kind, r.old_value, r.new_value]]));
    expect(bySet).toEqual({ 'Payment status': ['set', 'Paid', 'Unpaid'], Notes: ['cleared', 'first', null] });
    // The seed's import comes last, as the CLI's.
    expect(history.at(-1)).toMatchObject({ channel: 'import', actor: { type: 'cli', user_id: null, username: 'cli', token_id: null }, request_id: null });
    const sequences = history.map((r: any) => r.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
  });

  it('shows the client address to admins only', async () => {
    await put([{ name: 'Payment status', value: 'Paid' }]);
    expect((await get(historyPath(), 'editor')).json.history[0].client_address).toBeNull();
    expect((await get(historyPath(), 'viewer')).json.history[0].client_address).toBeNull();
    expect((await get(historyPath(), 'admin')).json.history[0].client_address).toMatch(/127\.0\.0\.1|::1/);
  });

  it('pages with next_url, visiting every record once, and a page does not shift when changes arrive', async () => {
    for (let i = 0; i < 6; i++) await put([{ field_id: FIELD.notes, value: `n${i}` }, { name: 'Amount', value: i }]);
    const everything = (await get(`${historyPath()}?limit=1000`)).json.history.map((r: any) => r.sequence);
    expect(everything).toHaveLength(15); // 3 imported + 6 × 2

    const first = (await get(`${historyPath()}?limit=4`)).json;
    expect(first.history.map((r: any) => r.sequence)).toEqual(everything.slice(0, 4));
    expect(first.next_url).toBe(`${historyPath()}?limit=4&before=${everything[3]}`);
    // New changes land on top; the next page still starts right after the first one.
    await put([{ field_id: FIELD.notes, value: 'late' }]);
    const rest = await follow(first.next_url);
    const seen = [...first.history, ...rest.flatMap((b) => b.history)].map((r: any) => r.sequence);
    expect(seen).toEqual(everything);
    expect(rest.map((b) => b.history.length)).toEqual([4, 4, 3]);
    expect(rest.at(-1).next_url).toBeNull();
  });

  it('pages 20 at a time by default and narrows to one field by id or by name, keeping it in next_url', async () => {
    for (let i = 0; i < 12; i++) await put([{ field_id: FIELD.notes, value: `n${i}` }, { name: 'Amount', value: i }]);
    const first = (await get(historyPath())).json;
    expect(first.history).toHaveLength(20);
    expect(first.next_url).toBe(`${historyPath()}?limit=20&before=${first.history[19].sequence}`);

    const byName = await follow(`${historyPath()}?field=Notes&limit=5`);
    expect(byName[0].next_url).toBe(`${historyPath()}?limit=5&before=${byName[0].history[4].sequence}&field=Notes`);
    const notes = byName.flatMap((b) => b.history);
    expect(notes.map((r: any) => r.new_value)).toEqual([...Array.from({ length: 12 }, (_, i) => `n${11 - i}`), 'keep me']);
    expect(new Set(notes.map((r: any) => r.field_id))).toEqual(new Set([FIELD.notes]));
    const byId = await follow(`${historyPath()}?field=${FIELD.notes.toUpperCase()}&limit=1000`);
    expect(byId.flatMap((b) => b.history)).toEqual(notes);
    expect((await get(`${historyPath()}?field=${encodeURIComponent('Payment status')}`)).json).toEqual({ history: [], next_url: null });
  });

  it('answers 404 as GET /api/v2/calls/{call_id}.json does for another tenant\'s, an unknown or a malformed call id', async () => {
    const notFound = await get(`/api/v2/calls/${CALL.otherTenant}.json`);
    expect(notFound.status).toBe(404);
    for (const [path, as] of [
      [historyPath(CALL.otherTenant), 'editor'],
      [historyPath(CALL.first), 'otherEditor'],
      [historyPath('00000000-0000-4000-8000-000000000000'), 'editor'],
      [historyPath('not-a-call'), 'editor'],
    ] as const) {
      const response = await get(path, as);
      expect(response.status, `${as} ${path}`).toBe(404);
      expect(response.text).toBe(notFound.text);
    }
  });

  it('answers any role, the upper-case form of a call id too', async () => {
    for (const as of ['viewer', 'editor', 'admin'] as const) expect((await get(historyPath(), as)).json.history).toHaveLength(3);
    expect((await get(historyPath(CALL.first.toUpperCase()))).json.history).toHaveLength(3);
  });
});

describe('GET /api/v2/changes.json', () => {
  it('feeds the tenant\'s log oldest first: following next_url visits every record once; an empty page keeps after', async () => {
    for (let i = 0; i < 5; i++) {
      await put([{ field_id: FIELD.notes, value: `n${i}` }]);
      await put([{ name: 'Payment status', value: i % 2 ? 'Paid' : 'Unpaid' }], { callId: CALL.second });
    }
    const everything = (await get('/api/v2/changes.json?limit=1000')).json;
    expect(Object.keys(everything)).toEqual(['changes', 'after', 'next_url']);
    const sequences = everything.changes.map((r: any) => r.sequence);
    expect(sequences).toHaveLength(13); // 3 imported + 10
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(everything.after).toBe(sequences.at(-1));
    expect(everything.next_url).toBeNull();

    const pages = await follow('/api/v2/changes.json?limit=4');
    expect(pages.map((p) => p.changes.length)).toEqual([4, 4, 4, 1]);
    expect(pages[0].next_url).toBe(`/api/v2/changes.json?after=${sequences[3]}&limit=4`);
    expect(pages.flatMap((p) => p.changes.map((r: any) => r.sequence))).toEqual(sequences);
    expect(pages.map((p) => p.after)).toEqual([sequences[3], sequences[7], sequences[11], sequences[12]]);

    // A page that ends exactly at the end of the log has no next_url.
    expect((await get(`/api/v2/changes.json?after=${sequences[8]}&limit=4`)).json.next_url).toBeNull();
    // Caught up: an empty page, the same after, no next_url; a new change shows up from there.
    const caughtUp = (await get(`/api/v2/changes.json?after=${sequences.at(-1)}`)).json;
    expect(caughtUp).toEqual({ changes: [], after: sequences.at(-1), next_url: null });
    await put([{ field_id: FIELD.notes, value: 'new' }]);
    const next = (await get(`/api/v2/changes.json?after=${caughtUp.after}`)).json;
    expect(next.changes.map((r: any) => r.new_value)).toEqual(['new']);
    expect((await get('/api/v2/changes.json?after=0007&limit=1')).json.changes[0].sequence).toBe(sequences.find((s: number) => s > 7));
  });

  it('pages 100 at a time by default', async () => {
    for (let i = 0; i < 50; i++) await put([{ field_id: FIELD.notes, value: `n${i}` }, { name: 'Amount', value: i }]);
    const first = (await get('/api/v2/changes.json')).json;
    expect(first.changes).toHaveLength(100);
    expect(first.next_url).toBe(`/api/v2/changes.json?after=${first.after}&limit=100`);
    expect((await get(first.next_url)).json.changes).toHaveLength(3);
  });

  it('filters by call, field, actor, channel and time, and keeps the filters in next_url', async () => {
    await put([{ field_id: FIELD.notes, value: 'by editor' }], { requestId: 'r1' });
    time.advance(500);
    const middle = time.at();
    await put([{ name: 'Payment status', value: 'Paid' }], { as: 'admin', callId: CALL.second });
    time.advance();
    const gql = await t.graphql(`mutation { setCallCustomFields(callId: "${CALL.second}", customFields: [{ name: "Notes", value: "via gql" }]) { __typename } }`);
    expect(gql.body.data).toEqual({ setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess' } });

    const feed = async (query: string) => {
      const response = await get(`/api/v2/changes.json?${query}`);
      expect(response.status, query).toBe(200);
      return response.json.changes.map((r: any) => `${r.actor.username}:${r.channel}:${r.field_name}:${r.new_value}`);
    };
    expect(await feed(`call_id=${CALL.second}`)).toEqual(['admin:rest:Payment status:Paid', 'editor:graphql:Notes:via gql']);
    expect(await feed(`call_id=${CALL.second.toUpperCase()}&field=Notes`)).toEqual(['editor:graphql:Notes:via gql']);
    expect(await feed(`field=${FIELD.notes}&actor=editor`)).toEqual(['editor:rest:Notes:by editor', 'editor:graphql:Notes:via gql']);
    expect(await feed('actor=admin')).toEqual(['admin:rest:Payment status:Paid']);
    expect(await feed('actor=cli')).toEqual(['cli:import:Call type:Support call', 'cli:import:Notes:keep me', 'cli:import:Locked:immutable']);
    expect(await feed('channel=graphql')).toEqual(['editor:graphql:Notes:via gql']);
    expect(await feed('channel=admin')).toEqual([]);
    expect(await feed(`channel=rest&since=${middle}`)).toEqual(['admin:rest:Payment status:Paid']);
    expect(await feed(`channel=rest&until=${middle}`)).toEqual(['editor:rest:Notes:by editor']);
    // An instant with an offset is the same instant; since includes it, until leaves it out.
    const committed = (await get('/api/v2/changes.json?actor=admin')).json.changes[0].committed_at;
    const inBerlin = new Date(Date.parse(committed) + 3_600_000).toISOString().replace('Z', '+01:00');
    expect(await feed(`since=${encodeURIComponent(inBerlin)}&until=${encodeURIComponent(inBerlin)}`)).toEqual([]);
    expect(await feed(`since=${encodeURIComponent(inBerlin)}&actor=admin`)).toEqual(['admin:rest:Payment status:Paid']);
    expect(await feed(`until=${encodeURIComponent(inBerlin)}&actor=admin`)).toEqual([]);

    const since = encodeURIComponent('2026-03-01T11:00:00+01:00');
    const byEditor = await follow(`/api/v2/changes.json?limit=1&actor=editor&since=${since}&field=Notes&call_id=${CALL.first}&channel=rest&until=2099-01-01T00:00:00Z`);
    expect(byEditor.flatMap((p) => p.changes.map((r: any) => r.new_value))).toEqual(['by editor']);
    const notes = await follow(`/api/v2/changes.json?limit=1&actor=editor&since=${since}&field=Notes`);
    expect(notes.flatMap((p) => p.changes.map((r: any) => r.new_value))).toEqual(['by editor', 'via gql']);
    expect(notes[0].next_url).toBe(`/api/v2/changes.json?after=${notes[0].after}&limit=1&field=Notes&actor=editor&since=2026-03-01T10:00:00.000Z`);
    const imported = await follow(`/api/v2/changes.json?limit=1&call_id=${CALL.first}&channel=import&until=2099-01-01T00:00:00%2B00:00`);
    expect(imported[0].next_url).toBe(`/api/v2/changes.json?after=${imported[0].after}&limit=1&call_id=${CALL.first}&channel=import&until=2099-01-01T00:00:00.000Z`);
    const spaced = (await get(`/api/v2/changes.json?limit=1&field=${encodeURIComponent('Payment status')}`)).json;
    expect(spaced.changes).toHaveLength(1);
    expect(spaced.next_url).toBeNull();
  });

  it('matches nothing for a field name or actor with a NUL character (PostgreSQL\'s text cannot hold one), not a 500', async () => {
    for (const path of ['/api/v2/changes.json?field=Notes%00', '/api/v2/changes.json?actor=editor%00', `${historyPath()}?field=%00`]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.json.changes ?? response.json.history, path).toEqual([]);
    }
  });

  it('never shows another tenant\'s records', async () => {
    await put([{ field_id: FIELD.notes, value: 'mine' }]);
    await put([{ field_id: FIELD.otherTenant, value: 'theirs' }], { as: 'otherEditor', callId: CALL.otherTenant });
    const mine = (await get('/api/v2/changes.json?limit=1000')).json.changes;
    expect(mine.map((r: any) => r.new_value)).toContain('mine');
    expect(mine.some((r: any) => r.call_id === CALL.otherTenant)).toBe(false);
    expect((await get(`/api/v2/changes.json?call_id=${CALL.otherTenant}`)).json.changes).toEqual([]);
    const theirs = (await get('/api/v2/changes.json?limit=1000', 'otherEditor')).json.changes;
    expect(theirs.map((r: any) => r.new_value)).toEqual(['hidden', 'theirs']);
    expect((await get(`/api/v2/changes.json?call_id=${CALL.first}`, 'otherEditor')).json.changes).toEqual([]);
  });
});

describe('the history routes\' refusals and HTTP', () => {
  it('answers a bad or repeated parameter 400 InvalidParameter, naming what is accepted, and ignores unknown ones', async () => {
    const cases: [string, string][] = [
      ['/api/v2/changes.json?after=x', 'after must be a whole number of 0 or more (a record\'s sequence, at most 9007199254740991), got "x"'],
      ['/api/v2/changes.json?after=-1', 'after must be a whole number of 0 or more (a record\'s sequence, at most 9007199254740991), got "-1"'],
      ['/api/v2/changes.json?after=9007199254740992', 'after must be a whole number of 0 or more (a record\'s sequence, at most 9007199254740991), got "9007199254740992"'],
      ['/api/v2/changes.json?after=1&after=2', 'after is given more than once'],
      ['/api/v2/changes.json?limit=0', 'limit must be a whole number from 1 to 1000, got "0"'],
      ['/api/v2/changes.json?limit=1001', 'limit must be a whole number from 1 to 1000, got "1001"'],
      ['/api/v2/changes.json?channel=REST', 'channel must be one of rest, graphql, import, admin, bulk, got "REST"'],
      ['/api/v2/changes.json?call_id=nope', 'call_id must be a call UUID, got "nope"'],
      ['/api/v2/changes.json?actor=', 'actor must be a username, or cli for the operator\'s CLI, got ""'],
      ['/api/v2/changes.json?field=', 'field must be a custom field id or name, got ""'],
      ['/api/v2/changes.json?since=2026-03-01', 'since must be an ISO 8601 instant with a time zone, e.g. 2026-03-01T10:00:00Z, got "2026-03-01"'],
      ['/api/v2/changes.json?until=2026-02-30T00:00:00Z', 'until must be an ISO 8601 instant with a time zone, e.g. 2026-03-01T10:00:00Z, got "2026-02-30T00:00:00Z"'],
      ['/api/v2/changes.json?since=%zz', 'The query string is not valid percent-encoding: since=%zz'],
      [`${historyPath()}?before=1.5`, 'before must be a whole number of 0 or more (a record\'s sequence, at most 9007199254740991), got "1.5"'],
      [`${historyPath()}?limit=abc`, 'limit must be a whole number from 1 to 1000, got "abc"'],
      [`${historyPath()}?field=Notes&field=Amount`, 'field is given more than once'],
    ];
    for (const [path, description] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      expect(response.json, path).toEqual({ error: 'InvalidParameter', description });
    }
    expect((await get('/api/v2/changes.json?start=5&sort_order=asc')).status).toBe(200);
    expect((await get(`${historyPath()}?after=5&page=2`)).status).toBe(200);
  });

  it('answers other methods 405 with Allow: GET, HEAD', async () => {
    for (const path of [historyPath(), '/api/v2/changes.json']) {
      for (const method of ['PUT', 'POST', 'DELETE', 'PATCH']) {
        const response = await t.rest(method, path, { body: {} });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
        expect(response.json.error).toBe('MethodNotAllowed');
      }
    }
  });

  it('answers HEAD with GET\'s headers and no body, and If-None-Match with 304 until the log changes', async () => {
    for (const path of [historyPath(), '/api/v2/changes.json']) {
      const got = await get(path);
      const etag = got.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      const head = await t.rest('HEAD', path);
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('etag')).toBe(etag);
      expect((await get(path, 'editor', { 'if-none-match': etag! })).status).toBe(304);
    }
    const before = (await get('/api/v2/changes.json')).headers.get('etag')!;
    await put([{ field_id: FIELD.notes, value: 'changed' }]);
    const after = await get('/api/v2/changes.json', 'editor', { 'if-none-match': before });
    expect(after.status).toBe(200);
    expect(after.json.changes.at(-1).new_value).toBe('changed');
  });

  it('needs credentials', async () => {
    const response = await t.fetch(new Request(`http://callgate.test/api/v2/changes.json`));
    expect(response.status).toBe(401);
  });
});
