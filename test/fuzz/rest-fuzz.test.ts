import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL, FIELD, createTestApp } from '../support/fixtures.js';
import { FUZZ_SEED, fieldIdLike, fieldNameLike, fuzzParams, leakIn, nastyString } from '../support/fuzz-support.js';

/**
 * Fuzzing the REST shim, `PUT /api/v2/calls/{id}.json`, in-process (issue 7):
 * arbitrary JSON and bytes, deep nesting, huge strings, wrong types, unicode
 * and NUL, and vendor-shaped bodies with arbitrary entries. For every request:
 * never 5xx, never a stack trace or SQL/driver text, a 4xx is a vendor error
 * body and writes nothing, a 200 bumps only its own call's version, by at most one.
 * Seeded and replayable: FUZZ_SEED=<seed> npx vitest run test/fuzz/rest-fuzz.test.ts
 */

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'editor' | 'viewer' | 'otherEditor' | 'admin';

const ORIGIN = 'http://callgate.test';
const MiB = 1024 * 1024;
const WATCHED = [CALL.first, CALL.second, CALL.otherTenant] as const;

let t: TestApp;
let fuzzed = 0;
const statuses = new Map<number, number>();

async function snapshot() {
  return Promise.all(WATCHED.map(async (id) => [id, await t.stored(id, id === CALL.otherTenant ? otherTenantId : undefined)] as const));
}
let otherTenantId: string;

/** A path segment sent as is, for malformed percent-encoding. */
class RawSegment {
  constructor(readonly segment: string) {}
  toString() {
    return this.segment;
  }
}
/** Percent-encodes the UTF-8 bytes of any string (a lone surrogate becomes U+FFFD, as on the wire). */
const encodeSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

interface Sent {
  callId: string | RawSegment;
  body: string | Uint8Array;
  contentType?: string | null;
  as?: Who;
}

/** Sends one fuzzed PUT and checks the invariants that hold whatever the input. */
async function putAndCheck({ callId, body, contentType = 'application/json', as = 'editor' }: Sent): Promise<{ status: number; text: string }> {
  const before = await snapshot();
  const headers: Record<string, string> = { authorization: t.bearer(as) };
  if (contentType !== null) headers['content-type'] = contentType;
  const path = `/api/v2/calls/${callId instanceof RawSegment ? callId.segment : encodeSegment(callId)}.json`;
  const response = await t.fetch(new Request(`${ORIGIN}${path}`, { method: 'PUT', headers, body: body as BodyInit }));
  const text = await response.text();
  fuzzed++;
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  const requestText = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const context = `status ${response.status}, body ${text.slice(0, 400)}`;

  expect(response.status, context).toBeLessThan(500);
  expect(leakIn(text, requestText + String(callId)), context).toBeNull();
  const after = await snapshot();
  if (response.status >= 400) {
    const error = JSON.parse(text) as { error?: unknown; description?: unknown };
    expect(typeof error.error === 'string' && typeof error.description === 'string', `a vendor error body: ${context}`).toBe(true);
    expect(after, `a ${response.status} wrote something`).toEqual(before);
  } else {
    expect(response.status, context).toBe(200);
    const call = (JSON.parse(text) as { call: { call_id: string } }).call;
    // only an editing user's own tenant's calls can be written: a viewer never gets a 200 on PUT
    const writable: string[] = as === 'viewer' ? [] : as === 'otherEditor' ? [CALL.otherTenant] : [CALL.first, CALL.second];
    expect(writable, `a 200 for ${as}`).toContain(call.call_id);
    for (const [i, [id, state]] of after.entries()) {
      const was = before[i]![1]!;
      if (id === call.call_id) expect(state!.version - was.version, 'version bump').toBeOneOf([0, 1]);
      else expect(state, `a PUT to ${call.call_id} changed ${id}`).toEqual(was);
    }
  }
  return { status: response.status, text };
}

/** JSON text with some values replaced by raw number tokens JSON.stringify cannot produce (1e400, 20 digits, -0). */
const RAW = '@@raw@@';
class Raw {
  constructor(readonly token: string) {}
}
function toJsonText(value: unknown): string {
  const tokens: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      tokens.push(v.token);
      return `${RAW}${tokens.length - 1}`;
    }
    return v;
  });
  return (text ?? 'null').replace(new RegExp(`"${RAW}(\\d+)"`, 'g'), (_, i: string) => tokens[Number(i)]!);
}

const rawNumber = fc.constantFrom('1e400', '-1e400', '12345678901234567890', '-0', '0.1e-999', '1E+2', '123.4560', '9'.repeat(400)).map((s) => new Raw(s));

/** A value of any kind for any field: valid ones per type, near misses, wrong types. */
const anyValue = fc.oneof(
  fc.constantFrom('Unknown', 'Paid', 'paid', 'Sales call', '12.5', '-1e3', '1.', '.5', 'NaN', 'Infinity', '0x10', '2026-02-28', '2026-02-30', '2026-2-1', '9999-12-31'),
  nastyString(300),
  fc.constantFrom(null, '', true, false, 0, -0, 1.5, Number.MAX_VALUE, Number.MIN_VALUE),
  rawNumber,
  fc.jsonValue({ maxDepth: 2 }),
);

