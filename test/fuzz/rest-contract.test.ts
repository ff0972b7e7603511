import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../../src/http/openapi.js';
import { basic, CALL, FIELD, createTestApp } from '../support/fixtures.js';
import { FUZZ_SEED, fuzzParams, leakIn, nastyString } from '../support/fuzz-support.js';
import { createContract, describeRequest, type SentRequest } from '../support/openapi-contract.js';

/**
 * The contract run (issue 17): requests generated from the OpenAPI
 * description the server serves, valid and invalid, for every path and
 * method (and methods a path does not take), sent to a live server; every
 * answer is checked against the description (status declared for the
 * operation, content type, body schema, required headers) and must not be a
 * 5xx or leak internals. A fixed list of requests always goes first, among
 * them the `If-Match: "2147483648"` PUT that was once answered 500.
 * Seeded and replayable: FUZZ_SEED=<seed> npx vitest run test/fuzz/rest-contract.test.ts
 */

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, any>;
type Who = 'editor' | 'viewer' | 'admin' | 'otherEditor';

const ORIGIN = 'http://callgate.test';
const GENERATED = 1_600;

let t: TestApp;
let contract: ReturnType<typeof createContract>;
let document: Json;
let sentCount = 0;
const statuses = new Map<string, number>();
/** ETags the server gave, to send back in If-Match / If-None-Match. */
const seenTags = new Set<string>(['"AAAAAAAAAAAAAAAAAAAAAA"']);