const entry = fc.record(
  {
    field_id: fc.oneof(fieldIdLike, fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
    name: fc.oneof(fieldNameLike, fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
    value: anyValue,
    'extra\u0000key': fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

/** Keys that would reach Object.prototype through a careless merge. */
const POLLUTERS = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},';

const callIdArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(CALL.first, CALL.second) },
  { weight: 1, arbitrary: fc.constantFrom(CALL.otherTenant, CALL.first.toUpperCase(), '00000000-0000-4000-8000-000000000000') },
  { weight: 1, arbitrary: nastyString(60).filter((s) => s.length > 0) },
  { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%E0%A4%A', '%', '..%2F..%2Fetc', '%00', '%F0%9F%92%A5', '%ED%A0%80').map((s) => new RawSegment(s)) },
);
const who = fc.oneof({ weight: 6, arbitrary: fc.constant<Who>('editor') }, { weight: 1, arbitrary: fc.constantFrom<Who>('viewer', 'otherEditor', 'admin') });

describe('REST shim fuzzing: PUT /api/v2/calls/{id}.json', () => {
  beforeAll(async () => {
    t = await createTestApp();
    otherTenantId = (await t.store.findTenantByName('other'))!.id;
    console.log(`[fuzz] rest-fuzz seed=${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz/rest-fuzz.test.ts)`);
  });

  afterAll(() => {
    console.log(`[fuzz] rest-fuzz requests fuzzed=${fuzzed} statuses=${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });

  it('arbitrary JSON documents, bare or wrapped in call / call.custom_fields', async () => {
    const wrap = fc.constantFrom<(v: unknown) => unknown>((v) => v, (v) => ({ call: v }), (v) => ({ call: { custom_fields: v } }), (v) => ({ call: { custom_fields: [v] } }));
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), wrap, callIdArb, async (value, wrapIn, callId) => {
        await putAndCheck({ callId, body: toJsonText(wrapIn(value)) });
      }),
      fuzzParams(1, 300),
    );
  });

  it('arbitrary bytes, alone or spliced into a valid body, under several content types', async () => {
    const valid = toJsonText({ call: { custom_fields: [{ name: 'Notes', value: 'ok' }] } });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.tuple(fc.nat(valid.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, junk]) =>
        Buffer.concat([Buffer.from(valid.slice(0, at)), junk, Buffer.from(valid.slice(at))]),
      ),
      fc.constantFrom(Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from('\ufeff' + valid), Buffer.from([0xc3, 0x28]), Buffer.alloc(0)),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'text/plain', 'application/jsonx', null);
    await fc.assert(
      fc.asyncProperty(bytes, contentType, async (body, type) => {
        await putAndCheck({ callId: CALL.first, body: new Uint8Array(body), contentType: type });
      }),
      fuzzParams(2, 300),
    );
  });

  it('deep nesting: arrays, objects and mixtures, balanced or not, at the top or in a value', async () => {
    const nested = fc.record({
      depth: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 300_000 })),
      open: fc.constantFrom('[', '{"a":', '[{"b":'),
      balanced: fc.boolean(),
      at: fc.constantFrom('top', 'value', 'custom_fields', 'beside-a-number'),
    });
    await fc.assert(
      fc.asyncProperty(nested, async ({ depth, open, balanced, at }) => {
        const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
        const deep = `${open.repeat(depth)}1${balanced ? close.repeat(depth) : ''}`;
        const body = {
          top: deep,
          value: `{"call":{"custom_fields":[{"name":"Notes","value":${deep}}]}}`,
          custom_fields: `{"call":{"custom_fields":${deep}}}`,
          // JSON.parse may accept what the raw-number re-parse refuses: a number value beside deep nesting
          'beside-a-number': `{"call":{"custom_fields":[{"name":"Amount","value":12}]},"x":${deep}}`,
        }[at];
        await putAndCheck({ callId: CALL.first, body });
      }),
      fuzzParams(3, 40),
    );
  });

  it('huge strings in every position, up to past the 1 MiB limit', async () => {
    const huge = fc.record({
      size: fc.oneof(fc.integer({ min: 256, max: 70_000 }), fc.integer({ min: MiB - 200, max: MiB + 64 })),
      unit: fc.constantFrom('x', 'é', '💥', '\u0000', '\\u0000', '\\ud800', '"', ' '),
      at: fc.constantFrom('value', 'name', 'field_id', 'key', 'entries'),
    });
    await fc.assert(
      fc.asyncProperty(huge, async ({ size, unit, at }) => {
        const chars = unit === '"' ? '\\"' : unit === '\u0000' ? '\\u0000' : unit;
        const s = chars.repeat(Math.max(1, Math.floor(size / Buffer.byteLength(chars))));
        const body = {
          value: `{"call":{"custom_fields":[{"name":"Call type","value":"${s}"}]}}`,
          name: `{"call":{"custom_fields":[{"name":"${s}","value":"x"}]}}`,
          field_id: `{"call":{"custom_fields":[{"field_id":"${s}","value":"x"}]}}`,
          key: `{"call":{"custom_fields":[{"${s}":1,"name":"Notes","value":"x"}]}}`,
          entries: `{"call":{"custom_fields":[${Array.from({ length: Math.max(1, Math.floor(size / 32)) }, () => '{"name":"Notes","value":"x"}').join(',')}]}}`,
        }[at];
        const { status } = await putAndCheck({ callId: CALL.first, body });
        if (Buffer.byteLength(body) > MiB) expect(status).toBe(413);
      }),
      fuzzParams(4, 25),
    );
  });

  it('vendor-shaped bodies with arbitrary entries: wrong types, unicode and NUL in names and values, any user', async () => {
    const shaped = fc.oneof(
      { weight: 5, arbitrary: fc.record({ call: fc.record({ custom_fields: fc.array(entry, { maxLength: 8 }) }) }) },
      { weight: 1, arbitrary: fc.record({ call: fc.record({ custom_fields: fc.array(entry, { maxLength: 3 }), call_id: fc.jsonValue() }, { requiredKeys: ['custom_fields'] }) }) },
      { weight: 1, arbitrary: fc.record({ call: fc.record({ custom_fields: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), entry)) }) }) },
    );
    await fc.assert(
      fc.asyncProperty(shaped, callIdArb, who, fc.boolean(), async (body, callId, as, pollute) => {
        const text = toJsonText(body);
        await putAndCheck({ callId, body: pollute ? text.replace(/^\{/, POLLUTERS) : text, as });
        expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
      }),
      fuzzParams(5, 600),
    );
  });

  it('bodies that are valid except for one entry are refused whole (all-or-nothing)', async () => {
    const validEntry = fc.constantFrom(
      { field_id: FIELD.paymentStatus, value: 'Paid' },
      { name: 'Call type', value: 'Sales call' },
      { name: 'Amount', value: new Raw('42') },
      { field_id: FIELD.followUp, name: 'ignored', value: '2026-12-31' },
      { name: 'Notes', value: null },
    );
    const badEntry = fc.oneof(
      // an object or array value, or none at all, is wrong for every field
      entry.filter((e) => e.value === undefined || (typeof e.value === 'object' && e.value !== null && !(e.value instanceof Raw))),
      fc.constantFrom({ name: 'Notes', value: 'far too long for ten' }, { field_id: FIELD.locked, value: 'x' }, { field_id: FIELD.retired, value: 'x' }, { name: 'Amount' }, { name: 'notes', value: 'x' }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(validEntry, { maxLength: 4 }), badEntry, fc.nat(4), async (valid, bad, at) => {
        const entries = [...valid];
        entries.splice(Math.min(at, entries.length), 0, bad as never);
        const { status } = await putAndCheck({ callId: CALL.first, body: toJsonText({ call: { custom_fields: entries } }) });
        expect(status).toBe(400);
      }),
      fuzzParams(6, 200),
    );
  });

  // BUG: src/http/rest-calls.ts put(): a body whose entries hold a JSON number is parsed a second time
  // with parseJsonText({ rawNumbers: true }), which refuses nesting deeper than 512; JSON.parse accepted
  // the body the first time. When the re-parse fails, `readCustomFieldsBody(undefined)` answers
  // 400 InvalidRecord {"call.custom_fields": "Must be an array of custom field entries"} although the
  // body has that array, while the same body with "12" instead of 12 is applied (200). Found by the
  // deep-nesting fuzzing ('beside-a-number'); nothing is written, so the properties above hold.
  it('answers a deeply nested body beside a number value as it answers the same body with a string value', async () => {
    const deep = `${'['.repeat(600)}1${']'.repeat(600)}`;
    const withNumber = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { raw: `{"call":{"custom_fields":[{"name":"Amount","value":12}]},"x":${deep}}` });
    const withString = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { raw: `{"call":{"custom_fields":[{"name":"Amount","value":"12"}]},"x":${deep}}` });
    expect(withString.status, withString.text).toBe(200);
    expect(withNumber.json).not.toEqual({ error: 'InvalidRecord', description: 'Record Validation errors', details: { 'call.custom_fields': 'Must be an array of custom field entries' } });
    expect(withNumber.status).toBe(withString.status);
  });

  it('still serves a valid request after the fuzzing, and its answer matches what is stored', async () => {
    const put = await t.rest('PUT', `/api/v2/calls/${CALL.second}.json`, {
      body: { call: { custom_fields: [{ field_id: FIELD.paymentStatus, value: 'Paid' }, { name: 'Notes', value: 'after fuzz' }] } },
    });
    expect(put.status).toBe(200);
    const stored = await t.stored(CALL.second);
    expect(stored!.values).toMatchObject({ [FIELD.paymentStatus]: 'Paid', [FIELD.notes]: 'after fuzz' });
    const get = await t.rest('GET', `/api/v2/calls/${CALL.second}.json`);
    expect(get.status).toBe(200);
    const listed = get.json.call.custom_fields as { field_id: string; value: string }[];
    expect(Object.fromEntries(listed.map((f) => [f.field_id, f.value]))).toEqual(stored!.values);
    expect(fuzzed).toBeGreaterThan(0);
  });
});