/** Sends one request and fails, with the request to replay, on any 5xx, leak or answer the description does not allow. */
async function sendAndCheck(sent: SentRequest): Promise<{ status: number; json: any }> {
  const response = await t.fetch(new Request(`${ORIGIN}${sent.target}`, { method: sent.method, headers: sent.headers, body: sent.body }));
  const text = await response.text();
  const answer = { status: response.status, headers: response.headers, text };
  sentCount++;
  const key = `${sent.method} ${contract.templateOf(sent.target.split('?', 1)[0]!)?.template ?? '(unrouted)'} ${response.status}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const etag = response.headers.get('etag');
  if (etag) seenTags.add(etag);
  const found = [
    ...(response.status >= 500 ? [`a ${response.status}`] : []),
    ...contract.problems(sent, answer),
    ...[leakIn(text, `${sent.target} ${sent.body ?? ''} ${Object.values(sent.headers).join(' ')}`)].filter((leak) => leak !== null).map((leak) => `leak: ${leak}`),
  ];
  expect(found, `${response.status} ${text.slice(0, 300)}\nfor the request (replay: FUZZ_SEED=${FUZZ_SEED}):\n${describeRequest(sent)}\n`).toEqual([]);
  return { status: response.status, json: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
}

/** Percent-encodes the UTF-8 bytes of any string (a lone surrogate becomes U+FFFD, as on the wire). */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
/** What a header value can hold on the wire (a Fetch client refuses the rest before sending). */
const sendable = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s);

const bearer = (who: Who) => t.bearer(who);
const put = (target: string, body: unknown, headers: Record<string, string> = {}, who: Who = 'editor'): SentRequest => ({
  method: 'PUT',
  target,
  headers: { authorization: bearer(who), 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const get = (target: string, headers: Record<string, string> = {}, who: Who = 'viewer', method = 'GET'): SentRequest => ({
  method,
  target,
  headers: { authorization: bearer(who), ...headers },
});
const callPath = (id: string) => `/api/v2/calls/${id}.json`;
const fieldPath = (id: string) => `/api/v2/custom_fields/${id}.json`;
const historyPath = (id: string) => `/api/v2/calls/${id}/custom_fields/history.json`;
const setNotes = { call: { custom_fields: [{ name: 'Notes', value: 'ok' }] } };

/** Requests every run sends first: the shapes that once failed, or are easy to get wrong. */
function fixedRequests(): SentRequest[] {
  return [
    // The old 500: a tag from 2^31 up to 15 digits travelled as a 32-bit GraphQL Int.
    put(callPath(CALL.first), setNotes, { 'if-match': '"2147483648"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '"123456789012345"' }),
    put(callPath(CALL.first), setNotes, { 'if-none-match': '"2147483648"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': 'W/"1"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '"00000000000001"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '"1", "2147483648", W/"2"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '2147483648' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '*' }),
    put(callPath(CALL.first), setNotes, { 'if-none-match': '*' }),
    put(callPath('00000000-0000-4000-8000-000000000000'), setNotes, { 'if-match': '"2147483648"' }),
    put(callPath(CALL.first), setNotes, { 'if-match': '"2147483648"' }, 'viewer'),
    put(callPath(CALL.first), { call: { custom_fields: [{ name: 'Amount', value: 'x' }] } }, { 'if-match': '"2147483648"' }),
    put(callPath(CALL.first), '{"call": {"custom_fields": [{"name": "Amount", "value": 123456789012345678901234567890}]}}'),
    put(callPath(CALL.first), '{"call" {"custom_fields": []}}'),
    put(callPath(CALL.first), setNotes, { 'content-type': 'text/plain' }),
    put(callPath(CALL.first), JSON.stringify({ call: { custom_fields: [{ name: 'Notes', value: 'x'.repeat(1024 * 1024) }] } })),
    get(callPath(CALL.first), { 'if-none-match': '"2147483648"' }),
    get(callPath(CALL.first), { 'if-match': '"2147483648"' }),
    get(callPath(CALL.first), { 'if-none-match': 'garbage' }),
    get(callPath(CALL.first), {}, 'viewer', 'HEAD'),
    get(callPath(CALL.otherTenant)),
    get('/api/v2/calls.json?limit=2147483648&start=123456789012345678'),
    get('/api/v2/calls.json?limit=1000&start=999999999999999&sort_order=asc'),
    get('/api/v2/calls.json?daterange=2026/02/30-2026/03/01'),
    get('/api/v2/custom_fields.json'),
    get(fieldPath(FIELD.notes), {}, 'viewer', 'HEAD'),
    { method: 'GET', target: '/api/v2/calls.json', headers: { authorization: basic('editor') } },
    { method: 'GET', target: '/api/v2/calls.json', headers: {} },
    { method: 'GET', target: OPENAPI_PATH, headers: {} },
    { method: 'DELETE', target: OPENAPI_PATH, headers: {} },
    { method: 'PATCH', target: callPath(CALL.first), headers: { authorization: bearer('editor') } },
    { method: 'DELETE', target: fieldPath(FIELD.retired), headers: { authorization: bearer('editor') } },
    { method: 'PUT', target: `${fieldPath(FIELD.notes)}?force=maybe`, headers: { authorization: bearer('admin'), 'content-type': 'application/json' }, body: '{"custom_field": {}}' },
    { method: 'POST', target: '/api/v2/custom_fields.json', headers: { authorization: bearer('admin'), 'content-type': 'application/json' }, body: '{"custom_field": {"name": "Notes", "type": "text"}}' },
    { method: 'POST', target: '/api/v2/custom_fields.json', headers: { authorization: bearer('admin'), 'content-type': 'application/json' }, body: '{"custom_field": {"name": "Big", "type": "text", "str_max_len": 1e400}}' },
    { method: 'GET', target: '/api/v2/nothing.json', headers: { authorization: bearer('viewer') } },
    // Successes of every write, so their bodies are checked too.
    put(fieldPath(FIELD.notes), { custom_field: { name: 'Remarks', str_max_len: 100 } }, {}, 'admin'),
    put(`${fieldPath(FIELD.paymentStatus)}?force=true`, { custom_field: { type: 'multiselect', options: ['Unknown', 'Paid'] } }, {}, 'admin'),
    put(callPath(CALL.second), { call: { custom_fields: [{ field_id: FIELD.paymentStatus, value: ['Paid', 'Unknown'] }, { name: 'Amount', value: 12.5 }] } }),
    get(callPath(CALL.second)),
    get('/api/v2/calls.json?limit=1&start=5'),
    { method: 'DELETE', target: `${fieldPath(FIELD.retired)}?force=1`, headers: { authorization: bearer('admin') } },
    // The change history, after the writes above: pages, filters, refusals.
    get(historyPath(CALL.second), {}, 'admin'),
    get(`${historyPath(CALL.first)}?limit=1&field=Remarks`),
    get(`${historyPath(CALL.first)}?before=0`),
    get(`${historyPath(CALL.first)}?before=x`),
    get(historyPath(CALL.otherTenant)),
    get(historyPath('not-a-call')),
    get(historyPath(CALL.first), {}, 'viewer', 'HEAD'),
    get('/api/v2/changes.json', {}, 'admin'),
    get('/api/v2/changes.json?after=2&limit=1'),
    get('/api/v2/changes.json?after=999999&limit=1000'),
    get(`/api/v2/changes.json?call_id=${CALL.second}&field=${FIELD.paymentStatus}&actor=editor&channel=rest&since=2026-01-01T00:00:00Z&until=2099-01-01T00:00:00%2B01:00`),
    get('/api/v2/changes.json?channel=admin&actor=cli'),
    get('/api/v2/changes.json?since=yesterday'),
    get('/api/v2/changes.json?after=9007199254740992'),
    get('/api/v2/changes.json?limit=1&limit=2'),
    get('/api/v2/changes.json', {}, 'otherEditor', 'HEAD'),
    { method: 'POST', target: '/api/v2/changes.json', headers: { authorization: bearer('editor') } },
  ];
}

// ---- generation from the description ----

/** Follows a local $ref of the description. */
const deref = (value: Json): Json =>
  typeof value?.$ref === 'string' ? deref((value.$ref as string).slice(2).split('/').reduce<Json>((node, key) => node[key.replace(/~1/g, '/')], document)) : value;

const FIELD_NAMES = ['Payment status', 'Call type', 'Notes', 'Amount', 'Follow-up date', 'Locked', 'Retired', 'Secret'];
/** Values known to the fixture's world, by property name, mixed in with what the schema alone would give. */
const pools = (): Record<string, fc.Arbitrary<unknown>> => ({
  field_id: fc.oneof(fc.constantFrom(...Object.values(FIELD)), fc.uuid(), fc.constant(null)),
  name: fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.constantFrom('notes', 'New field', 'Second'), nastyString(20)),
  value: fc.oneof(
    fc.constantFrom('Paid', 'Unknown', 'short', '', null, '12.5', '2026-02-28', '2026-02-30', 'true', true, 42, 1e300, -0, 'x'.repeat(300)),
    fc.array(fc.constantFrom('Paid', 'Unknown', 'A')),
  ),
  options: fc.oneof(fc.constant(null), fc.array(fc.constantFrom('A', 'B', 'Paid', 'Unknown'), { maxLength: 3 })),
  str_max_len: fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 300 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e300)),
});

/** Values a schema allows, or (rarely) does not, with the pool for the property's name. */
function valueOf(schema: Json, name: string | null, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema);
  const pool = name !== null ? pools()[name] : undefined;
  const fromSchema = schemaValue(s, depth);
  return pool ? fc.oneof({ weight: 3, arbitrary: pool }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
}

function schemaValue(s: Json, depth: number): fc.Arbitrary<unknown> {
  if (s.oneOf) return fc.oneof(...(s.oneOf as Json[]).map((option) => valueOf(option, null, depth + 1)));
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.const !== undefined) return fc.constant(s.const);
  const types: string[] = Array.isArray(s.type) ? s.type : [s.type ?? 'string'];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return fc.integer({ min: Math.max(s.minimum ?? -1e6, -(2 ** 31)), max: Math.min(s.maximum ?? 1e6, 2 ** 31) });
        case 'number':
          return fc.double({ noNaN: true, noDefaultInfinity: true });
        case 'array':
          return fc.array(valueOf(s.items ?? {}, null, depth + 1), { maxLength: Math.min(s.maxItems ?? 4, 4) });
        case 'object': {
          const properties = Object.entries((s.properties ?? {}) as Json);
          if (depth > 4 || properties.length === 0) return fc.constant({});
          return fc.record(Object.fromEntries(properties.map(([key, value]) => [key, valueOf(value, key, depth + 1)])), { requiredKeys: s.required ?? [] });
        }
        default:
          return fc.oneof(fc.string({ maxLength: 12 }), nastyString(12));
      }
    }),
  );
}

/** Mutations of a valid body: an unknown key, a wrong type, garbage, broken JSON, a number JSON cannot hold. */
const bodyText = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify({ ...(v as Json), unknown: 1 })) },
    {
      weight: 1,
      arbitrary: valid.map((v) => {
        const inner = Object.values(v as Json)[0];
        return JSON.stringify(typeof inner === 'object' && inner !== null ? { [Object.keys(v as Json)[0]!]: { ...inner, bogus_attribute: [1, { a: null }] } } : v);
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v).replace(/"(value|str_max_len)":[^,}\]]*/, '"$1":123456789012345678901234567890')) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => JSON.stringify(v).slice(0, cut % 40)) },
  );

const tagValues = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...seenTags) },
    { weight: 3, arbitrary: fc.constantFrom('*', '"2147483648"', '"123456789012345"', '"9007199254740993"', 'W/"1"', '"1"', '"00000000000001"', '"1", "2"', '"a", W/"b" ,,') },
    { weight: 2, arbitrary: fc.constantFrom('', ',', '1', '2147483648', 'W/ "1"', 'w/"1"', '"1" "2"', '"unterminated', '*, "1"', '"\u00e9"', '"x y"') },
    { weight: 1, arbitrary: nastyString(20).filter(sendable) },
  );

/** Query values known to the fixture's world, by parameter name (percent-encoded). */
const queryPools = (): Record<string, fc.Arbitrary<string>> => ({
  field: fc.constantFrom(...Object.values(FIELD), FIELD.notes.toUpperCase(), ...FIELD_NAMES, 'Remarks').map(encode),
  actor: fc.constantFrom('editor', 'admin', 'viewer', 'otherEditor', 'cli', 'nobody'),
  call_id: fc.constantFrom(CALL.first, CALL.second, CALL.otherTenant, CALL.first.toUpperCase()),
  after: fc.oneof(fc.nat(60), fc.constantFrom(9007199254740991, 9007199254740992)).map(String),
  before: fc.oneof(fc.nat(60), fc.constantFrom(9007199254740991, 9007199254740992)).map(String),
});

/** An instant around the fixture's writes, in UTC or with an offset. */
const instant = (): fc.Arbitrary<string> =>
  fc.tuple(fc.date({ min: new Date('2025-12-01'), max: new Date('2026-03-01'), noInvalidDate: true }), fc.constantFrom('Z', '+02:00', '-05:30')).map(([date, zone]) =>
    encode(zone === 'Z' ? date.toISOString() : `${date.toISOString().slice(0, 19)}${zone}`),
  );

const validQueryValue = (schema: Json, name: string): fc.Arbitrary<string> => {
  if (schema.pattern) {
    return fc.tuple(fc.date({ min: new Date('2025-12-01'), max: new Date('2026-03-01'), noInvalidDate: true }), fc.nat(40)).map(([from, days]) => {
      const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '/');
      return `${day(from)}-${day(new Date(from.getTime() + days * 86_400_000))}`;
    });
  }
  if (schema.format === 'date-time') return instant();
  const fromSchema = schemaValue(schema, 0).map((value) => encode(String(value)));
  const pool = queryPools()[name];
  return pool ? fc.oneof({ weight: 3, arbitrary: pool }, { weight: 1, arbitrary: fromSchema }) : fromSchema;
};

const queryValueOf = (schema: Json, name: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: validQueryValue(schema, name) },
    { weight: 1, arbitrary: fc.constantFrom('', '-1', '0', '1001', '2147483648', '9999999999999999', '1e3', '1.5', ' 1', 'abc', 'true', '%zz', '2026/01/31-2026/01/01') },
    { weight: 1, arbitrary: nastyString(16).map(encode) },
  );

const credentials = (): fc.Arbitrary<{ who: string; authorization: string | null }> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom<Who>('editor', 'viewer', 'admin', 'otherEditor').map((who) => ({ who, authorization: bearer(who) })) },
    { weight: 1, arbitrary: fc.constant({ who: 'editor (basic)', authorization: basic('editor') }) },
    { weight: 1, arbitrary: fc.constantFrom(null, '', 'Bearer nope', 'Basic !!!', 'Digest x', basic('nobody', 'x')).map((authorization) => ({ who: 'nobody', authorization })) },
  );

/** One request for a path and method of the description (or a method it does not take), with its parameters and body. */
function requestFor(template: string, item: Json, method: string): fc.Arbitrary<SentRequest> {
  const operation: Json = item[method.toLowerCase()] ?? {};
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref);
  const pathIds: Record<string, fc.Arbitrary<string>> = {
    call_id: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(CALL.first, CALL.second) }, { weight: 1, arbitrary: fc.constantFrom(CALL.otherTenant, CALL.first.toUpperCase()) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: nastyString(20).filter((s) => s !== '') }),
    field_id: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...Object.values(FIELD)) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: nastyString(20).filter((s) => s !== '') }),
  };
  const path = fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name as string, pathIds[p.name] ?? fc.uuid()])));
  const query = fc.record(
    Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name as string, fc.option(queryValueOf(deref(p.schema), p.name), { freq: 2 })])),
  );
  const headers = fc.record(Object.fromEntries(parameters.filter((p) => p.in === 'header').map((p) => [p.name as string, fc.option(tagValues(), { freq: 2 })])));
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const body = bodySchema ? fc.option(bodyText(valueOf(bodySchema, null)), { freq: 12 }) : fc.constant(null);
  const contentType = fc.oneof({ weight: 12, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(null, 'text/plain', 'application/json; charset=utf-8', 'application/jsonx') });
  return fc.record({ path, query, headers, body, contentType, credentials: credentials(), duplicateQuery: fc.boolean() }).map((r) => {
    const target = template.replace(/\{([^}]+)\}/g, (_, name: string) => encode(String(r.path[name] ?? '')));
    const pairs = Object.entries(r.query).filter(([, value]) => value !== null).map(([name, value]) => `${name}=${value}`);
    if (r.duplicateQuery && pairs.length > 0 && pairs.length < 2) pairs.push(pairs[0]!);
    const sent: SentRequest = { method, target: pairs.length > 0 ? `${target}?${pairs.join('&')}` : target, headers: {} };
    if (r.credentials.authorization !== null) sent.headers.authorization = r.credentials.authorization;
    for (const [name, value] of Object.entries(r.headers)) if (value !== null) sent.headers[name] = String(value);
    if (typeof r.body === 'string' && method !== 'GET' && method !== 'HEAD') {
      sent.body = r.body;
      if (r.contentType !== null) sent.headers['content-type'] = r.contentType;
    }
    return sent;
  });
}

describe('REST contract run: every answer as the OpenAPI description says', () => {
  beforeAll(async () => {
    t = await createTestApp();
    const served = await t.fetch(new Request(`${ORIGIN}${OPENAPI_PATH}`));
    document = (await served.json()) as Json;
    contract = createContract(document);
    console.log(`[fuzz] rest-contract seed=${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz/rest-contract.test.ts)`);
  });

  afterAll(() => {
    console.log(`[fuzz] rest-contract requests=${sentCount} answers=${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });

  it('answers the fixed requests as declared, the old If-Match 500 among them', async () => {
    const oldFiveHundred = await sendAndCheck(fixedRequests()[0]!);
    expect(oldFiveHundred.status).toBe(412);
    for (const sent of fixedRequests().slice(1)) await sendAndCheck(sent);
  });

  it(`answers ${GENERATED} generated requests, valid and invalid, for every path and method, as declared`, async () => {
    const operations = contract.paths.flatMap(({ template, item }) => [
      ...contract.methodsOf(item).map((method) => ({ weight: method === 'HEAD' ? 1 : 4, arbitrary: requestFor(template, item, method) })),
      { weight: 1, arbitrary: fc.constantFrom('PATCH', 'POST', 'DELETE', 'PUT').filter((m) => !(m.toLowerCase() in item)).chain((method) => requestFor(template, item, method)) },
    ]);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations), async (sent) => {
        await sendAndCheck(sent);
      }),
      fuzzParams(17, GENERATED),
    );
  });
});
